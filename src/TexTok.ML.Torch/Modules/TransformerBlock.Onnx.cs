using TexTok.ML.Onnx;

namespace TexTok.ML.Torch.Modules;

/// <summary>ONNX emitter of <see cref="TransformerBlock"/>.</summary>
public sealed partial class TransformerBlock
{
    /// <summary>Emits x + Attn(LN(x)), then + MLP(LN(·)) with exact GELU, as in <see cref="forward"/>.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="input">Sequence [B, L, D].</param>
    /// <param name="keyBias">Key bias [B, 1, 1, L], or null.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The output [B, L, D].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string input, string? keyBias, string name)
    {
        var normed = OnnxEmit.LayerNorm(g, input, _norm1, name + ".norm1");
        var attended = _attention.EmitOnnx(g, normed, keyBias, name + ".attn");
        var h = g.AddNode("Add", name + ".residual1", [input, attended]);
        var mlp = OnnxEmit.LayerNorm(g, h, _norm2, name + ".norm2");
        mlp = OnnxEmit.Linear(g, mlp, _fc1, name + ".fc1");
        mlp = OnnxEmit.Gelu(g, mlp, name + ".gelu");
        mlp = OnnxEmit.Linear(g, mlp, _fc2, name + ".fc2");
        return g.AddNode("Add", name + ".residual2", [h, mlp]);
    }
}
