using TexTok.ML.Data;

namespace QuickStart;

/// <summary>
/// A small PSNR-against-token-count chart as an image: log2 N on x, PSNR on y, the baseline in grey and TexTok in
/// blue, with tick labels, axis titles and a legend drawn in a 3×5 pixel font (no plotting library needed).
/// </summary>
internal static class RateDistortionPlot
{
    private const int Width = 360, Height = 240, Left = 40, Right = 16, Top = 16, Bottom = 28;

    // 3×5 glyphs, row by row, for the digits and the letters of the labels.
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        ['0'] = "111101101101111", ['1'] = "010110010010111", ['2'] = "111001111100111", ['3'] = "111001111001111",
        ['4'] = "101101111001001", ['5'] = "111100111001111", ['6'] = "111100111101111", ['7'] = "111001001001001",
        ['8'] = "111101111101111", ['9'] = "111101111001111", ['A'] = "010101111101101", ['B'] = "110101110101110",
        ['C'] = "111100100100111", ['D'] = "110101101101110", ['E'] = "111100111100111", ['G'] = "111100101101111",
        ['I'] = "111010010010111", ['K'] = "101101110101101", ['L'] = "100100100100111", ['N'] = "110101101101101",
        ['O'] = "111101101101111", ['P'] = "110101110100100", ['R'] = "110101110101101", ['S'] = "011100010001110",
        ['T'] = "111010010010010", ['X'] = "101101010101101", ['('] = "010100100100010", [')'] = "010001001001010",
    };

    private static readonly (byte, byte, byte) TexTokColor = (30, 90, 220), BaselineColor = (150, 150, 150);

    public static RgbImage Draw(IReadOnlyDictionary<string, List<(int Tokens, double Psnr)>> curves)
    {
        var image = new RgbImage(Width, Height);
        Array.Fill(image.Pixels, (byte)255);
        var points = curves.Values.SelectMany(c => c).ToList();
        if (points.Count == 0)
        {
            return image;
        }

        double xMin = Math.Log2(points.Min(p => p.Tokens)), xMax = Math.Max(xMin + 1, Math.Log2(points.Max(p => p.Tokens)));
        double yMin = Math.Floor(points.Min(p => p.Psnr)) - 1, yMax = Math.Ceiling(points.Max(p => p.Psnr)) + 1;
        int X(double log2N) => Left + (int)Math.Round((log2N - xMin) / (xMax - xMin) * (Width - Left - Right));
        int Y(double psnr) => Height - Bottom - (int)Math.Round((psnr - yMin) / (yMax - yMin) * (Height - Top - Bottom));

        var axis = ((byte)0, (byte)0, (byte)0);
        Line(image, Left, Height - Bottom, Width - Right, Height - Bottom, axis);
        Line(image, Left, Top, Left, Height - Bottom, axis);
        foreach (int n in points.Select(p => p.Tokens).Distinct())
        {
            int x = X(Math.Log2(n));
            Line(image, x, Height - Bottom, x, Height - Bottom + 4, axis);
            Text(image, n.ToString(System.Globalization.CultureInfo.InvariantCulture), x - 4, Height - Bottom + 8, axis);
        }

        for (int db = (int)yMin; db <= (int)yMax; db++)
        {
            int y = Y(db);
            Line(image, Left - 4, y, Left, y, axis);
            Text(image, db.ToString(System.Globalization.CultureInfo.InvariantCulture), 6, y - 2, axis);
        }

        Text(image, "PSNR (DB)", 4, 4, axis);
        Text(image, "TOKENS N (LOG SCALE)", Width - Right - 80, Height - 8, axis);
        foreach (var (label, color, row) in new[] { ("TEXTOK", TexTokColor, 0), ("BASELINE", BaselineColor, 1) })
        {
            int y = Height - Bottom - 24 + (row * 9);
            Line(image, Width - Right - 60, y, Width - Right - 48, y, color);
            Text(image, label, Width - Right - 44, y - 2, color);
        }

        foreach (var (name, curve) in curves)
        {
            var color = name == "textok" ? TexTokColor : BaselineColor;
            var sorted = curve.OrderBy(p => p.Tokens).ToList();
            for (int i = 0; i < sorted.Count; i++)
            {
                int x = X(Math.Log2(sorted[i].Tokens)), y = Y(sorted[i].Psnr);
                Box(image, x, y, 2, color);
                if (i > 0)
                {
                    Line(image, X(Math.Log2(sorted[i - 1].Tokens)), Y(sorted[i - 1].Psnr), x, y, color);
                }
            }
        }

        return image;
    }

    private static void Set(RgbImage image, int x, int y, (byte R, byte G, byte B) c)
    {
        if (x < 0 || y < 0 || x >= image.Width || y >= image.Height)
        {
            return;
        }

        int i = 3 * ((y * image.Width) + x);
        (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]) = c;
    }

    private static void Line(RgbImage image, int x0, int y0, int x1, int y1, (byte, byte, byte) c)
    {
        int steps = Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0));
        for (int s = 0; s <= steps; s++)
        {
            double t = steps == 0 ? 0 : s / (double)steps;
            Set(image, (int)Math.Round(x0 + ((x1 - x0) * t)), (int)Math.Round(y0 + ((y1 - y0) * t)), c);
        }
    }

    private static void Box(RgbImage image, int x, int y, int r, (byte, byte, byte) c)
    {
        for (int dy = -r; dy <= r; dy++)
        {
            for (int dx = -r; dx <= r; dx++)
            {
                Set(image, x + dx, y + dy, c);
            }
        }
    }

    private static void Text(RgbImage image, string text, int x, int y, (byte, byte, byte) c)
    {
        foreach (char ch in text)
        {
            if (Glyphs.TryGetValue(ch, out string? glyph))
            {
                for (int i = 0; i < 15; i++)
                {
                    if (glyph[i] == '1')
                    {
                        Set(image, x + (i % 3), y + (i / 3), c);
                    }
                }
            }

            x += 4;
        }
    }
}
