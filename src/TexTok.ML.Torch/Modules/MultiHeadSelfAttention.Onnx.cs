using TexTok.ML.Onnx;

namespace TexTok.ML.Torch.Modules;

/// <summary>ONNX emitter of <see cref="MultiHeadSelfAttention"/>.</summary>
public sealed partial class MultiHeadSelfAttention
{
    /// <summary>
    /// Emits the layer as in <see cref="forward"/>: fused qkv MatMul, per-head scaled scores, the additive key bias,
    /// Softmax over keys, the value MatMul and the output projection.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="input">Sequence [B, L, D].</param>
    /// <param name="keyBias">Key bias [B, 1, 1, L], or null.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The output [B, L, D].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string input, string? keyBias, string name)
    {
        long d = _proj.weight!.shape[0];
        long headDim = d / _heads;
        var heads = OnnxEmit.SplitHeads(g, OnnxEmit.Linear(g, input, _qkv, name + ".qkv"), 3, _heads, headDim, name + ".qkv");
        var merged = OnnxEmit.Attention(g, heads[0], heads[1], heads[2], (float)(1.0 / Math.Sqrt(headDim)), keyBias, d, name);
        return OnnxEmit.Linear(g, merged, _proj, name + ".proj");
    }
}
