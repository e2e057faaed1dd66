namespace TexTok.ML.T5.Tests;

/// <summary>
/// A straightforward scalar T5 encoder forward in double precision, written from the T5 definition independently of
/// the TorchSharp module: the golden reference for it.
/// </summary>
internal static class ReferenceT5
{
    /// <summary>last_hidden_state [L, d_model] of one sequence; positions with mask 0 are masked keys.</summary>
    public static double[,] Forward(T5Config c, Dictionary<string, (float[] Values, long[] Shape)> w, long[] ids, int[] mask)
    {
        int l = ids.Length, d = c.DModel, h = c.NumHeads, dkv = c.DKv;
        var x = new double[l, d];
        var emb = w["shared.weight"].Values;
        for (int t = 0; t < l; t++)
        {
            for (int j = 0; j < d; j++)
            {
                x[t, j] = emb[ids[t] * d + j];
            }
        }

        var rel = w["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"].Values;
        var bias = new double[h, l, l];
        for (int head = 0; head < h; head++)
        {
            for (int i = 0; i < l; i++)
            {
                for (int j = 0; j < l; j++)
                {
                    int bucket = BucketByDefinition(j - i, c.RelativeAttentionNumBuckets, c.RelativeAttentionMaxDistance);
                    bias[head, i, j] = rel[bucket * h + head] + (mask[j] == 0 ? -1e9 : 0);
                }
            }
        }

        for (int layer = 0; layer < c.NumLayers; layer++)
        {
            string p = $"encoder.block.{layer}.layer.";
            var n = RmsNorm(x, w[$"{p}0.layer_norm.weight"].Values, c.LayerNormEpsilon);
            var q = Linear(n, w[$"{p}0.SelfAttention.q.weight"].Values, c.InnerDim);
            var k = Linear(n, w[$"{p}0.SelfAttention.k.weight"].Values, c.InnerDim);
            var v = Linear(n, w[$"{p}0.SelfAttention.v.weight"].Values, c.InnerDim);
            var context = new double[l, c.InnerDim];
            for (int head = 0; head < h; head++)
            {
                for (int i = 0; i < l; i++)
                {
                    var scores = new double[l];
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < l; j++)
                    {
                        double s = bias[head, i, j];
                        for (int e = 0; e < dkv; e++)
                        {
                            s += q[i, head * dkv + e] * k[j, head * dkv + e]; // no 1/sqrt(d_kv) in T5
                        }

                        scores[j] = s;
                        max = Math.Max(max, s);
                    }

                    double sum = 0;
                    for (int j = 0; j < l; j++)
                    {
                        scores[j] = Math.Exp(scores[j] - max);
                        sum += scores[j];
                    }

                    for (int j = 0; j < l; j++)
                    {
                        for (int e = 0; e < dkv; e++)
                        {
                            context[i, head * dkv + e] += scores[j] / sum * v[j, head * dkv + e];
                        }
                    }
                }
            }

            Add(x, Linear(context, w[$"{p}0.SelfAttention.o.weight"].Values, d));
            n = RmsNorm(x, w[$"{p}1.layer_norm.weight"].Values, c.LayerNormEpsilon);
            var gate = Linear(n, w[c.IsGated ? $"{p}1.DenseReluDense.wi_0.weight" : $"{p}1.DenseReluDense.wi.weight"].Values, c.DFf);
            var up = c.IsGated ? Linear(n, w[$"{p}1.DenseReluDense.wi_1.weight"].Values, c.DFf) : null;
            for (int i = 0; i < l; i++)
            {
                for (int f = 0; f < c.DFf; f++)
                {
                    double g = gate[i, f];
                    double act = c.Activation == "relu" ? Math.Max(g, 0) : 0.5 * g * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g)));
                    gate[i, f] = up is null ? act : act * up[i, f];
                }
            }

            Add(x, Linear(gate, w[$"{p}1.DenseReluDense.wo.weight"].Values, d));
        }

        return RmsNorm(x, w["encoder.final_layer_norm.weight"].Values, c.LayerNormEpsilon);
    }

    /// <summary>The bucket straight from the T5 definition, in double precision (away from the float32 boundary cases).</summary>
    public static int BucketByDefinition(int relative, int numBuckets, int maxDistance)
    {
        int half = numBuckets / 2, maxExact = half / 2;
        int offset = relative > 0 ? half : 0;
        int n = Math.Abs(relative);
        if (n < maxExact)
        {
            return offset + n;
        }

        int large = maxExact + (int)Math.Floor(Math.Log((double)n / maxExact) / Math.Log((double)maxDistance / maxExact) * (half - maxExact));
        return offset + Math.Min(large, half - 1);
    }

    private static double[,] RmsNorm(double[,] x, float[] weight, double eps)
    {
        int l = x.GetLength(0), d = x.GetLength(1);
        var y = new double[l, d];
        for (int i = 0; i < l; i++)
        {
            double ms = 0;
            for (int j = 0; j < d; j++)
            {
                ms += x[i, j] * x[i, j];
            }

            double scale = 1 / Math.Sqrt(ms / d + eps);
            for (int j = 0; j < d; j++)
            {
                y[i, j] = x[i, j] * scale * weight[j];
            }
        }

        return y;
    }

    /// <summary>x W^T for W stored [out, in] row-major.</summary>
    private static double[,] Linear(double[,] x, float[] weight, int outDim)
    {
        int l = x.GetLength(0), inDim = x.GetLength(1);
        var y = new double[l, outDim];
        for (int i = 0; i < l; i++)
        {
            for (int o = 0; o < outDim; o++)
            {
                double s = 0;
                for (int j = 0; j < inDim; j++)
                {
                    s += x[i, j] * weight[o * inDim + j];
                }

                y[i, o] = s;
            }
        }

        return y;
    }

    private static void Add(double[,] x, double[,] y)
    {
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int j = 0; j < x.GetLength(1); j++)
            {
                x[i, j] += y[i, j];
            }
        }
    }
}
