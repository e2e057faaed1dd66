using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.T5;

/// <summary>ONNX emitter of <see cref="T5LayerNorm"/>.</summary>
internal sealed partial class T5LayerNorm
{
    /// <summary>x / sqrt(mean(x²) + ε) · weight, as in <see cref="forward"/> (opset 17 has no RMSNorm operator).</summary>
    internal string EmitOnnx(OnnxGraphBuilder g, string x, string name)
    {
        var squared = g.AddNode("Mul", name + ".squared", [x, x]);
        var variance = g.AddNode("ReduceMean", name + ".variance", [squared], OnnxAttribute.Ints("axes", -1), OnnxAttribute.Int("keepdims", 1));
        var shifted = g.AddNode("Add", name + ".plus_eps", [variance, g.AddScalar(name + ".eps", (float)_epsilon)]);
        var rms = g.AddNode("Sqrt", name + ".rms", [shifted]);
        var normed = g.AddNode("Div", name + ".normed", [x, rms]);
        return g.AddNode("Mul", name, [normed, OnnxEmit.Initializer(g, name + ".weight", _weight)]);
    }
}

/// <summary>ONNX emitter of <see cref="T5Attention"/>.</summary>
internal sealed partial class T5Attention
{
    /// <summary>
    /// The learned bias of every relative position −<paramref name="radius"/> … <paramref name="radius"/>, [2·radius + 1, H]:
    /// row r + radius holds the bias of key − query = r for each head.
    /// </summary>
    internal float[] RelativeBiasTable(int radius, int numBuckets, int maxDistance)
    {
        if (_relativeAttentionBias is null)
        {
            throw new InvalidOperationException("Only the first block's attention holds the relative attention bias.");
        }

        var weights = OnnxEmit.Values(_relativeAttentionBias.weight!);
        var table = new float[(2 * radius + 1) * _heads];
        for (int r = -radius; r <= radius; r++)
        {
            int bucket = T5RelativePosition.Bucket(r, numBuckets, maxDistance);
            Array.Copy(weights, bucket * _heads, table, (r + radius) * _heads, _heads);
        }

        return table;
    }

    /// <summary>
    /// Emits the layer as in <see cref="forward"/>: one MatMul for q, k and v (their weights concatenated), unscaled
    /// scores plus <paramref name="bias"/> [B or 1, H, L, L], Softmax over keys, the value MatMul and <c>o</c>.
    /// </summary>
    internal string EmitOnnx(OnnxGraphBuilder g, string x, string bias, string name)
    {
        string qkvWeight;
        using (var scope = NewDisposeScope())
        {
            var fused = torch.cat([_q.weight!.detach(), _k.weight!.detach(), _v.weight!.detach()], 0).t();
            qkvWeight = OnnxEmit.Initializer(g, name + ".qkv.weight_t", fused);
        }

        var heads = OnnxEmit.SplitHeads(g, g.AddNode("MatMul", name + ".qkv", [x, qkvWeight]), 3, _heads, _dKv, name + ".qkv");
        var merged = OnnxEmit.Attention(g, heads[0], heads[1], heads[2], scale: null, bias, (long)_heads * _dKv, name);
        return OnnxEmit.Linear(g, merged, _o, name + ".o");
    }
}

/// <summary>ONNX emitter of the sub-layers.</summary>
internal abstract partial class T5SubLayer
{
    /// <summary>Emits h + sub-layer(layer_norm(h)).</summary>
    internal abstract string EmitOnnx(OnnxGraphBuilder g, string h, string bias, string name);
}

/// <summary>ONNX emitter of <see cref="T5LayerSelfAttention"/>.</summary>
internal sealed partial class T5LayerSelfAttention
{
    /// <inheritdoc/>
    internal override string EmitOnnx(OnnxGraphBuilder g, string h, string bias, string name)
    {
        var normed = _layerNorm.EmitOnnx(g, h, name + ".layer_norm");
        var attended = _selfAttention.EmitOnnx(g, normed, bias, name + ".SelfAttention");
        return g.AddNode("Add", name + ".residual", [h, attended]);
    }
}

