using ScottPlot;
using SkiaSharp;

namespace TexTok.ML.Samples;

/// <summary>The font the sample charts use.</summary>
internal static class ChartFonts
{
    // ScottPlot falls back to a serif face where its preferred fonts are missing (as on Debian); a sans-serif face the
    // system has reads better in a chart.
    public static void Apply(Plot plot)
    {
        var installed = SKFontManager.Default.FontFamilies.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica" }.FirstOrDefault(installed.Contains) is { } family)
        {
            plot.Font.Set(family);
        }
    }
}
