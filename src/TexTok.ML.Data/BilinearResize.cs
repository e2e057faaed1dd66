namespace TexTok.ML.Data;

/// <summary>
/// Bilinear resampling of CHW float planes with half-pixel centres and edge clamping, the convention of PyTorch's
/// <c>F.interpolate(mode="bilinear", align_corners=False)</c> without antialiasing.
/// </summary>
internal static class BilinearResize
{
    /// <summary>Resizes every plane of <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <param name="source">Channels × height × width values.</param>
    /// <param name="channels">The number of planes.</param>
    /// <param name="height">The source height.</param>
    /// <param name="width">The source width.</param>
    /// <param name="destination">Channels × outHeight × outWidth values.</param>
    /// <param name="outHeight">The target height.</param>
    /// <param name="outWidth">The target width.</param>
    public static void Resize(ReadOnlySpan<float> source, int channels, int height, int width, Span<float> destination, int outHeight, int outWidth)
    {
        if (height == outHeight && width == outWidth)
        {
            source[..(channels * height * width)].CopyTo(destination);
            return;
        }

        var (x0, x1, wx) = Taps(width, outWidth);
        var (y0, y1, wy) = Taps(height, outHeight);
        for (int c = 0; c < channels; c++)
        {
            var plane = source.Slice(c * height * width, height * width);
            var output = destination.Slice(c * outHeight * outWidth, outHeight * outWidth);
            for (int oy = 0; oy < outHeight; oy++)
            {
                var top = plane.Slice(y0[oy] * width, width);
                var bottom = plane.Slice(y1[oy] * width, width);
                double fy = wy[oy];
                for (int ox = 0; ox < outWidth; ox++)
                {
                    double fx = wx[ox];
                    double upper = ((1 - fx) * top[x0[ox]]) + (fx * top[x1[ox]]);
                    double lower = ((1 - fx) * bottom[x0[ox]]) + (fx * bottom[x1[ox]]);
                    output[(oy * outWidth) + ox] = (float)(((1 - fy) * upper) + (fy * lower));
                }
            }
        }
    }

    // Output index o samples the source at (o + 0.5) · in / out − 0.5, clamped to [0, in − 1].
    private static (int[] Low, int[] High, double[] Weight) Taps(int size, int outSize)
    {
        var low = new int[outSize];
        var high = new int[outSize];
        var weight = new double[outSize];
        double scale = (double)size / outSize;
        for (int o = 0; o < outSize; o++)
        {
            double s = Math.Max(((o + 0.5) * scale) - 0.5, 0);
            int i = Math.Min((int)s, size - 1);
            low[o] = i;
            high[o] = Math.Min(i + 1, size - 1);
            weight[o] = s - i;
        }

        return (low, high, weight);
    }
}
