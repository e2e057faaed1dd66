using TexTok.ML.Onnx;

namespace TexTok.ML.Torch.Modules;

/// <summary>ONNX emitter of <see cref="TransformerStack"/>.</summary>
public sealed partial class TransformerStack
{
    /// <summary>Emits the blocks and the final LayerNorm.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="input">Sequence [B, L, D].</param>
    /// <param name="keyBias">Key bias [B, 1, 1, L], or null.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The output [B, L, D].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string input, string? keyBias, string name)
    {
        var h = input;
        int i = 0;
        foreach (var block in _blocks)
        {
            h = block.EmitOnnx(g, h, keyBias, $"{name}.blocks.{i++}");
        }

        return OnnxEmit.LayerNorm(g, h, _norm, name + ".norm");
    }

    /// <summary>Emits <see cref="ForwardSegments"/>: concatenation, the key bias when text is present, and the stack.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="segments">Always-visible segments [B, Li, D].</param>
    /// <param name="fixedLength">Their total length.</param>
    /// <param name="text">Projected text [B, Nt, D], or null.</param>
    /// <param name="textMask">Text mask [B, Nt], or null.</param>
    /// <param name="name">Value-name prefix of the calling network.</param>
    /// <returns>The output [B, L, D].</returns>
    internal string EmitSegmentsOnnx(OnnxGraphBuilder g, IReadOnlyList<string> segments, long fixedLength, string? text, string? textMask, string name)
    {
        var parts = segments.ToList();
        string? keyBias = null;
        if (text is not null)
        {
            parts.Add(text);
            keyBias = EmitKeyBiasOnnx(g, textMask!, fixedLength, name + ".key_bias");
        }

        var sequence = g.AddNode("Concat", name + ".sequence", parts, OnnxAttribute.Int("axis", 1));
        return EmitOnnx(g, sequence, keyBias, name + ".transformer");
    }

    /// <summary>Emits <see cref="KeyBias(TorchSharp.torch.Tensor, long)"/>: (concat(ones[B, fixed], mask) − 1) · 1e9 reshaped to [B, 1, 1, L].</summary>
    /// <param name="g">The graph.</param>
    /// <param name="textMask">Text mask [B, Nt].</param>
    /// <param name="fixedLength">Number of leading always-visible positions.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The key bias [B, 1, 1, fixed + Nt].</returns>
    internal static string EmitKeyBiasOnnx(OnnxGraphBuilder g, string textMask, long fixedLength, string name)
    {
        var batch = g.AddNode("Shape", name + ".batch", [textMask], OnnxAttribute.Int("start", 0), OnnxAttribute.Int("end", 1));
        var shape = g.AddNode("Concat", name + ".visible_shape", [batch, g.AddInt64Vector(name + ".fixed", fixedLength)], OnnxAttribute.Int("axis", 0));
        var visible = g.AddNode("ConstantOfShape", name + ".visible", [shape], OnnxAttribute.FloatTensor("value", 1f));
        var keys = g.AddNode("Concat", name + ".keys", [visible, textMask], OnnxAttribute.Int("axis", 1));
        return EmitKeyBiasOnnx(g, keys, name);
    }

    /// <summary>Emits <see cref="KeyBias(TorchSharp.torch.Tensor)"/>: (validity − 1) · 1e9 reshaped to [B, 1, 1, L].</summary>
    /// <param name="g">The graph.</param>
    /// <param name="validity">Key validity [B, L].</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The key bias [B, 1, 1, L].</returns>
    internal static string EmitKeyBiasOnnx(OnnxGraphBuilder g, string validity, string name)
    {
        var shifted = g.AddNode("Sub", name + ".minus_one", [validity, g.AddScalar(name + ".one", 1f)]);
        var scaled = g.AddNode("Mul", name + ".scaled", [shifted, g.AddScalar(name + ".big", 1e9f)]);
        return OnnxEmit.Reshape(g, scaled, name, 0, 1, 1, -1);
    }
}
