using TexTok.ML.Data.Metrics;
namespace TexTok.ML.Data.Tests;

[TestClass]
public sealed class ImageMetricsTests
{
    private const double C1 = 0.01 * 0.01;
    private const double C2 = 0.03 * 0.03;

    [TestMethod]
    public void IdenticalImagesArePerfect()
    {
        float[] x = RandomImage(3, 16, 16, seed: 1);
        Assert.AreEqual(double.PositiveInfinity, ImageMetrics.Psnr(x, x, 3, 16, 16));
        Assert.AreEqual(1.0, ImageMetrics.Ssim(x, x, 3, 16, 16), 1e-12);
    }

    [TestMethod]
    [DataRow(0.1)]
    [DataRow(0.25)]
    [DataRow(0.02)]
    public void ConstantOffsetGivesClosedFormPsnr(double offset)
    {
        var random = new Random(2);
        float[] x = new float[3 * 12 * 10];
        float[] y = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(random.NextDouble() * (1 - offset));
            y[i] = x[i] + (float)offset;
        }

        Assert.AreEqual(10 * Math.Log10(1 / (offset * offset)), ImageMetrics.Psnr(x, y, 3, 12, 10), 1e-4);
        Assert.AreEqual(10 * Math.Log10(1 / (offset * offset)), ImageMetrics.Psnr(y, x, 3, 12, 10), 1e-4);
    }

    [TestMethod]
    public void PsnrUsesTheDataRange()
    {
        float[] x = [0, 10, 20, 30];
        float[] y = [5, 15, 25, 35];
        Assert.AreEqual(10 * Math.Log10(255.0 * 255.0 / 25.0), ImageMetrics.Psnr(x, y, 1, 2, 2, dataRange: 255), 1e-9);
    }

    [TestMethod]
    [DataRow(0.3f, 0.7f)]
    [DataRow(0.0f, 1.0f)]
    [DataRow(0.5f, 0.5f)]
    public void ConstantImagesReduceToTheLuminanceTerm(float a, float b)
    {
        float[] x = Enumerable.Repeat(a, 2 * 14 * 13).ToArray();
        float[] y = Enumerable.Repeat(b, 2 * 14 * 13).ToArray();
        double expected = ((2.0 * a * b) + C1) / ((a * (double)a) + (b * (double)b) + C1);
        Assert.AreEqual(expected, ImageMetrics.Ssim(x, y, 2, 14, 13), 1e-9);

        float[] x255 = x.Select(v => v * 255).ToArray();
        float[] y255 = y.Select(v => v * 255).ToArray();
        double c1 = 2.55 * 2.55;
        double expected255 = ((2.0 * x255[0] * y255[0]) + c1) / ((x255[0] * (double)x255[0]) + (y255[0] * (double)y255[0]) + c1);
        Assert.AreEqual(expected255, ImageMetrics.Ssim(x255, y255, 2, 14, 13, dataRange: 255), 1e-9);
    }

    [TestMethod]
    public void ThreeByThreeWindowMatchesHandComputation()
    {
        // 1-D Gaussian weights for offsets -1, 0, 1 with sigma 1.5, normalised; the 2-D window is their outer product.
        double g = Math.Exp(-1.0 / 4.5);
        double norm = 1 + (2 * g);
        double centre = 1 / (norm * norm);
        double side = g / (norm * norm);

        // A single bright pixel against uniform gray: the gray image has no variance and no covariance.
        float[] spot = [0, 0, 0, 0, 1, 0, 0, 0, 0];
        float[] gray = Enumerable.Repeat(0.5f, 9).ToArray();
        double spotVsGray = ((2 * centre * 0.5) + C1) * C2 / (((centre * centre) + 0.25 + C1) * (centre - (centre * centre) + C2));
        Assert.AreEqual(spotVsGray, ImageMetrics.Ssim(spot, gray, 1, 3, 3, windowSize: 3), 1e-12);

        // A half-bright spot: means wc and wc/2, variances wc - wc^2 and (wc - wc^2)/4, covariance (wc - wc^2)/2.
        float[] halfSpot = [0, 0, 0, 0, 0.5f, 0, 0, 0, 0];
        double v = centre - (centre * centre);
        double spotVsHalf = ((2 * centre * 0.5 * centre) + C1) * ((2 * 0.5 * v) + C2)
            / (((centre * centre) + (0.25 * centre * centre) + C1) * (v + (0.25 * v) + C2));
        Assert.AreEqual(spotVsHalf, ImageMetrics.Ssim(spot, halfSpot, 1, 3, 3, windowSize: 3), 1e-12);

        // Two channels average: the second channel is identical in both images and scores exactly 1.
        float[] twoX = [.. spot, .. gray];
        float[] twoY = [.. halfSpot, .. gray];
        Assert.AreEqual((spotVsHalf + 1) / 2, ImageMetrics.Ssim(twoX, twoY, 2, 3, 3, windowSize: 3), 1e-12);

        // A 3x4 image has two valid window positions; in the second the spot sits at the window's middle-left.
        float[] wideSpot = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        float[] wideGray = Enumerable.Repeat(0.5f, 12).ToArray();
        double shifted = ((2 * side * 0.5) + C1) * C2 / (((side * side) + 0.25 + C1) * (side - (side * side) + C2));
        Assert.AreEqual((spotVsGray + shifted) / 2, ImageMetrics.Ssim(wideSpot, wideGray, 1, 3, 4, windowSize: 3), 1e-12);
    }

    [TestMethod]
    public void MatchesDirectTwoDimensionalReference()
    {
        // Reference values from a direct (non-separable, two-pass variance) evaluation of the same definitions.
        float[] x = new float[2 * 13 * 15];
        float[] y = new float[x.Length];
        for (int c = 0; c < 2; c++)
        {
            for (int i = 0; i < 13; i++)
            {
                for (int j = 0; j < 15; j++)
                {
                    x[(((c * 13) + i) * 15) + j] = ((i * 7) + (j * 3) + (c * 5)) % 17 / 16f;
                    y[(((c * 13) + i) * 15) + j] = ((i * 5) + (j * 11) + (c * 3)) % 13 / 16f;
                }
            }
        }

        Assert.AreEqual(0.018083547576522873, ImageMetrics.Ssim(x, y, 2, 13, 15), 1e-9);
        Assert.AreEqual(-0.018391836829840927, ImageMetrics.Ssim(x, y, 2, 13, 15, windowSize: 5, sigma: 1.0), 1e-9);
        Assert.AreEqual(7.86238610272631, ImageMetrics.Psnr(x, y, 2, 13, 15), 1e-9);
    }

    [TestMethod]
    public void SsimIsSymmetricAndFallsWithNoise()
    {
        float[] x = RandomImage(3, 24, 20, seed: 3);
        float[] light = AddNoise(x, 0.05, seed: 4);
        float[] heavy = AddNoise(x, 0.3, seed: 5);
        double lightScore = ImageMetrics.Ssim(x, light, 3, 24, 20);
        double heavyScore = ImageMetrics.Ssim(x, heavy, 3, 24, 20);
        Assert.AreEqual(lightScore, ImageMetrics.Ssim(light, x, 3, 24, 20), 1e-15);
        Assert.AreEqual(heavyScore, ImageMetrics.Ssim(heavy, x, 3, 24, 20), 1e-15);
        Assert.IsTrue(lightScore is > 0 and < 1, $"light noise SSIM {lightScore}");
        Assert.IsTrue(heavyScore < lightScore, $"heavy {heavyScore} should be below light {lightScore}");
        Assert.IsTrue(ImageMetrics.Psnr(x, heavy, 3, 24, 20) < ImageMetrics.Psnr(x, light, 3, 24, 20));
    }

    [TestMethod]
    public void BatchMeansAverageThePerImageScores()
    {
        float[] a = RandomImage(3, 12, 12, seed: 6);
        float[] b = RandomImage(3, 12, 12, seed: 7);
        float[] noisyA = AddNoise(a, 0.1, seed: 8);
        float[] noisyB = AddNoise(b, 0.2, seed: 9);
        float[] x = [.. a, .. b];
        float[] y = [.. noisyA, .. noisyB];

        double psnr = (ImageMetrics.Psnr(a, noisyA, 3, 12, 12) + ImageMetrics.Psnr(b, noisyB, 3, 12, 12)) / 2;
        double ssim = (ImageMetrics.Ssim(a, noisyA, 3, 12, 12, windowSize: 7) + ImageMetrics.Ssim(b, noisyB, 3, 12, 12, windowSize: 7)) / 2;
        Assert.AreEqual(psnr, ImageMetrics.MeanPsnr(x, y, 2, 3, 12, 12), 1e-12);
        Assert.AreEqual(ssim, ImageMetrics.MeanSsim(x, y, 2, 3, 12, 12, windowSize: 7), 1e-12);
        Assert.AreEqual(double.PositiveInfinity, ImageMetrics.MeanPsnr(x, [.. a, .. noisyB], 2, 3, 12, 12));
    }

    [TestMethod]
    public void InvalidArgumentsAreExplained()
    {
        float[] image = new float[3 * 8 * 8];
        var length = Assert.ThrowsExactly<ArgumentException>(() => ImageMetrics.Psnr(image, new float[10], 3, 8, 8));
        Assert.AreEqual("y", length.ParamName);
        StringAssert.Contains(length.Message, "3x8x8");
        Assert.AreEqual("x", Assert.ThrowsExactly<ArgumentException>(() => ImageMetrics.Ssim(new float[5], image, 3, 8, 8, windowSize: 3)).ParamName);
        Assert.ThrowsExactly<ArgumentException>(() => ImageMetrics.MeanPsnr(image, image, 2, 3, 8, 8));

        var small = Assert.ThrowsExactly<ArgumentException>(() => ImageMetrics.Ssim(image, image, 3, 8, 8));
        Assert.AreEqual("windowSize", small.ParamName);
        StringAssert.Contains(small.Message, "11x11");
        StringAssert.Contains(small.Message, "8x8");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageMetrics.Psnr(image, image, 3, 8, 8, dataRange: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageMetrics.Ssim(image, image, 3, 8, 8, windowSize: 3, sigma: 0));
    }

    private static float[] RandomImage(int channels, int height, int width, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, channels * height * width).Select(_ => random.NextSingle()).ToArray();
    }

    private static float[] AddNoise(float[] image, double amplitude, int seed)
    {
        var random = new Random(seed);
        return image.Select(v => (float)Math.Clamp(v + ((random.NextDouble() - 0.5) * 2 * amplitude), 0, 1)).ToArray();
    }
}
