using TexTok.ML.Onnx;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Graph pieces the DiT emitters share: SiLU, tanh-approximate GELU, the non-affine LayerNorm, and constants that are
/// stored once however often an unrolled sampler evaluates the network.
/// </summary>
internal static class DiTOnnxEmit
{
    /// <summary>A float constant of shape [1] (or a scalar when <paramref name="scalar"/>), stored once per value.</summary>
    public static string Constant(OnnxGraphBuilder g, float value, bool scalar = false) =>
        g.Shared(("dit.constant", value, scalar), () => scalar
            ? g.AddScalar("dit.const", value)
            : g.AddInitializer("dit.const", [value], 1));

    /// <summary>A 1-D int64 constant (axes, shapes), stored once per distinct list.</summary>
    public static string Ints(OnnxGraphBuilder g, params long[] values) =>
        g.Shared("dit.ints:" + string.Join(",", values), () => g.AddInt64Vector("dit.ints", values));

    /// <summary>x·σ(x).</summary>
    public static string Silu(OnnxGraphBuilder g, string input, string name) =>
        g.AddNode("Mul", name, [input, g.AddNode("Sigmoid", name + ".sigmoid", [input])]);

    /// <summary>GELU with the tanh approximation: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    public static string GeluTanh(OnnxGraphBuilder g, string input, string name)
    {
        var cube = g.AddNode("Mul", name + ".cube", [g.AddNode("Mul", name + ".square", [input, input]), input]);
        var inner = g.AddNode("Add", name + ".inner", [input, g.AddNode("Mul", name + ".cubic", [cube, Constant(g, 0.044715f)])]);
        inner = g.AddNode("Mul", name + ".scaled", [inner, Constant(g, (float)Math.Sqrt(2.0 / Math.PI))]);
        var onePlus = g.AddNode("Add", name + ".one_plus", [g.AddNode("Tanh", name + ".tanh", [inner]), Constant(g, 1f)]);
        return g.AddNode("Mul", name, [g.AddNode("Mul", name + ".half_x", [input, Constant(g, 0.5f)]), onePlus]);
    }

    /// <summary>LayerNorm over the last axis without affine parameters (epsilon 1e-6), as DiT's adaLN norms.</summary>
    public static string LayerNormNoAffine(OnnxGraphBuilder g, string input, long width, string name)
    {
        var ones = g.Shared(("dit.layernorm_ones", width), () => g.AddInitializer("dit.layernorm_ones", Enumerable.Repeat(1f, (int)width).ToArray(), width));
        return g.AddNode("LayerNormalization", name, [input, ones], OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", 1e-6f));
    }

    /// <summary>Inserts size-1 axes.</summary>
    public static string Unsqueeze(OnnxGraphBuilder g, string input, string name, params long[] axes) =>
        g.AddNode("Unsqueeze", name, [input, Ints(g, axes)]);

    /// <summary>Splits <paramref name="input"/> into <paramref name="parts"/> equal chunks along <paramref name="axis"/> (torch's chunk).</summary>
    public static IReadOnlyList<string> Chunk(OnnxGraphBuilder g, string input, int parts, long axis, string name) =>
        g.AddNode("Split", name, [input], parts, OnnxAttribute.Int("axis", axis));

    /// <summary>The batch size of <paramref name="reference"/> as a 1-D int64 tensor [1].</summary>
    public static string BatchOf(OnnxGraphBuilder g, string reference, string name) =>
        g.AddNode("Shape", name, [reference], OnnxAttribute.Int("start", 0), OnnxAttribute.Int("end", 1));
}
