using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.Torch.Generation;

/// <summary>ONNX emitter of <see cref="DiTFinalLayer"/>.</summary>
public sealed partial class DiTFinalLayer
{
    /// <summary>Emits the adaLN-modulated norm and the output Linear, as <see cref="forward"/>.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="x">Tokens [B, N, W].</param>
    /// <param name="c">Conditioning vector [B, W] (or [1, W], broadcast).</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The outputs [B, N, channels].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string x, string c, string name)
    {
        long width = _modulation.weight!.shape[1];
        var m = OnnxEmit.Chunk(g, OnnxEmit.Linear(g, OnnxEmit.Silu(g, c, name + ".silu"), _modulation, name + ".adaLN_modulation"), 2, 1, name + ".chunk");
        var normed = OnnxEmit.LayerNormNoAffine(g, x, width, name + ".norm_final");
        return OnnxEmit.Linear(g, Modulation.EmitOnnx(g, normed, m[0], m[1], name + ".modulate"), _linear, name + ".linear");
    }
}
