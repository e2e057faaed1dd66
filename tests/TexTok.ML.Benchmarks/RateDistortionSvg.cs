using System.Globalization;
using System.Text;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// A rate–distortion plot as a self-contained SVG file: held-out PSNR (mean with ± one standard deviation bars)
/// against the token budget on a log scale, one line per variant. SVG is text, so the figure needs no drawing library
/// and shows in browsers and in rendered Markdown.
/// </summary>
internal static class RateDistortionSvg
{
    private const int Width = 600, Height = 360, Left = 64, Right = 190, Top = 36, Bottom = 52;

    /// <summary>One plotted point: the budget, the mean and the spread.</summary>
    public sealed record Point(double Budget, double Mean, double Std);

    /// <summary>Writes the plot of <paramref name="series"/> (name → points, in the order drawn) to <paramref name="path"/>.</summary>
    public static void Write(string path, string title, string budgetLabel, IReadOnlyList<(string Name, string Colour, IReadOnlyList<Point> Points)> series)
    {
        var all = series.SelectMany(s => s.Points).ToList();
        double xMin = Math.Log2(all.Min(p => p.Budget)), xMax = Math.Log2(all.Max(p => p.Budget));
        double yMin = Math.Floor(all.Min(p => p.Mean - p.Std) * 2) / 2, yMax = Math.Ceiling(all.Max(p => p.Mean + p.Std) * 2) / 2;
        if (xMax - xMin < 1e-9)
        {
            xMin -= 1;
            xMax += 1;
        }

        if (yMax - yMin < 0.5)
        {
            yMax = yMin + 0.5;
        }

        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double X(double budget) => Left + ((Math.Log2(budget) - xMin) / (xMax - xMin) * plotWidth);
        double Y(double psnr) => Top + ((yMax - psnr) / (yMax - yMin) * plotHeight);
        static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.AppendLine($"<text x=\"{Left}\" y=\"20\" font-size=\"14\">{Escape(title)}</text>");
        for (double y = yMin; y <= yMax + 1e-9; y += 0.5)
        {
            svg.AppendLine($"<line x1=\"{Left}\" x2=\"{F(Left + plotWidth)}\" y1=\"{F(Y(y))}\" y2=\"{F(Y(y))}\" stroke=\"#e4e4e4\"/>");
            svg.AppendLine($"<text x=\"{Left - 8}\" y=\"{F(Y(y) + 4)}\" text-anchor=\"end\">{y.ToString("0.0", CultureInfo.InvariantCulture)}</text>");
        }

        foreach (double budget in all.Select(p => p.Budget).Distinct().Order())
        {
            svg.AppendLine($"<text x=\"{F(X(budget))}\" y=\"{F(Top + plotHeight + 18)}\" text-anchor=\"middle\">{F(budget)}</text>");
        }

        svg.AppendLine($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{F(plotWidth)}\" height=\"{F(plotHeight)}\" fill=\"none\" stroke=\"#444\"/>");
        svg.AppendLine($"<text x=\"{F(Left + (plotWidth / 2))}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Escape(budgetLabel)}</text>");
        svg.AppendLine($"<text transform=\"translate(18 {F(Top + (plotHeight / 2))}) rotate(-90)\" text-anchor=\"middle\">held-out PSNR (dB)</text>");
        int legendRow = 0;
        foreach (var (name, colour, points) in series)
        {
            var ordered = points.OrderBy(p => p.Budget).ToList();
            svg.AppendLine($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', ordered.Select(p => $"{F(X(p.Budget))},{F(Y(p.Mean))}"))}\"/>");
            foreach (var p in ordered)
            {
                double x = X(p.Budget);
                svg.AppendLine($"<line x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{F(Y(p.Mean - p.Std))}\" y2=\"{F(Y(p.Mean + p.Std))}\" stroke=\"{colour}\" stroke-width=\"1.5\"/>");
                foreach (double end in new[] { p.Mean - p.Std, p.Mean + p.Std })
                {
                    svg.AppendLine($"<line x1=\"{F(x - 5)}\" x2=\"{F(x + 5)}\" y1=\"{F(Y(end))}\" y2=\"{F(Y(end))}\" stroke=\"{colour}\" stroke-width=\"1.5\"/>");
                }

                svg.AppendLine($"<circle cx=\"{F(x)}\" cy=\"{F(Y(p.Mean))}\" r=\"3.5\" fill=\"{colour}\"/>");
            }

            double legendY = Top + 14 + (legendRow++ * 20);
            svg.AppendLine($"<line x1=\"{F(Left + plotWidth + 14)}\" x2=\"{F(Left + plotWidth + 38)}\" y1=\"{F(legendY)}\" y2=\"{F(legendY)}\" stroke=\"{colour}\" stroke-width=\"2\"/>");
            svg.AppendLine($"<text x=\"{F(Left + plotWidth + 44)}\" y=\"{F(legendY + 4)}\">{Escape(name)}</text>");
        }

        svg.AppendLine("</svg>");
        File.WriteAllText(path, svg.ToString());
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