/// <summary>ONNX emitter of <see cref="T5DenseFeedForward"/>.</summary>
internal sealed partial class T5DenseFeedForward
{
    /// <summary>Emits wo(act(wi_0 x) · wi_1 x), or wo(act(wi x)), as in <see cref="forward"/>.</summary>
    internal string EmitOnnx(OnnxGraphBuilder g, string x, string name)
    {
        string hidden = _wi is not null
            ? EmitActivation(g, OnnxEmit.Linear(g, x, _wi, name + ".wi"), name + ".act")
            : g.AddNode("Mul", name + ".gated", [EmitActivation(g, OnnxEmit.Linear(g, x, _wi0!, name + ".wi_0"), name + ".act"), OnnxEmit.Linear(g, x, _wi1!, name + ".wi_1")]);
        return OnnxEmit.Linear(g, hidden, _wo, name + ".wo");
    }

    /// <summary>gelu_new with the same operation order as <see cref="Activate"/>, or Relu.</summary>
    private string EmitActivation(OnnxGraphBuilder g, string x, string name)
    {
        if (!_gelu)
        {
            return g.AddNode("Relu", name, [x]);
        }

        var squared = g.AddNode("Mul", name + ".squared", [x, x]);
        var cubed = g.AddNode("Mul", name + ".cubed", [squared, x]);
        var scaledCube = g.AddNode("Mul", name + ".cubic_term", [cubed, g.AddScalar(name + ".cubic_coefficient", 0.044715f)]);
        var sum = g.AddNode("Add", name + ".sum", [x, scaledCube]);
        var inner = g.AddNode("Mul", name + ".inner", [sum, g.AddScalar(name + ".sqrt_2_over_pi", (float)GeluScale)]);
        var tanh = g.AddNode("Tanh", name + ".tanh", [inner]);
        var onePlus = g.AddNode("Add", name + ".one_plus", [tanh, g.AddScalar(name + ".one", 1f)]);
        var timesX = g.AddNode("Mul", name + ".times_x", [onePlus, x]);
        return g.AddNode("Mul", name, [timesX, g.AddScalar(name + ".half", 0.5f)]);
    }
}

/// <summary>ONNX emitter of <see cref="T5LayerFeedForward"/>.</summary>
internal sealed partial class T5LayerFeedForward
{
    /// <inheritdoc/>
    internal override string EmitOnnx(OnnxGraphBuilder g, string h, string bias, string name)
    {
        var normed = _layerNorm.EmitOnnx(g, h, name + ".layer_norm");
        var transformed = _denseReluDense.EmitOnnx(g, normed, name + ".DenseReluDense");
        return g.AddNode("Add", name + ".residual", [h, transformed]);
    }
}

/// <summary>ONNX emitter of <see cref="T5Block"/>.</summary>
internal sealed partial class T5Block
{
    /// <summary>Emits self-attention then feed-forward.</summary>
    internal string EmitOnnx(OnnxGraphBuilder g, string h, string bias, string name)
    {
        var x = _layer[0].EmitOnnx(g, h, bias, name + ".layer.0");
        return _layer[1].EmitOnnx(g, x, bias, name + ".layer.1");
    }
}

