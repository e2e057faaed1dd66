using TexTok.ML.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Modules;

/// <summary>
/// Helpers the module ONNX emitters share: weights to initializers, linear layers, LayerNorm (affine or not), GELU (exact
/// or tanh), SiLU, attention, shape helpers and shared constants.
/// </summary>
internal static class OnnxEmit
{
    /// <summary>The values of <paramref name="tensor"/> as float32 in row-major order.</summary>
    public static float[] Values(Tensor tensor)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var flat = tensor.detach().to_type(ScalarType.Float32).cpu().contiguous().reshape(-1);
        return flat.data<float>().ToArray();
    }

    /// <summary>Adds <paramref name="tensor"/> as an initializer with its own shape or <paramref name="dims"/>.</summary>
    public static string Initializer(OnnxGraphBuilder g, string name, Tensor tensor, params long[] dims)
    {
        var values = Values(tensor);
        return g.AddInitializer(name, values, dims.Length > 0 ? dims : tensor.shape);
    }

    /// <summary>y = x·Wᵀ + b for a TorchSharp <see cref="Linear"/>, as MatMul (with the transposed weight stored) and Add.</summary>
    public static string Linear(OnnxGraphBuilder g, string input, Linear layer, string name)
    {
        var weight = layer.weight ?? throw new InvalidOperationException($"Linear layer '{name}' has no weight.");
        // Shared per layer: a layer emitted several times (an unrolled sampler) stores its weights once.
        string wT = g.Shared((layer, "weight_t"), () =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = torch.no_grad();
            return Initializer(g, name + ".weight_t", weight.detach().t());
        });

        var y = g.AddNode("MatMul", name + ".matmul", [input, wT]);
        if (layer.bias is { } bias)
        {
            y = g.AddNode("Add", name + ".add_bias", [y, g.Shared((layer, "bias"), () => Initializer(g, name + ".bias", bias))]);
        }

        return y;
    }

    /// <summary>LayerNormalization over the last axis with the layer's affine parameters and epsilon 1e-6.</summary>
    public static string LayerNorm(OnnxGraphBuilder g, string input, LayerNorm layer, string name)
    {
        var weight = layer.weight ?? throw new InvalidOperationException($"LayerNorm '{name}' has no weight.");
        var bias = layer.bias ?? throw new InvalidOperationException($"LayerNorm '{name}' has no bias.");
        var scale = g.Shared((layer, "weight"), () => Initializer(g, name + ".weight", weight));
        var shift = g.Shared((layer, "bias"), () => Initializer(g, name + ".bias", bias));
        return g.AddNode("LayerNormalization", name, [input, scale, shift],
                         OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", 1e-6f));
    }

    /// <summary>Exact GELU, x · ½ · (1 + erf(x / √2)) (opset 17 has no Gelu operator).</summary>
    public static string Gelu(OnnxGraphBuilder g, string input, string name)
    {
        var scaled = g.AddNode("Mul", name + ".scale", [input, g.AddScalar(name + ".inv_sqrt2", (float)(1.0 / Math.Sqrt(2.0)))]);
        var erf = g.AddNode("Erf", name + ".erf", [scaled]);
        var onePlus = g.AddNode("Add", name + ".one_plus", [erf, g.AddScalar(name + ".one", 1f)]);
        var product = g.AddNode("Mul", name + ".times_x", [input, onePlus]);
        return g.AddNode("Mul", name + ".half", [product, g.AddScalar(name + ".half_c", 0.5f)]);
    }

    /// <summary>
    /// Repeats <paramref name="value"/> [1, …] along a new batch dimension taken from dimension 0 of
    /// <paramref name="reference"/>, giving [B, …] (rank <paramref name="rank"/>).
    /// </summary>
    public static string ExpandToBatch(OnnxGraphBuilder g, string value, string reference, int rank, string name)
    {
        var batch = g.AddNode("Shape", name + ".batch", [reference], OnnxAttribute.Int("start", 0), OnnxAttribute.Int("end", 1));
        var ones = g.AddInt64Vector(name + ".ones", Enumerable.Repeat(1L, rank - 1).ToArray());
        var shape = g.AddNode("Concat", name + ".shape", [batch, ones], OnnxAttribute.Int("axis", 0));
        return g.AddNode("Expand", name, [value, shape]);
    }

    /// <summary>Slices <paramref name="input"/> to [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) along <paramref name="axis"/>.</summary>
    public static string Narrow(OnnxGraphBuilder g, string input, long axis, long start, long length, string name) =>
        g.AddNode("Slice", name, [input, g.AddInt64Vector(name + ".starts", start), g.AddInt64Vector(name + ".ends", start + length), g.AddInt64Vector(name + ".axes", axis)]);

    /// <summary>Reshapes <paramref name="input"/>; 0 in <paramref name="shape"/> copies the input's dimension, -1 is inferred.</summary>
    public static string Reshape(OnnxGraphBuilder g, string input, string name, params long[] shape) =>
        g.AddNode("Reshape", name, [input, g.AddInt64Vector(name + ".shape", shape)]);

    /// <summary>Permutes the axes of <paramref name="input"/>.</summary>
    public static string Transpose(OnnxGraphBuilder g, string input, string name, params long[] perm) =>
        g.AddNode("Transpose", name, [input], OnnxAttribute.Ints("perm", perm));

    /// <summary>
    /// Splits a fused projection [B, L, parts · heads · headDim] into <paramref name="parts"/> head tensors, each
    /// [B, heads, L, headDim] (q, k, v in that order for a fused qkv projection).
    /// </summary>
    public static string[] SplitHeads(OnnxGraphBuilder g, string fused, int parts, long heads, long headDim, string name)
    {
        if (parts == 1)
        {
            return [Transpose(g, Reshape(g, fused, name + ".split", 0, 0, heads, headDim), name + ".heads", 0, 2, 1, 3)];
        }

        var split = Transpose(g, Reshape(g, fused, name + ".split", 0, 0, parts, heads, headDim), name + ".heads", 2, 0, 3, 1, 4);
        return Enumerable.Range(0, parts).Select(part =>
            g.AddNode("Gather", $"{name}.part{part}", [split, g.AddInt64Initializer($"{name}.part{part}.index", [part])], OnnxAttribute.Int("axis", 0)))
            .ToArray();
    }

    /// <summary>
    /// Multi-head attention of queries <paramref name="q"/> [B, H, Lq, Dh] over keys <paramref name="k"/> and values
    /// <paramref name="v"/> [B, H, Lk, Dh]: scores q·kᵀ (times <paramref name="scale"/> when given), plus
    /// <paramref name="bias"/> when given (broadcast to [B, H, Lq, Lk]), Softmax over keys, the value MatMul, and the
    /// heads merged back to [B, Lq, <paramref name="width"/>]. The one attention graph of every module that attends.
    /// </summary>
    public static string Attention(OnnxGraphBuilder g, string q, string k, string v, float? scale, string? bias, long width, string name)
    {
        var scores = g.AddNode("MatMul", name + ".scores", [q, Transpose(g, k, name + ".k_t", 0, 1, 3, 2)]);
        if (scale is { } factor)
        {
            scores = g.AddNode("Mul", name + ".scaled", [scores, g.AddScalar(name + ".scale", factor)]);
        }

        if (bias is not null)
        {
            scores = g.AddNode("Add", name + ".biased", [scores, bias]);
        }

        var weights = g.AddNode("Softmax", name + ".softmax", [scores], OnnxAttribute.Int("axis", -1));
        var attended = g.AddNode("MatMul", name + ".attended", [weights, v]);
        return Reshape(g, Transpose(g, attended, name + ".merge_t", 0, 2, 1, 3), name + ".merge", 0, 0, width);
    }

    // Pieces the DiT emitters use: SiLU, tanh-approximate GELU, the non-affine LayerNorm, and constants stored once
    // however often an unrolled sampler evaluates the network.

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
