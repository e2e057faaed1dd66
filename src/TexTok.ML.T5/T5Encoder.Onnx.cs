using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.T5;

/// <summary>ONNX emitter of <see cref="T5Encoder"/>.</summary>
public sealed partial class T5Encoder
{
    /// <summary>Emits the embedding lookup (<c>Gather</c> on <c>shared.weight</c>) and the encoder stack.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="inputIds">Token ids [B, L], int64.</param>
    /// <param name="attentionMask">[B, L], 1 for a real token, 0 for padding.</param>
    /// <returns><c>last_hidden_state</c> [B, L, d_model].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string inputIds, string attentionMask)
    {
        var table = OnnxEmit.Initializer(g, "shared.weight", _shared.weight!);
        var embedded = g.AddNode("Gather", "shared", [table, inputIds], OnnxAttribute.Int("axis", 0));
        return _encoder.EmitOnnx(g, embedded, attentionMask, "encoder");
    }
}
