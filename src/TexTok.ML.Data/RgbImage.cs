namespace TexTok.ML.Data;

/// <summary>
/// An 8-bit RGB image stored row-major in HWC order: the pixel at (x, y) occupies
/// <c>Pixels[(y * Width + x) * 3 + c]</c> for channel c = 0 (red), 1 (green), 2 (blue).
/// </summary>
public sealed class RgbImage
{
    /// <summary>Wraps an existing pixel buffer without copying it.</summary>
    /// <param name="width">The width in pixels, at least 1.</param>
    /// <param name="height">The height in pixels, at least 1.</param>
    /// <param name="pixels">Exactly <c>width * height * 3</c> bytes in HWC order.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive.</exception>
    /// <exception cref="ArgumentException">The buffer length does not match the dimensions.</exception>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height * 3)
        {
            throw new ArgumentException(
                $"An RGB image of {width}x{height} needs {(long)width * height * 3} bytes, but the buffer holds {pixels.LongLength}.",
                nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Creates a black image of the given size.</summary>
    /// <param name="width">The width in pixels, at least 1.</param>
    /// <param name="height">The height in pixels, at least 1.</param>
    public RgbImage(int width, int height)
        : this(width, height, new byte[checked(Math.Max(width, 0) * Math.Max(height, 0) * 3)])
    {
    }

    /// <summary>The width in pixels.</summary>
    public int Width { get; }

    /// <summary>The height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixel bytes, HWC row-major, three bytes (red, green, blue) per pixel.</summary>
    public byte[] Pixels { get; }

    /// <summary>
    /// This image centred on a black canvas of <paramref name="width"/> × <paramref name="height"/> pixels (for
    /// example Fashion-MNIST's 28 px images on 32 px, so that an 8 × 8 patch grid divides them).
    /// </summary>
    /// <param name="width">Canvas width, at least <see cref="Width"/>.</param>
    /// <param name="height">Canvas height, at least <see cref="Height"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The canvas is smaller than the image.</exception>
    public RgbImage PadTo(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, Width);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, Height);
        var canvas = new RgbImage(width, height);
        int left = (width - Width) / 2, top = (height - Height) / 2, row = Width * 3;
        for (int y = 0; y < Height; y++)
        {
            Pixels.AsSpan(y * row, row).CopyTo(canvas.Pixels.AsSpan((((y + top) * width) + left) * 3));
        }

        return canvas;
    }
    /// <summary>
    /// This image enlarged <paramref name="factor"/> times by repeating each pixel (nearest neighbour), so small images
    /// show their pixels as they are instead of blurred.
    /// </summary>
    /// <param name="factor">Scale, at least 1.</param>
    public RgbImage Enlarge(int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        var large = new RgbImage(Width * factor, Height * factor);
        for (int y = 0; y < large.Height; y++)
        {
            for (int x = 0; x < large.Width; x++)
            {
                Pixels.AsSpan((((y / factor) * Width) + (x / factor)) * 3, 3).CopyTo(large.Pixels.AsSpan(((y * large.Width) + x) * 3));
            }
        }

        return large;
    }
}
