namespace TexTok.ML.Data.Metrics;

/// <summary>
/// Reconstruction quality metrics on float images in CHW layout (<c>channels</c> planes of <c>height</c> rows of
/// <c>width</c> values) or batches of them in BCHW layout.
/// </summary>
public static class ImageMetrics
{
    /// <summary>The SSIM luminance stabiliser constant; C1 = (K1 · dataRange)².</summary>
    public const double K1 = 0.01;

    /// <summary>The SSIM contrast stabiliser constant; C2 = (K2 · dataRange)².</summary>
    public const double K2 = 0.03;

    /// <summary>The side of the Gaussian SSIM window used by Wang et al.</summary>
    public const int DefaultWindowSize = 11;

    /// <summary>The standard deviation of the Gaussian SSIM window used by Wang et al.</summary>
    public const double DefaultSigma = 1.5;

    /// <summary>
    /// Peak signal-to-noise ratio in decibels, 10 · log10(dataRange² / MSE) with the mean squared error taken over
    /// all values; +∞ when the images are identical.
    /// </summary>
    /// <param name="x">The first image, CHW.</param>
    /// <param name="y">The second image, CHW.</param>
    /// <param name="channels">The number of channels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="width">The width in pixels.</param>
    /// <param name="dataRange">The distance between the smallest and largest possible value: 1 for [0, 1], 255 for bytes.</param>
    /// <exception cref="ArgumentException">A length does not match the dimensions or a parameter is out of range.</exception>
    public static double Psnr(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int channels, int height, int width, double dataRange = 1.0)
    {
        CheckImages(x, y, 1, channels, height, width);
        CheckDataRange(dataRange);
        return PsnrCore(x, y, dataRange);
    }

    /// <summary>
    /// Structural similarity (Wang, Bovik, Sheikh and Simoncelli, 2004): the local SSIM map is computed with a
    /// normalised Gaussian window over every position where the window fits entirely inside the image (the 'valid'
    /// region), averaged over the map for each channel, and the channel means are averaged.
    /// </summary>
    /// <param name="x">The first image, CHW.</param>
    /// <param name="y">The second image, CHW.</param>
    /// <param name="channels">The number of channels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="width">The width in pixels.</param>
    /// <param name="dataRange">The distance between the smallest and largest possible value: 1 for [0, 1], 255 for bytes.</param>
    /// <param name="windowSize">The side of the square window; the image must be at least this large in both directions.</param>
    /// <param name="sigma">The standard deviation of the Gaussian window in pixels.</param>
    /// <exception cref="ArgumentException">A length does not match the dimensions, a parameter is out of range, or the image is smaller than the window.</exception>
    public static double Ssim(
        ReadOnlySpan<float> x,
        ReadOnlySpan<float> y,
        int channels,
        int height,
        int width,
        double dataRange = 1.0,
        int windowSize = DefaultWindowSize,
        double sigma = DefaultSigma)
    {
        CheckImages(x, y, 1, channels, height, width);
        CheckDataRange(dataRange);
        double[] window = GaussianWindow(windowSize, sigma, height, width);
        return SsimCore(x, y, channels, height, width, dataRange, window);
    }

    /// <summary>The mean of <see cref="Psnr"/> over a batch; +∞ when any pair of images is identical.</summary>
    /// <param name="x">The first batch, BCHW.</param>
    /// <param name="y">The second batch, BCHW.</param>
    /// <param name="batch">The number of images.</param>
    /// <param name="channels">The number of channels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="width">The width in pixels.</param>
    /// <param name="dataRange">The distance between the smallest and largest possible value.</param>
    public static double MeanPsnr(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batch, int channels, int height, int width, double dataRange = 1.0)
    {
        CheckImages(x, y, batch, channels, height, width);
        CheckDataRange(dataRange);
        int size = channels * height * width;
        double sum = 0;
        for (int b = 0; b < batch; b++)
        {
            sum += PsnrCore(x.Slice(b * size, size), y.Slice(b * size, size), dataRange);
        }

        return sum / batch;
    }

    /// <summary>The mean of <see cref="Ssim"/> over a batch.</summary>
    /// <param name="x">The first batch, BCHW.</param>
    /// <param name="y">The second batch, BCHW.</param>
    /// <param name="batch">The number of images.</param>
    /// <param name="channels">The number of channels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="width">The width in pixels.</param>
    /// <param name="dataRange">The distance between the smallest and largest possible value.</param>
    /// <param name="windowSize">The side of the square window.</param>
    /// <param name="sigma">The standard deviation of the Gaussian window in pixels.</param>
    public static double MeanSsim(
        ReadOnlySpan<float> x,
        ReadOnlySpan<float> y,
        int batch,
        int channels,
        int height,
        int width,
        double dataRange = 1.0,
        int windowSize = DefaultWindowSize,
        double sigma = DefaultSigma)
    {
        CheckImages(x, y, batch, channels, height, width);
        CheckDataRange(dataRange);
        double[] window = GaussianWindow(windowSize, sigma, height, width);
        int size = channels * height * width;
        double sum = 0;
        for (int b = 0; b < batch; b++)
        {
            sum += SsimCore(x.Slice(b * size, size), y.Slice(b * size, size), channels, height, width, dataRange, window);
        }

        return sum / batch;
    }

