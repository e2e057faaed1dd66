using System.Text.Json;
using TexTok.ML.Data;

namespace TexTok.ML.Samples.Tests;

[TestClass]
public sealed class SampleReportTests
{
    [TestMethod]
    public void ThePageEmbedsEachPictureEnlargedAndCaptionedAndLoadsNothingElse()
    {
        using var folder = new TempFolder();
        var grid = new RgbImage(40, 30);
        Array.Fill(grid.Pixels, (byte)200);
        ImagePixels.SavePng(grid, folder.File("grid.png"));
        var plot = new RgbImage(700, 10);
        ImagePixels.SavePng(plot, folder.File("plot.png"));

        string page = SampleReport.Write(folder.Path, "A <title>", "What ran & why.", new { psnr = 21.5 },
            [new("grid.png", "Originals | reconstructions"), new("plot.png", "PSNR <against> tokens")]);

        Assert.AreEqual(folder.File("report.html"), page);
        string html = File.ReadAllText(page);
        StringAssert.Contains(html, "<title>A &lt;title&gt;</title>");
        StringAssert.Contains(html, "<p>What ran &amp; why.</p>");
        StringAssert.Contains(html, $"src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(folder.File("grid.png")))}\"");
        // 40 px wide: enlarged 8 times (the most), with square pixels; 700 px wide: shown as it is.
        StringAssert.Contains(html, "width=\"320\" height=\"240\"");
        StringAssert.Contains(html, "width=\"700\" height=\"10\"");
        StringAssert.Contains(html, "image-rendering: pixelated");
        StringAssert.Contains(html, "<figcaption>PSNR &lt;against&gt; tokens <code>plot.png</code></figcaption>");
        Assert.IsFalse(html.Contains("http:", StringComparison.Ordinal) || html.Contains("https:", StringComparison.Ordinal), "nothing is loaded from elsewhere");
        Assert.IsFalse(html.Contains("<script", StringComparison.Ordinal));
    }

    [TestMethod]
    public void TheFiguresOfReportJsonAppearAsTables()
    {
        using var folder = new TempFolder();
        ImagePixels.SavePng(new RgbImage(8, 8), folder.File("g.png"));
        var figures = new Dictionary<string, object>
        {
            ["tokens"] = 16,
            ["quick"] = true,
            ["textok"] = new { psnr = 21.37, ssim = 0.6981 },
            ["rate_distortion"] = new { steps = 100, points = new[] { new { tokens = 4, variant = "baseline", psnr = 19.49 }, new { tokens = 4, variant = "textok", psnr = 19.47 } } },
            ["captions"] = new[] { "a red circle", "a blue star" },
        };

        string html = File.ReadAllText(SampleReport.Write(folder.Path, "t", "s", figures, [new("g.png", "g")]));

        using var json = JsonDocument.Parse(File.ReadAllText(folder.File("report.json")));
        Assert.AreEqual(21.37, json.RootElement.GetProperty("textok").GetProperty("psnr").GetDouble());
        StringAssert.Contains(html, "<h2>Figures (report.json)</h2>");
        StringAssert.Contains(html, "<tr><th><code>tokens</code></th><td>16</td></tr>");
        StringAssert.Contains(html, "<tr><th><code>quick</code></th><td>true</td></tr>");
        StringAssert.Contains(html, "<tr><th><code>captions</code></th><td>a red circle; a blue star</td></tr>");
        StringAssert.Contains(html, "<h3>textok</h3>");
        StringAssert.Contains(html, "<tr><th><code>ssim</code></th><td>0.6981</td></tr>");
        StringAssert.Contains(html, "<h4>points</h4>");
        StringAssert.Contains(html, "<tr><th><code>tokens</code></th><th><code>variant</code></th><th><code>psnr</code></th></tr>");
        StringAssert.Contains(html, "<tr><td>4</td><td>textok</td><td>19.47</td></tr>");
    }

    [TestMethod]
    public void APictureThatIsNotAPngIsNamed()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("notes.png"), "not an image");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SampleReport.Write(folder.Path, "t", "s", new { }, [new("notes.png", "c")]));
        StringAssert.Contains(e.Message, "'notes.png'");
    }
}
