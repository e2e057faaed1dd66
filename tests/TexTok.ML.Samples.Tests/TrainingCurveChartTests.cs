using SkiaSharp;

namespace TexTok.ML.Samples.Tests;

[TestClass]
public sealed class TrainingCurveChartTests
{
    [TestMethod]
    public void TwoVariantsWithHeldOutPointsDrawAPng()
    {
        using var folder = new TempFolder();
        var baseline = Enumerable.Range(1, 500).Select(step => ((long)step, 0.08 / Math.Sqrt(step))).ToList();
        var textok = baseline.Select(p => (p.Item1, p.Item2 * 0.8)).ToList();
        TrainingCurveChart.SavePng(folder.File("curves.png"),
            [new TrainingCurve("baseline", baseline, [(250, 22.0), (500, 24.0)]), new TrainingCurve("TexTok", textok, [])], "curves");

        using var image = SKBitmap.Decode(folder.File("curves.png"));
        Assert.AreEqual((640, 400), (image.Width, image.Height));
        Assert.IsGreaterThan(2000, image.Pixels.Count(p => p != SKColors.White));
    }

    // The loss becomes PSNR on the held-out scale: an MSE of 0.04 on [-1, 1] pixels is 10·log10(4 / 0.04) = 20 dB; the
    // run is averaged in windows of a fiftieth.
    [TestMethod]
    public void SmoothingAveragesWindowsAndConvertsToPsnr()
    {
        var losses = Enumerable.Range(1, 100).Select(step => ((long)step, step % 2 == 0 ? 0.03 : 0.05)).ToList();
        var (steps, psnr) = TrainingCurveChart.Smoothed(losses);
        Assert.HasCount(50, steps);
        Assert.AreEqual(2, steps[0]);
        Assert.AreEqual(100, steps[^1]);
        Assert.IsTrue(psnr.All(p => Math.Abs(p - 20) < 1e-9), string.Join(", ", psnr.Take(3)));
    }

    [TestMethod]
    public void NoStepsIsAnError() =>
        Assert.ThrowsExactly<ArgumentException>(() => TrainingCurveChart.SavePng(Path.GetTempFileName(), [new TrainingCurve("x", [], [])], "empty"));
}
