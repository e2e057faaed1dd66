using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.Torch.Generation;

/// <summary>ONNX emitter of <see cref="CrossAttention"/>.</summary>
public sealed partial class CrossAttention
{
    /// <summary>
    /// Emits the key and value heads of <paramref name="context"/> [B, Nt, D], each [B, heads, Nt, D/heads]. They do
    /// not depend on the image tokens, so an unrolled sampler computes them once for all steps.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="context">Projected text tokens.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>Keys and values.</returns>
    internal (string Key, string Value) EmitKeyValueOnnx(OnnxGraphBuilder g, string context, string name)
    {
        long d = _proj.weight!.shape[0];
        var heads = OnnxEmit.SplitHeads(g, OnnxEmit.Linear(g, context, _keyValue, name + ".kv"), 2, _heads, d / _heads, name + ".kv");
        return (heads[0], heads[1]);
    }

    /// <summary>Emits the attention from <paramref name="x"/> [B, L, D] to precomputed keys and values, as <see cref="forward"/>.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="x">Queries' source.</param>
    /// <param name="keyValue">Keys and values from <see cref="EmitKeyValueOnnx"/>.</param>
    /// <param name="keyBias">Key bias [B, 1, 1, Nt].</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The output [B, L, D].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string x, (string Key, string Value) keyValue, string keyBias, string name)
    {
        long d = _proj.weight!.shape[0];
        long headDim = d / _heads;
        var q = OnnxEmit.SplitHeads(g, OnnxEmit.Linear(g, x, _query, name + ".q"), 1, _heads, headDim, name + ".q")[0];
        var merged = OnnxEmit.Attention(g, q, keyValue.Key, keyValue.Value, (float)(1.0 / Math.Sqrt(headDim)), keyBias, d, name);
        return OnnxEmit.Linear(g, merged, _proj, name + ".proj");
    }
}
