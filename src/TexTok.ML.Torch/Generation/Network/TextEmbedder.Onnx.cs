using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.Torch.Generation;

/// <summary>ONNX emitter of <see cref="TextEmbedder"/>.</summary>
public sealed partial class TextEmbedder
{
    /// <summary>
    /// Emits the projection, the null-caption replacement where <paramref name="drop"/> is true, the key bias and the
    /// masked-mean pooling, as <see cref="forward"/>.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="text">Text embeddings [B, Nt, Dt].</param>
    /// <param name="mask">Text mask [B, Nt] (1 real, 0 padding).</param>
    /// <param name="drop">Bool [B]: which captions to replace with the null caption, or null for none.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The projected tokens [B, Nt, W], the key bias [B, 1, 1, Nt] and the pooled vector [B, W].</returns>
    internal (string Tokens, string KeyBias, string Pooled) EmitOnnx(OnnxGraphBuilder g, string text, string mask, string? drop, string name)
    {
        var tokens = OnnxEmit.Linear(g, text, _projection, name + ".proj");
        var validity = mask;
        if (drop is not null)
        {
            var nullTokens = g.Shared((this, "null_tokens"), () => OnnxEmit.Initializer(g, name + ".null_tokens", _nullTokens, 1, _nullTokens.shape[0], _nullTokens.shape[1]));
            tokens = g.AddNode("Where", name + ".drop_tokens", [OnnxEmit.Unsqueeze(g, drop, name + ".drop3", 1, 2), nullTokens, tokens]);
            validity = g.AddNode("Where", name + ".drop_mask", [OnnxEmit.Unsqueeze(g, drop, name + ".drop2", 1), OnnxEmit.Constant(g, 1f), validity]);
        }

        var weights = OnnxEmit.Unsqueeze(g, validity, name + ".weights", 2);
        var count = g.AddNode("ReduceSum", name + ".count", [validity, OnnxEmit.Ints(g, 1)], OnnxAttribute.Int("keepdims", 1));
        count = g.AddNode("Clip", name + ".count_clamped", [count, OnnxEmit.Constant(g, 1f, scalar: true), OnnxEmit.Constant(g, 1e30f, scalar: true)]);
        var sum = g.AddNode("ReduceSum", name + ".sum", [g.AddNode("Mul", name + ".masked", [tokens, weights]), OnnxEmit.Ints(g, 1)], OnnxAttribute.Int("keepdims", 0));
        var pooled = OnnxEmit.Linear(g, g.AddNode("Div", name + ".mean", [sum, count]), _pool, name + ".pool");
        var keyBias = TransformerStack.EmitKeyBiasOnnx(g, validity, name + ".key_bias");
        return (tokens, keyBias, pooled);
    }
}
