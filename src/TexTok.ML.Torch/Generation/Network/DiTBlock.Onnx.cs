using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.Torch.Generation;

/// <summary>ONNX emitter of <see cref="DiTBlock"/>.</summary>
public sealed partial class DiTBlock
{
    /// <summary>Emits the cross-attention keys and values of the projected text tokens (DiT-T2I blocks only).</summary>
    /// <param name="g">The graph.</param>
    /// <param name="textTokens">Projected text tokens [B, Nt, W].</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>Keys and values, each [B, heads, Nt, W/heads].</returns>
    internal (string Key, string Value) EmitCrossKeyValueOnnx(OnnxGraphBuilder g, string textTokens, string name) =>
        (_crossAttention ?? throw new InvalidOperationException("This DiT block has no cross-attention."))
            .EmitKeyValueOnnx(g, textTokens, name + ".cross_attn");

    /// <summary>
    /// Emits the block as <see cref="forward"/>: adaLN-Zero self-attention, the cross-attention to the text when the
    /// block has one, and the adaLN-Zero MLP with tanh-approximate GELU.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="x">Tokens [B, N, W].</param>
    /// <param name="c">Conditioning vector [B, W] (or [1, W], broadcast).</param>
    /// <param name="text">Cross-attention keys and values with their key bias [B, 1, 1, Nt], or null.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The updated tokens [B, N, W].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string x, string c, ((string Key, string Value) KeyValue, string KeyBias)? text, string name)
    {
        long width = _fc2.weight!.shape[0];
        var m = OnnxEmit.Chunk(g, OnnxEmit.Linear(g, OnnxEmit.Silu(g, c, name + ".silu"), _modulation, name + ".adaLN_modulation"), 6, 1, name + ".chunk");
        string shiftAttention = m[0], scaleAttention = m[1], gateAttention = m[2];
        string shiftMlp = m[3], scaleMlp = m[4], gateMlp = m[5];

        var normed = Modulation.EmitOnnx(g, OnnxEmit.LayerNormNoAffine(g, x, width, name + ".norm1"), shiftAttention, scaleAttention, name + ".modulate1");
        var attended = _attention.EmitOnnx(g, normed, null, name + ".attn");
        var gated = g.AddNode("Mul", name + ".gate1", [OnnxEmit.Unsqueeze(g, gateAttention, name + ".gate1_3d", 1), attended]);
        var h = g.AddNode("Add", name + ".residual1", [x, gated]);
        if (_crossAttention is not null)
        {
            var (keyValue, keyBias) = text ?? throw new ArgumentException("This DiT block is text-conditioned: pass the text keys and values.", nameof(text));
            var crossNormed = OnnxEmit.LayerNorm(g, h, _normCross!, name + ".norm_cross");
            h = g.AddNode("Add", name + ".residual_cross", [h, _crossAttention.EmitOnnx(g, crossNormed, keyValue, keyBias, name + ".cross_attn")]);
        }

        var mlp = Modulation.EmitOnnx(g, OnnxEmit.LayerNormNoAffine(g, h, width, name + ".norm2"), shiftMlp, scaleMlp, name + ".modulate2");
        mlp = OnnxEmit.GeluTanh(g, OnnxEmit.Linear(g, mlp, _fc1, name + ".fc1"), name + ".gelu");
        mlp = OnnxEmit.Linear(g, mlp, _fc2, name + ".fc2");
        var gatedMlp = g.AddNode("Mul", name + ".gate2", [OnnxEmit.Unsqueeze(g, gateMlp, name + ".gate2_3d", 1), mlp]);
        return g.AddNode("Add", name + ".residual2", [h, gatedMlp]);
    }
}