/// <summary>ONNX emitter of <see cref="T5Stack"/>.</summary>
internal sealed partial class T5Stack
{
    /// <summary>
    /// Emits the stack for any sequence length L: the position bias is gathered from a table indexed by
    /// clamp(key − query, −R, R) + R with R = relative_attention_max_distance (every distance from R on shares its
    /// direction's last bucket), plus −1e9 on padded keys, then the blocks and the final RMSNorm.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="embedded">Embedded tokens [B, L, D].</param>
    /// <param name="attentionMask">The mask [B, L], any numeric type (1 real, 0 padding).</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns><c>last_hidden_state</c> [B, L, D].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string embedded, string attentionMask, string name)
    {
        int radius = PositionTableRadius(_config);
        var table = g.AddInitializer(
            name + ".relative_position_bias_table",
            _block[0].Attention.RelativeBiasTable(radius, _config.RelativeAttentionNumBuckets, _config.RelativeAttentionMaxDistance),
            2 * radius + 1,
            _config.NumHeads);

        var length = g.AddNode("Shape", name + ".length_1d", [embedded], OnnxAttribute.Int("start", 1), OnnxAttribute.Int("end", 2));
        length = g.AddNode("Squeeze", name + ".length", [length]);
        var positions = g.AddNode("Range", name + ".positions", [g.AddInt64Initializer(name + ".zero", [0L]), length, g.AddInt64Initializer(name + ".one", [1L])]);
        var keys = g.AddNode("Unsqueeze", name + ".keys", [positions, g.AddInt64Vector(name + ".keys.axes", 0)]);
        var queries = g.AddNode("Unsqueeze", name + ".queries", [positions, g.AddInt64Vector(name + ".queries.axes", 1)]);
        var relative = g.AddNode("Sub", name + ".relative", [keys, queries]);
        var clamped = g.AddNode("Clip", name + ".relative_clamped", [relative, g.AddInt64Initializer(name + ".min_relative", [-radius]), g.AddInt64Initializer(name + ".max_relative", [radius])]);
        var rows = g.AddNode("Add", name + ".table_rows", [clamped, g.AddInt64Initializer(name + ".radius", [radius])]);
        var positionBias = g.AddNode("Gather", name + ".position_bias_lLH", [table, rows], OnnxAttribute.Int("axis", 0));
        positionBias = OnnxEmit.Transpose(g, positionBias, name + ".position_bias_HLL", 2, 0, 1);
        positionBias = g.AddNode("Unsqueeze", name + ".position_bias", [positionBias, g.AddInt64Vector(name + ".position_bias.axes", 0)]);

        // Padding keys get −1e9 as in forward: exp underflows to exactly 0, so padded positions never change valid outputs.
        var mask = g.AddNode("Cast", name + ".mask_float", [attentionMask], OnnxAttribute.Int("to", (long)OnnxElementType.Float));
        var maskBias = g.AddNode("Sub", name + ".mask_minus_one", [mask, g.AddScalar(name + ".mask_one", 1f)]);
        maskBias = g.AddNode("Mul", name + ".mask_scaled", [maskBias, g.AddScalar(name + ".mask_scale", 1e9f)]);
        maskBias = g.AddNode("Unsqueeze", name + ".mask_bias", [maskBias, g.AddInt64Vector(name + ".mask_bias.axes", 1, 2)]);
        var bias = g.AddNode("Add", name + ".bias", [positionBias, maskBias]);

        var h = embedded;
        for (int i = 0; i < _block.Count; i++)
        {
            h = _block[i].EmitOnnx(g, h, bias, $"{name}.block.{i}");
        }

        return _finalLayerNorm.EmitOnnx(g, h, name + ".final_layer_norm");
    }

    /// <summary>
    /// The largest |key − query| the position table needs: from relative_attention_max_distance on, every distance
    /// falls in the last bucket of its direction (checked here, so a change to the bucket rule cannot go unnoticed).
    /// </summary>
    internal static int PositionTableRadius(T5Config config)
    {
        int radius = config.RelativeAttentionMaxDistance;
        int n = config.RelativeAttentionNumBuckets;
        foreach (int sign in new[] { -1, 1 })
        {
            int last = T5RelativePosition.Bucket(sign * radius, n, radius);
            int beyond = T5RelativePosition.Bucket(sign * radius * 64, n, radius);
            if (last != beyond || last != (sign > 0 ? n - 1 : n / 2 - 1))
            {
                throw new InvalidOperationException($"Relative position {sign * radius} is not in the last bucket of its direction; the ONNX position table would be wrong.");
            }
        }

        return radius;
    }
}
