using TexTok.ML.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation.Metrics;

/// <summary>
/// The Fréchet distance between two Gaussians (FID when the features are Inception pool features):
/// ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2·tr (Σ₁^½ Σ₂ Σ₁^½)^½.
/// </summary>
/// <remarks>
/// The trace term is computed from symmetric eigen-decompositions in float64 (libtorch's LAPACK <c>eigh</c>): Σ₁^½
/// from the eigenvalues of Σ₁, then the eigenvalues of the symmetric positive semi-definite Σ₁^½ Σ₂ Σ₁^½, whose
/// square roots sum to the trace. Unlike <c>scipy.linalg.sqrtm</c> of the non-symmetric product Σ₁Σ₂ this route
/// never produces complex parts; eigenvalues that round-off makes slightly negative are treated as 0.
/// </remarks>
public static class FrechetDistance
{
    /// <summary>The Fréchet distance between <paramref name="a"/> and <paramref name="b"/> (≥ 0).</summary>
    /// <param name="a">First Gaussian.</param>
    /// <param name="b">Second Gaussian.</param>
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    public static double Compute(GaussianStatistics a, GaussianStatistics b)
    {
        if (a.Dimension != b.Dimension)
        {
            throw new ArgumentException($"The feature dimensions differ: {a.Dimension} and {b.Dimension}.", nameof(b));
        }

        TorchRuntime.EnsureAvailable();
        int d = a.Dimension;
        double meanTerm = 0, traces = 0;
        for (int i = 0; i < d; i++)
        {
            double diff = a.Mean[i] - b.Mean[i];
            meanTerm += diff * diff;
            traces += a.Covariance[i, i] + b.Covariance[i, i];
        }

        using var scope = NewDisposeScope();
        var sigma1 = Matrix(a.Covariance);
        var sigma2 = Matrix(b.Covariance);
        var sqrtSigma1 = SymmetricSquareRoot(sigma1);
        var product = sqrtSigma1.matmul(sigma2).matmul(sqrtSigma1);
        double crossTrace = SymmetricEigenvalues(product).Sum(v => Math.Sqrt(Math.Max(v, 0)));
        return Math.Max(0, meanTerm + traces - 2 * crossTrace);
    }

    /// <summary>The Fréchet distance between the Gaussians fitted to two feature sets.</summary>
    /// <param name="real">Reference features.</param>
    /// <param name="generated">Generated features.</param>
    public static double Compute(IReadOnlyList<float[]> real, IReadOnlyList<float[]> generated) =>
        Compute(GaussianStatistics.FromFeatures(real), GaussianStatistics.FromFeatures(generated));

    private static Tensor Matrix(double[,] values)
    {
        int d = values.GetLength(0);
        var flat = new double[d * d];
        Buffer.BlockCopy(values, 0, flat, 0, flat.Length * sizeof(double));
        return torch.tensor(flat, new long[] { d, d }, dtype: ScalarType.Float64);
    }

    private static Tensor Symmetrize(Tensor m) => m.Plus(m.transpose(0, 1)).DividedBy(2.0);

    private static Tensor SymmetricSquareRoot(Tensor m)
    {
        using var scope = NewDisposeScope();
        var (eigenvalues, eigenvectors) = torch.linalg.eigh(Symmetrize(m));
        var roots = eigenvalues.data<double>().ToArray().Select(v => Math.Sqrt(Math.Max(v, 0))).ToArray();
        var rootTensor = torch.tensor(roots, dtype: ScalarType.Float64);
        return eigenvectors.mul(rootTensor.unsqueeze(0)).matmul(eigenvectors.transpose(0, 1)).MoveToOuterDisposeScope();
    }

    private static double[] SymmetricEigenvalues(Tensor m)
    {
        using var scope = NewDisposeScope();
        var (eigenvalues, _) = torch.linalg.eigh(Symmetrize(m));
        return eigenvalues.data<double>().ToArray();
    }
}
