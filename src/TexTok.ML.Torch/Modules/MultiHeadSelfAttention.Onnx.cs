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
        var qkv = OnnxEmit.Linear(g, input, _qkv, name + ".qkv");
        qkv = OnnxEmit.Reshape(g, qkv, name + ".qkv_split", 0, 0, 3, _heads, headDim);
        qkv = OnnxEmit.Transpose(g, qkv, name + ".qkv_heads", 2, 0, 3, 1, 4);
        string Pick(long index, string what) =>
            g.AddNode("Gather", name + "." + what, [qkv, g.AddInt64Initializer(name + "." + what + ".index", [index])], OnnxAttribute.Int("axis", 0));
        var q = Pick(0, "q");
        var k = Pick(1, "k");
        var v = Pick(2, "v");
        var kT = OnnxEmit.Transpose(g, k, name + ".k_t", 0, 1, 3, 2);
        var scores = g.AddNode("MatMul", name + ".scores", [q, kT]);
        scores = g.AddNode("Mul", name + ".scaled", [scores, g.AddScalar(name + ".scale", (float)(1.0 / Math.Sqrt(headDim)))]);
        if (keyBias is not null)
        {
            scores = g.AddNode("Add", name + ".masked", [scores, keyBias]);
        }

        var weights = g.AddNode("Softmax", name + ".softmax", [scores], OnnxAttribute.Int("axis", -1));
        var attended = g.AddNode("MatMul", name + ".attended", [weights, v]);
        var merged = OnnxEmit.Transpose(g, attended, name + ".merge_t", 0, 2, 1, 3);
        merged = OnnxEmit.Reshape(g, merged, name + ".merge", 0, 0, d);
        return OnnxEmit.Linear(g, merged, _proj, name + ".proj");
    }
}
