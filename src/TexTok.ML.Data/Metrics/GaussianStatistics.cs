namespace TexTok.ML.Data.Metrics;

/// <summary>The mean and covariance of a set of feature vectors: the Gaussian that FID compares.</summary>
public sealed class GaussianStatistics
{
    /// <summary>Wraps a mean [D] and a symmetric covariance [D, D].</summary>
    /// <param name="mean">Mean vector.</param>
    /// <param name="covariance">Covariance matrix.</param>
    /// <exception cref="ArgumentException">The shapes do not agree or a value is not finite.</exception>
    public GaussianStatistics(double[] mean, double[,] covariance)
    {
        int d = mean.Length;
        if (d == 0 || covariance.GetLength(0) != d || covariance.GetLength(1) != d)
        {
            throw new ArgumentException($"The covariance must be [{d}, {d}] for a mean of {d} values; got [{covariance.GetLength(0)}, {covariance.GetLength(1)}].", nameof(covariance));
        }

        if (mean.Any(v => !double.IsFinite(v)) || covariance.Cast<double>().Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("The Gaussian statistics hold a NaN or infinite value.", nameof(mean));
        }

        Mean = mean;
        Covariance = covariance;
    }

    /// <summary>Mean vector [D].</summary>
    public double[] Mean { get; }

    /// <summary>Covariance matrix [D, D].</summary>
    public double[,] Covariance { get; }

    /// <summary>Feature dimension D.</summary>
    public int Dimension => Mean.Length;

    /// <summary>Measures the sample mean and the unbiased sample covariance (divided by n − 1) of <paramref name="features"/>.</summary>
    /// <param name="features">At least two feature vectors of equal length.</param>
    public static GaussianStatistics FromFeatures(IReadOnlyList<float[]> features) =>
        FromFeatures(features.Select(f => Array.ConvertAll(f, v => (double)v)).ToArray());

    /// <summary>Measures the sample mean and the unbiased sample covariance (divided by n − 1) of <paramref name="features"/>.</summary>
    /// <param name="features">At least two feature vectors of equal length.</param>
    public static GaussianStatistics FromFeatures(IReadOnlyList<double[]> features)
    {
        int n = features.Count;
        if (n < 2)
        {
            throw new ArgumentException($"Gaussian statistics need at least 2 feature vectors; got {n}.", nameof(features));
        }

        int d = features[0].Length;
        for (int i = 0; i < n; i++)
        {
            if (features[i].Length != d)
            {
                throw new ArgumentException($"Feature vector {i} has {features[i].Length} values; vector 0 has {d}.", nameof(features));
            }
        }

        var mean = new double[d];
        foreach (var f in features)
        {
            for (int j = 0; j < d; j++)
            {
                mean[j] += f[j];
            }
        }

        for (int j = 0; j < d; j++)
        {
            mean[j] /= n;
        }

        var covariance = new double[d, d];
        var centred = new double[d];
        foreach (var f in features)
        {
            for (int j = 0; j < d; j++)
            {
                centred[j] = f[j] - mean[j];
            }

            for (int a = 0; a < d; a++)
            {
                double ca = centred[a];
                for (int b = a; b < d; b++)
                {
                    covariance[a, b] += ca * centred[b];
                }
            }
        }

        for (int a = 0; a < d; a++)
        {
            for (int b = a; b < d; b++)
            {
                covariance[a, b] /= n - 1;
                covariance[b, a] = covariance[a, b];
            }
        }

        return new GaussianStatistics(mean, covariance);
    }
}
