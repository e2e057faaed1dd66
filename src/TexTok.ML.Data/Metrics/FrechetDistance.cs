using MathNet.Numerics.LinearAlgebra;

namespace TexTok.ML.Data.Metrics;

/// <summary>
/// The Fréchet distance between two Gaussians (FID when the features are Inception pool features):
/// ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2·tr (Σ₁^½ Σ₂ Σ₁^½)^½.
/// </summary>
/// <remarks>
/// The trace term is computed from symmetric eigen-decompositions in float64 (Math.NET Numerics): Σ₁^½
/// from the eigenvalues of Σ₁, then the eigenvalues of the symmetric positive semi-definite Σ₁^½ Σ₂ Σ₁^½, whose
/// square roots sum to the trace. Unlike <c>scipy.linalg.sqrtm</c> of the non-symmetric product Σ₁Σ₂ this route
/// never produces complex parts; eigenvalues that round-off makes slightly negative are treated as 0. Needs no libtorch,
/// so an application that scores with ONNX Runtime alone computes FID too. Cost: two decompositions of D × D; for
/// Inception's D = 2048 about half a minute each on one core, small beside extracting the features of the images.
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

        int d = a.Dimension;
        double meanTerm = 0, traces = 0;
        for (int i = 0; i < d; i++)
        {
            double diff = a.Mean[i] - b.Mean[i];
            meanTerm += diff * diff;
            traces += a.Covariance[i, i] + b.Covariance[i, i];
        }

        var sigma1 = Symmetric(a.Covariance);
        var sigma2 = Symmetric(b.Covariance);
        var roots = sigma1.Evd(Symmetricity.Symmetric);
        var rootValues = Vector<double>.Build.DenseOfEnumerable(roots.EigenValues.Real().Select(v => Math.Sqrt(Math.Max(v, 0))));
        var sqrtSigma1 = roots.EigenVectors * Matrix<double>.Build.DiagonalOfDiagonalVector(rootValues) * roots.EigenVectors.Transpose();
        var product = Symmetrize(sqrtSigma1 * sigma2 * sqrtSigma1);
        double crossTrace = product.Evd(Symmetricity.Symmetric).EigenValues.Real().Sum(v => Math.Sqrt(Math.Max(v, 0)));
        return Math.Max(0, meanTerm + traces - 2 * crossTrace);
    }

    /// <summary>The Fréchet distance between the Gaussians fitted to two feature sets.</summary>
    /// <param name="real">Reference features.</param>
    /// <param name="generated">Generated features.</param>
    public static double Compute(IReadOnlyList<float[]> real, IReadOnlyList<float[]> generated) =>
        Compute(GaussianStatistics.FromFeatures(real), GaussianStatistics.FromFeatures(generated));

    private static Matrix<double> Symmetric(double[,] values) => Symmetrize(Matrix<double>.Build.DenseOfArray(values));

    private static Matrix<double> Symmetrize(Matrix<double> m) => (m + m.Transpose()) / 2.0;
}
