using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.Torch.Generation;

/// <summary>ONNX emitter of <see cref="Modulation"/>.</summary>
public static partial class Modulation
{
    /// <summary>Emits x [B, L, D] · (1 + scale [B, D]) + shift [B, D], as <see cref="Modulate"/>.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="x">Normalised tokens.</param>
    /// <param name="shift">Shift per sample.</param>
    /// <param name="scale">Scale per sample.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The modulated tokens.</returns>
    internal static string EmitOnnx(OnnxGraphBuilder g, string x, string shift, string scale, string name)
    {
        var onePlus = g.AddNode("Add", name + ".one_plus_scale", [OnnxEmit.Unsqueeze(g, scale, name + ".scale", 1), OnnxEmit.Constant(g, 1f)]);
        var scaled = g.AddNode("Mul", name + ".scaled", [x, onePlus]);
        return g.AddNode("Add", name, [scaled, OnnxEmit.Unsqueeze(g, shift, name + ".shift", 1)]);
    }
}
