namespace TexTok.ML.Data.Metrics;

/// <summary>
/// The Inception Score from class probabilities p(y|x) of generated samples: exp(E_x KL(p(y|x) ‖ p(y))), with p(y)
/// the mean prediction. It is 1 when every prediction equals the marginal and K when predictions are one-hot and
/// spread evenly over K classes.
/// </summary>
public static class InceptionScore
{
    /// <summary>The score over <paramref name="splits"/> equal consecutive splits: mean and standard deviation across splits.</summary>
    /// <param name="probabilities">One probability vector per sample (non-negative, summing to 1 within 10⁻³).</param>
    /// <param name="splits">Number of splits (the usual protocol uses 10 over 50k samples).</param>
    /// <exception cref="ArgumentException">A vector is not a probability distribution, the lengths differ, or a split would be empty.</exception>
    public static (double Mean, double StandardDeviation) Compute(IReadOnlyList<float[]> probabilities, int splits = 1)
    {
        if (splits < 1 || probabilities.Count < splits)
        {
            throw new ArgumentException($"Cannot split {probabilities.Count} predictions into {splits} non-empty splits.", nameof(splits));
        }

        int k = probabilities[0].Length;
        for (int i = 0; i < probabilities.Count; i++)
        {
            var p = probabilities[i];
            if (p.Length != k)
            {
                throw new ArgumentException($"Prediction {i} has {p.Length} classes; prediction 0 has {k}.", nameof(probabilities));
            }

            double sum = 0;
            foreach (float v in p)
            {
                if (!(v >= 0) || !float.IsFinite(v))
                {
                    throw new ArgumentException($"Prediction {i} holds {v}; probabilities must be finite and non-negative.", nameof(probabilities));
                }

                sum += v;
            }

            if (Math.Abs(sum - 1) > 1e-3)
            {
                throw new ArgumentException($"Prediction {i} sums to {sum}; pass softmax probabilities, not logits.", nameof(probabilities));
            }
        }

        var scores = new double[splits];
        for (int s = 0; s < splits; s++)
        {
            int begin = s * probabilities.Count / splits, end = (s + 1) * probabilities.Count / splits;
            scores[s] = Score(probabilities, begin, end, k);
        }

        double mean = scores.Average();
        double std = Math.Sqrt(scores.Sum(v => (v - mean) * (v - mean)) / splits);
        return (mean, std);
    }

    private static double Score(IReadOnlyList<float[]> probabilities, int begin, int end, int k)
    {
        var marginal = new double[k];
        for (int i = begin; i < end; i++)
        {
            for (int j = 0; j < k; j++)
            {
                marginal[j] += probabilities[i][j];
            }
        }

        for (int j = 0; j < k; j++)
        {
            marginal[j] /= end - begin;
        }

        double kl = 0;
        for (int i = begin; i < end; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double p = probabilities[i][j];
                if (p > 0)
                {
                    kl += p * (Math.Log(p) - Math.Log(marginal[j]));
                }
            }
        }

        return Math.Exp(kl / (end - begin));
    }
}
