using TexTok.ML.Data.Metrics;

namespace TexTok.ML.Data.Tests;

[TestClass]
public sealed class GenerationMetricsTests
{
    [TestMethod]
    public void FrechetDistanceOfIdenticalStatisticsIsZero()
    {
        var stats = GaussianStatistics.FromFeatures(RandomFeatures(40, 6, seed: 1, shift: 0));
        Assert.AreEqual(0.0, FrechetDistance.Compute(stats, stats), 1e-9);
    }

    [TestMethod]
    public void FrechetDistanceOfDiagonalGaussiansHasTheClosedForm()
    {
        double[] mean1 = { 1, -2, 0.5 }, mean2 = { 0, 1, 0.5 };
        double[] var1 = { 4, 1, 0.25 }, var2 = { 1, 9, 0.25 };
        var a = new GaussianStatistics(mean1, Diagonal(var1));
        var b = new GaussianStatistics(mean2, Diagonal(var2));
        double expected = 0;
        for (int i = 0; i < 3; i++)
        {
            expected += Math.Pow(mean1[i] - mean2[i], 2) + Math.Pow(Math.Sqrt(var1[i]) - Math.Sqrt(var2[i]), 2);
        }

        Assert.AreEqual(expected, FrechetDistance.Compute(a, b), 1e-9);
        Assert.AreEqual(expected, FrechetDistance.Compute(b, a), 1e-9);
    }

    [TestMethod]
    public void ShiftingTheMeanAddsItsSquaredNorm()
    {
        var features = RandomFeatures(50, 5, seed: 2, shift: 0);
        var shifted = features.Select(f => f.Select((v, i) => v + (float)(i - 2) * 0.5f).ToArray()).ToList();
        var a = GaussianStatistics.FromFeatures(features);
        var b = GaussianStatistics.FromFeatures(shifted);
        double expected = Enumerable.Range(0, 5).Sum(i => Math.Pow((i - 2) * 0.5, 2));
        Assert.AreEqual(expected, FrechetDistance.Compute(a, b), 1e-4);
    }

    [TestMethod]
    public void StatisticsAreTheSampleMeanAndUnbiasedCovariance()
    {
        var stats = GaussianStatistics.FromFeatures(new[] { new float[] { 0, 0 }, new float[] { 2, 4 } });
        CollectionAssert.AreEqual(new double[] { 1, 2 }, stats.Mean);
        Assert.AreEqual(2.0, stats.Covariance[0, 0], 1e-12);
        Assert.AreEqual(4.0, stats.Covariance[0, 1], 1e-12);
        Assert.AreEqual(8.0, stats.Covariance[1, 1], 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(stats, GaussianStatistics.FromFeatures(RandomFeatures(5, 3, 1, 0))));
    }

    [TestMethod]
    public void InceptionScoreIsOneForUniformAndKForEvenOneHotPredictions()
    {
        var uniform = Enumerable.Range(0, 20).Select(_ => Enumerable.Repeat(0.25f, 4).ToArray()).ToList();
        Assert.AreEqual(1.0, InceptionScore.Compute(uniform).Mean, 1e-9);
        var oneHot = Enumerable.Range(0, 20).Select(i => Enumerable.Range(0, 4).Select(j => j == i % 4 ? 1f : 0f).ToArray()).ToList();
        var (mean, std) = InceptionScore.Compute(oneHot, splits: 5);
        Assert.AreEqual(4.0, mean, 1e-9);
        Assert.AreEqual(0.0, std, 1e-9);
        var error = Assert.ThrowsExactly<ArgumentException>(() => InceptionScore.Compute(new[] { new float[] { 2f, -1f } }));
        StringAssert.Contains(error.Message, "Prediction 0");
    }

    [TestMethod]
    public void PrecisionAndRecallSeparateFidelityFromCoverage()
    {
        var real = RandomFeatures(60, 3, seed: 3, shift: 0);
        var same = PrecisionRecall.Compute(real, real);
        Assert.AreEqual((1.0, 1.0), same);
        var far = RandomFeatures(60, 3, seed: 4, shift: 100);
        Assert.AreEqual((0.0, 0.0), PrecisionRecall.Compute(real, far));
        // Generated samples that repeat a few real points: all plausible (precision 1), little coverage (low recall).
        var collapsed = Enumerable.Range(0, 60).Select(i => real[i % 5]).ToList();
        var (precision, recall) = PrecisionRecall.Compute(real, collapsed);
        Assert.AreEqual(1.0, precision);
        Assert.IsTrue(recall < 0.5, $"recall {recall} should be low for a collapsed generator");
    }

    private static double[,] Diagonal(double[] values)
    {
        var m = new double[values.Length, values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            m[i, i] = values[i];
        }

        return m;
    }

    private static List<float[]> RandomFeatures(int count, int dim, int seed, double shift)
    {
        var random = new Random(seed);
        // Correlated features, so the covariance is not diagonal.
        return Enumerable.Range(0, count).Select(_ =>
        {
            var z = Enumerable.Range(0, dim).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            return Enumerable.Range(0, dim).Select(i => (float)(z[i] + 0.5 * z[(i + 1) % dim] + shift)).ToArray();
        }).ToList();
    }
}
