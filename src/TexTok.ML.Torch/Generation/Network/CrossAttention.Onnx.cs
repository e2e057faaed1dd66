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
        var kv = OnnxEmit.Linear(g, context, _keyValue, name + ".kv");
        kv = OnnxEmit.Reshape(g, kv, name + ".kv_split", 0, 0, 2, _heads, d / _heads);
        kv = OnnxEmit.Transpose(g, kv, name + ".kv_heads", 2, 0, 3, 1, 4);
        var parts = g.AddNode("Split", name + ".kv_parts", [kv], 2, OnnxAttribute.Int("axis", 0));
        return (Squeeze(g, parts[0], name + ".k"), Squeeze(g, parts[1], name + ".v"));
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
        var q = OnnxEmit.Linear(g, x, _query, name + ".q");
        q = OnnxEmit.Transpose(g, OnnxEmit.Reshape(g, q, name + ".q_split", 0, 0, _heads, headDim), name + ".q_heads", 0, 2, 1, 3);
        var kT = OnnxEmit.Transpose(g, keyValue.Key, name + ".k_t", 0, 1, 3, 2);
        var scores = g.AddNode("MatMul", name + ".scores", [q, kT]);
        scores = g.AddNode("Mul", name + ".scaled", [scores, DiTOnnxEmit.Constant(g, (float)(1.0 / Math.Sqrt(headDim)), scalar: true)]);
        scores = g.AddNode("Add", name + ".masked", [scores, keyBias]);
        var weights = g.AddNode("Softmax", name + ".softmax", [scores], OnnxAttribute.Int("axis", -1));
        var attended = g.AddNode("MatMul", name + ".attended", [weights, keyValue.Value]);
        var merged = OnnxEmit.Reshape(g, OnnxEmit.Transpose(g, attended, name + ".merge_t", 0, 2, 1, 3), name + ".merge", 0, 0, d);
        return OnnxEmit.Linear(g, merged, _proj, name + ".proj");
    }

    private static string Squeeze(OnnxGraphBuilder g, string input, string name) =>
        g.AddNode("Squeeze", name, [input, DiTOnnxEmit.Ints(g, 0)]);
}
