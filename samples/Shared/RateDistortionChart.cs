using System.Globalization;
using ScottPlot;

namespace TexTok.ML.Samples;

/// <summary>One held-out score of a rate–distortion sweep: a variant, its numbers per image (tokens × token size) and the PSNR one seed gave.</summary>
internal sealed record RateDistortionPoint(string Variant, int NumbersPerImage, double Psnr);

/// <summary>
/// The rate–distortion plot (ScottPlot): held-out PSNR against numbers per image on a log scale, one line per variant in
/// the order first seen; where a variant has several seeds at a budget, the line goes through their mean and an error
/// bar spans ± one standard deviation.
/// </summary>
internal static class RateDistortionChart
{
    /// <summary>Writes the plot of <paramref name="points"/> as a PNG of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static void SavePng(string path, IEnumerable<RateDistortionPoint> points, string title, int width = 640, int height = 400)
    {
        var all = points.ToList();
        if (all.Count == 0)
        {
            throw new ArgumentException("A rate–distortion plot needs at least one point.", nameof(points));
        }

        var plot = new Plot();
        ChartFonts.Apply(plot);

        foreach (var variant in all.GroupBy(p => p.Variant))
        {
            var budgets = variant.GroupBy(p => p.NumbersPerImage).OrderBy(b => b.Key).ToList();
            double[] xs = budgets.Select(b => Math.Log2(b.Key)).ToArray();
            double[] means = budgets.Select(b => b.Average(p => p.Psnr)).ToArray();
            var line = plot.Add.Scatter(xs, means);
            line.LegendText = variant.Key;
            line.LineWidth = 2;
            line.MarkerSize = 8;
            if (budgets.Any(b => b.Count() > 1))
            {
                var bars = plot.Add.ErrorBar(xs, means, budgets.Select(b => StandardDeviation(b.Select(p => p.Psnr).ToList())).ToList());
                bars.Color = line.Color;
                bars.LineWidth = 1.5f;
            }
        }

        var ticks = all.Select(p => p.NumbersPerImage).Distinct().Order().ToList();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            ticks.Select(n => Math.Log2(n)).ToArray(), ticks.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        double margin = ticks.Count > 1 ? 0.3 : 1;
        plot.Axes.SetLimitsX(Math.Log2(ticks[0]) - margin, Math.Log2(ticks[^1]) + margin);
        plot.Title(title);
        plot.XLabel("numbers per image (tokens × token size, log scale)");
        plot.YLabel("held-out PSNR (dB)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, width, height);
    }

    private static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
