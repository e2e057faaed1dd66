using SkiaSharp;

namespace TexTok.ML.Samples.Tests;

[TestClass]
public sealed class RateDistortionChartTests
{
    [TestMethod]
    public void OneSeedAndSeveralSeedsBothDrawAPng()
    {
        using var folder = new TempFolder();
        var oneSeed = new[]
        {
            new RateDistortionPoint("baseline", 32, 19.5), new RateDistortionPoint("baseline", 128, 19.6),
            new RateDistortionPoint("TexTok", 32, 19.4), new RateDistortionPoint("TexTok", 128, 20.0),
        };
        var threeSeeds = Enumerable.Range(0, 3).SelectMany(seed => oneSeed.Select(p => p with { Psnr = p.Psnr + (0.1 * seed) })).ToList();

        RateDistortionChart.SavePng(folder.File("one.png"), oneSeed, "one seed");
        RateDistortionChart.SavePng(folder.File("three.png"), threeSeeds, "three seeds", width: 500, height: 300);

        using var one = SKBitmap.Decode(folder.File("one.png"));
        using var three = SKBitmap.Decode(folder.File("three.png"));
        Assert.AreEqual((640, 400), (one.Width, one.Height));
        Assert.AreEqual((500, 300), (three.Width, three.Height));
        // Lines, markers, labels and legend: well beyond a blank canvas.
        Assert.IsGreaterThan(2000, one.Pixels.Count(p => p != SKColors.White));
    }

    [TestMethod]
    public void NoPointsIsAnError() =>
        Assert.ThrowsExactly<ArgumentException>(() => RateDistortionChart.SavePng(Path.GetTempFileName(), [], "empty"));
}
