using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.Torch.Generation;

/// <summary>ONNX emitter of <see cref="LabelEmbedder"/>.</summary>
public sealed partial class LabelEmbedder
{
    /// <summary>Emits the table lookup of int64 labels [B] (<see cref="NumClasses"/> selects the null class).</summary>
    /// <param name="g">The graph.</param>
    /// <param name="labels">Labels.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The embeddings [B, width].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string labels, string name)
    {
        var table = g.Shared((this, "table"), () => OnnxEmit.Initializer(g, name + ".table", _table.weight!));
        return g.AddNode("Gather", name, [table, labels], OnnxAttribute.Int("axis", 0));
    }
}
