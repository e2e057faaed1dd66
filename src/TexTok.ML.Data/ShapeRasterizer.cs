namespace TexTok.ML.Data;

/// <summary>
/// Draws a <see cref="ShapeScene"/> with plain integer and IEEE double arithmetic, which every platform evaluates
/// identically; polygon vertices are literal constants rather than trigonometric calls, whose last bits may
/// differ between math libraries.
/// </summary>
internal static class ShapeRasterizer
{
    // Each pixel is sampled on a 4×4 grid; the covered share blends the shape colour into the pixel.
    private const int SamplesPerAxis = 4;
    private const int SampleCount = SamplesPerAxis * SamplesPerAxis;

    private const double HalfRoot3 = 0.8660254037844386;
    private const double Sin18 = 0.3090169943749474;
    private const double Sin36 = 0.5877852522924731;
    private const double Sin54 = 0.8090169943749475;
    private const double Sin72 = 0.9510565162951535;
    private const double StarInner = 0.382;

    private static readonly double[] _triangle = [0, -HalfRoot3, 1, HalfRoot3, -1, HalfRoot3];
    private static readonly double[] _hexagon = [0, -1, HalfRoot3, -0.5, HalfRoot3, 0.5, 0, 1, -HalfRoot3, 0.5, -HalfRoot3, -0.5];
    private static readonly double[] _star =
    [
        0, -1,
        StarInner * Sin36, -StarInner * Sin54,
        Sin72, -Sin18,
        StarInner * Sin72, StarInner * Sin18,
        Sin36, Sin54,
        0, StarInner,
        -Sin36, Sin54,
        -StarInner * Sin72, StarInner * Sin18,
        -Sin72, -Sin18,
        -StarInner * Sin36, -StarInner * Sin54,
    ];

    /// <summary>Renders the scene as a square image of <paramref name="size"/> pixels.</summary>
    public static RgbImage Render(ShapeScene scene, int size)
    {
        var image = new RgbImage(size, size);
        byte[] pixels = image.Pixels;
        PaletteColor background = scene.Background;
        for (int p = 0; p < pixels.Length; p += 3)
        {
            pixels[p] = background.R;
            pixels[p + 1] = background.G;
            pixels[p + 2] = background.B;
        }

        foreach (SceneShape shape in scene.Shapes)
        {
            DrawShape(image, shape);
        }

        if (scene.Word is not null)
        {
            DrawWord(image, scene.Word, scene.WordColor!, scene.WordPosition);
        }

        return image;
    }

    private static void DrawShape(RgbImage image, SceneShape shape)
    {
        int size = image.Width;
        (double centreX, double centreY, double radius) = shape.Geometry(size);
        int left = Math.Max(0, (int)Math.Floor(centreX - radius) - 1);
        int right = Math.Min(size - 1, (int)Math.Ceiling(centreX + radius) + 1);
        int top = Math.Max(0, (int)Math.Floor(centreY - radius) - 1);
        int bottom = Math.Min(size - 1, (int)Math.Ceiling(centreY + radius) + 1);
        PaletteColor color = shape.Color;
        byte[] pixels = image.Pixels;
        for (int y = top; y <= bottom; y++)
        {
            for (int x = left; x <= right; x++)
            {
                int covered = 0;
                for (int sy = 0; sy < SamplesPerAxis; sy++)
                {
                    double v = (y + ((sy + 0.5) / SamplesPerAxis) - centreY) / radius;
                    for (int sx = 0; sx < SamplesPerAxis; sx++)
                    {
                        double u = (x + ((sx + 0.5) / SamplesPerAxis) - centreX) / radius;
                        if (Contains(shape.Kind, u, v))
                        {
                            covered++;
                        }
                    }
                }

                if (covered > 0)
                {
                    int p = ((y * size) + x) * 3;
                    pixels[p] = Blend(pixels[p], color.R, covered);
                    pixels[p + 1] = Blend(pixels[p + 1], color.G, covered);
                    pixels[p + 2] = Blend(pixels[p + 2], color.B, covered);
                }
            }
        }
    }

    private static void DrawWord(RgbImage image, string word, PaletteColor color, GridPosition position)
    {
        int size = image.Width;
        double cell = size / 3.0;
        int scale = Math.Max(1, size / 80);
        int width = BitmapFont.MeasureWidth(word.Length) * scale;
        int height = BitmapFont.GlyphHeight * scale;

        // Centred on the word's cell, then pushed inside the image so the whole word is always legible.
        int left = Math.Clamp((int)Math.Floor((((int)position % 3) + 0.5) * cell - (width / 2.0) + 0.5), 0, Math.Max(0, size - width));
        int top = Math.Clamp((int)Math.Floor((((int)position / 3) + 0.5) * cell - (height / 2.0) + 0.5), 0, Math.Max(0, size - height));
        byte[] pixels = image.Pixels;
        for (int letter = 0; letter < word.Length; letter++)
        {
            for (int row = 0; row < BitmapFont.GlyphHeight; row++)
            {
                for (int column = 0; column < BitmapFont.GlyphWidth; column++)
                {
                    if (!BitmapFont.IsInked(word[letter], column, row))
                    {
                        continue;
                    }

                    int x0 = left + (((letter * BitmapFont.Advance) + column) * scale);
                    int y0 = top + (row * scale);
                    for (int y = y0; y < Math.Min(y0 + scale, size); y++)
                    {
                        for (int x = x0; x < Math.Min(x0 + scale, size); x++)
                        {
                            int p = ((y * size) + x) * 3;
                            pixels[p] = color.R;
                            pixels[p + 1] = color.G;
                            pixels[p + 2] = color.B;
                        }
                    }
                }
            }
        }
    }

    private static bool Contains(ShapeKind kind, double u, double v) => kind switch
    {
        ShapeKind.Circle => (u * u) + (v * v) <= 1.0,
        ShapeKind.Square => Math.Abs(u) <= 0.85 && Math.Abs(v) <= 0.85,
        ShapeKind.Diamond => Math.Abs(u) + Math.Abs(v) <= 1.0,
        ShapeKind.Triangle => InPolygon(_triangle, u, v),
        ShapeKind.Star => InPolygon(_star, u, v),
        _ => InPolygon(_hexagon, u, v),
    };

    // Even-odd crossing test; the star is not convex, so a half-plane test would not do.
    private static bool InPolygon(double[] vertices, double u, double v)
    {
        bool inside = false;
        int n = vertices.Length / 2;
        for (int i = 0, j = n - 1; i < n; j = i++)
        {
            double ui = vertices[2 * i], vi = vertices[(2 * i) + 1];
            double uj = vertices[2 * j], vj = vertices[(2 * j) + 1];
            if ((vi > v) != (vj > v) && u < ((uj - ui) * (v - vi) / (vj - vi)) + ui)
            {
                inside = !inside;
            }
        }

        return inside;
    }

    private static byte Blend(byte under, byte over, int covered)
        => (byte)(((under * (SampleCount - covered)) + (over * covered) + (SampleCount / 2)) / SampleCount);
}