    private static double PsnrCore(ReadOnlySpan<float> x, ReadOnlySpan<float> y, double dataRange)
    {
        double squared = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = (double)x[i] - y[i];
            squared += d * d;
        }

        double mse = squared / x.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(dataRange * dataRange / mse);
    }

    private static double SsimCore(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int channels, int height, int width, double dataRange, double[] window)
    {
        double c1 = K1 * dataRange * (K1 * dataRange);
        double c2 = K2 * dataRange * (K2 * dataRange);
        int w = window.Length;
        int outHeight = height - w + 1;
        int outWidth = width - w + 1;
        int plane = height * width;

        // Horizontal pass results for E[x], E[y], E[x²], E[y²], E[xy]; the vertical pass then finishes each window.
        var rows = new double[5][];
        for (int k = 0; k < 5; k++)
        {
            rows[k] = new double[height * outWidth];
        }

        double total = 0;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> xc = x.Slice(c * plane, plane);
            ReadOnlySpan<float> yc = y.Slice(c * plane, plane);
            for (int r = 0; r < height; r++)
            {
                for (int col = 0; col < outWidth; col++)
                {
                    double mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
                    for (int k = 0; k < w; k++)
                    {
                        double g = window[k];
                        double a = xc[(r * width) + col + k];
                        double b = yc[(r * width) + col + k];
                        mx += g * a;
                        my += g * b;
                        mxx += g * a * a;
                        myy += g * b * b;
                        mxy += g * a * b;
                    }

                    int o = (r * outWidth) + col;
                    rows[0][o] = mx;
                    rows[1][o] = my;
                    rows[2][o] = mxx;
                    rows[3][o] = myy;
                    rows[4][o] = mxy;
                }
            }

            double channelSum = 0;
            for (int r = 0; r < outHeight; r++)
            {
                for (int col = 0; col < outWidth; col++)
                {
                    double mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
                    for (int k = 0; k < w; k++)
                    {
                        double g = window[k];
                        int o = ((r + k) * outWidth) + col;
                        mx += g * rows[0][o];
                        my += g * rows[1][o];
                        mxx += g * rows[2][o];
                        myy += g * rows[3][o];
                        mxy += g * rows[4][o];
                    }

                    double varX = mxx - (mx * mx);
                    double varY = myy - (my * my);
                    double covariance = mxy - (mx * my);
                    channelSum += ((2 * mx * my) + c1) * ((2 * covariance) + c2)
                        / (((mx * mx) + (my * my) + c1) * (varX + varY + c2));
                }
            }

            total += channelSum / (outHeight * outWidth);
        }

        return total / channels;
    }

    private static double[] GaussianWindow(int size, double sigma, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, "windowSize");
        if (!(sigma > 0) || double.IsInfinity(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The window's standard deviation must be positive and finite.");
        }

        if (height < size || width < size)
        {
            throw new ArgumentException(
                $"SSIM with a {size}x{size} window needs images at least {size}x{size}, but they are {height}x{width}; pass a smaller windowSize.",
                "windowSize");
        }

        var window = new double[size];
        double centre = (size - 1) / 2.0;
        double sum = 0;
        for (int i = 0; i < size; i++)
        {
            double d = i - centre;
            window[i] = Math.Exp(-(d * d) / (2 * sigma * sigma));
            sum += window[i];
        }

        for (int i = 0; i < size; i++)
        {
            window[i] /= sum;
        }

        return window;
    }

    private static void CheckImages(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batch, int channels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long expected = (long)batch * channels * height * width;
        string shape = batch == 1 ? $"{channels}x{height}x{width}" : $"{batch}x{channels}x{height}x{width}";
        if (x.Length != expected)
        {
            throw new ArgumentException($"x holds {x.Length} values but a {shape} tensor has {expected}.", nameof(x));
        }

        if (y.Length != expected)
        {
            throw new ArgumentException($"y holds {y.Length} values but a {shape} tensor has {expected}.", nameof(y));
        }
    }

    private static void CheckDataRange(double dataRange)
    {
        if (!(dataRange > 0) || double.IsInfinity(dataRange))
        {
            throw new ArgumentOutOfRangeException(nameof(dataRange), dataRange, "The data range must be positive and finite.");
        }
    }
}
