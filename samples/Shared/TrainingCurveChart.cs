using ScottPlot;

namespace TexTok.ML.Samples;

/// <summary>
/// One variant's training: the reconstruction loss (mean squared error of pixels in [−1, 1]) of every step's batch, and
/// the held-out PSNR of its EMA weights at the steps where it was measured (<c>TexTokTrainingProgress.HeldOutPsnr</c>;
/// empty when none was).
/// </summary>
internal sealed record TrainingCurve(string Variant, IReadOnlyList<(long Step, double Loss)> Losses, IReadOnlyList<(long Step, double Psnr)> HeldOut);

/// <summary>
/// The training-curve plot (ScottPlot): for each variant, the batch loss as PSNR (10·log10(2² / MSE), the scale of the
/// held-out PSNR) smoothed over a fiftieth of the run, against the step, and the held-out PSNR as a line of markers in
/// the same colour.
/// </summary>
internal static class TrainingCurveChart
{
    /// <summary>Writes the plot of <paramref name="curves"/> as a PNG of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static void SavePng(string path, IEnumerable<TrainingCurve> curves, string title, int width = 640, int height = 400)
    {
        var all = curves.Where(c => c.Losses.Count > 0).ToList();
        if (all.Count == 0)
        {
            throw new ArgumentException("A training-curve plot needs at least one curve with steps.", nameof(curves));
        }

        var plot = new Plot();
        ChartFonts.Apply(plot);
        foreach (var curve in all)
        {
            var (steps, psnr) = Smoothed(curve.Losses);
            var line = plot.Add.ScatterLine(steps, psnr);
            line.LegendText = $"{curve.Variant}: training batches";
            line.LineWidth = 2;
            if (curve.HeldOut.Count > 0)
            {
                var heldOut = plot.Add.Scatter(curve.HeldOut.Select(p => (double)p.Step).ToArray(), curve.HeldOut.Select(p => p.Psnr).ToArray());
                heldOut.Color = line.Color;
                heldOut.LinePattern = LinePattern.Dashed;
                heldOut.MarkerSize = 8;
                heldOut.LegendText = $"{curve.Variant}: held-out images (EMA weights)";
            }
        }

        plot.Title(title);
        plot.XLabel("training step");
        plot.YLabel("PSNR (dB)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, width, height);
    }

    /// <summary>The losses averaged over windows of a fiftieth of the run, as PSNR, at each window's last step.</summary>
    public static (double[] Steps, double[] Psnr) Smoothed(IReadOnlyList<(long Step, double Loss)> losses)
    {
        int window = Math.Max(1, losses.Count / 50);
        var steps = new List<double>();
        var psnr = new List<double>();
        for (int end = window; end <= losses.Count; end += window)
        {
            double mse = Math.Max(1e-12, losses.Skip(end - window).Take(window).Average(p => p.Loss));
            steps.Add(losses[end - 1].Step);
            psnr.Add(10 * Math.Log10(4 / mse));
        }

        return (steps.ToArray(), psnr.ToArray());
    }
}
