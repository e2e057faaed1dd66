namespace TexTok.ML.Data.Metrics;

/// <summary>
/// Improved precision and recall (Kynkäänniemi et al., 2019): each set's manifold is the union of balls around its
/// feature vectors with radius the distance to the k-th nearest neighbour in the same set. Precision is the fraction
/// of generated samples inside the real manifold (fidelity); recall the fraction of real samples inside the
/// generated manifold (coverage).
/// </summary>
public static class PrecisionRecall
{
    /// <summary>Precision and recall of <paramref name="generated"/> against <paramref name="real"/>, both in [0, 1].</summary>
    /// <param name="real">Reference features (more than <paramref name="k"/> vectors).</param>
    /// <param name="generated">Generated features (more than <paramref name="k"/> vectors).</param>
    /// <param name="k">Neighbourhood size (the paper: 3).</param>
    public static (double Precision, double Recall) Compute(IReadOnlyList<float[]> real, IReadOnlyList<float[]> generated, int k = 3)
    {
        if (k < 1 || real.Count <= k || generated.Count <= k)
        {
            throw new ArgumentException($"Precision/recall with k = {k} needs more than k vectors per set; got {real.Count} real and {generated.Count} generated.", nameof(k));
        }

        int d = real[0].Length;
        if (real.Concat(generated).Any(v => v.Length != d))
        {
            throw new ArgumentException($"Every feature vector must have {d} values (the length of the first real vector).", nameof(generated));
        }

        var realRadii = Radii(real, k);
        var generatedRadii = Radii(generated, k);
        return (Coverage(generated, real, realRadii), Coverage(real, generated, generatedRadii));
    }

    // Squared distance to the k-th nearest other vector of the same set.
    private static double[] Radii(IReadOnlyList<float[]> set, int k)
    {
        var radii = new double[set.Count];
        Parallel.For(0, set.Count, i =>
        {
            var distances = new double[set.Count - 1];
            int n = 0;
            for (int j = 0; j < set.Count; j++)
            {
                if (j != i)
                {
                    distances[n++] = SquaredDistance(set[i], set[j]);
                }
            }

            Array.Sort(distances);
            radii[i] = distances[k - 1];
        });
        return radii;
    }

    // Fraction of queries inside at least one ball of the manifold.
    private static double Coverage(IReadOnlyList<float[]> queries, IReadOnlyList<float[]> manifold, double[] radii)
    {
        int inside = 0;
        Parallel.For(0, queries.Count, i =>
        {
            for (int j = 0; j < manifold.Count; j++)
            {
                if (SquaredDistance(queries[i], manifold[j]) <= radii[j])
                {
                    Interlocked.Increment(ref inside);
                    return;
                }
            }
        });
        return (double)inside / queries.Count;
    }

    private static double SquaredDistance(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double diff = a[i] - b[i];
            sum += diff * diff;
        }

        return sum;
    }
}
