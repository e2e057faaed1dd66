using Microsoft.ML.Data;

namespace TexTok.ML.Data;

/// <summary>
/// Conversions between RGB byte images, float CHW tensors in [0, 1] and ML.NET <see cref="MLImage"/> values,
/// plus PNG output and side-by-side grids.
/// </summary>
public static class ImagePixels
{
    /// <summary>Converts HWC RGB bytes to a new CHW float array with values in [0, 1].</summary>
    /// <param name="image">The source image.</param>
    /// <returns>An array of length <c>3 * Height * Width</c>: the red plane, then green, then blue.</returns>
    public static float[] ToChw(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var chw = new float[image.Pixels.Length];
        ToChw(image.Pixels, chw);
        return chw;
    }

    /// <summary>Converts HWC RGB bytes to CHW floats in [0, 1], writing into <paramref name="destination"/>.</summary>
    /// <param name="rgb">HWC RGB bytes, three per pixel.</param>
    /// <param name="destination">The CHW output, the same length as <paramref name="rgb"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or are not a multiple of 3.</exception>
    public static void ToChw(ReadOnlySpan<byte> rgb, Span<float> destination)
    {
        int pixels = CheckPlanes(rgb.Length, destination.Length, nameof(destination));
        for (int p = 0; p < pixels; p++)
        {
            // Division rather than multiplying by 1/255 makes each level the float nearest to k/255.
            destination[p] = rgb[3 * p] / 255f;
            destination[pixels + p] = rgb[(3 * p) + 1] / 255f;
            destination[(2 * pixels) + p] = rgb[(3 * p) + 2] / 255f;
        }
    }

    /// <summary>
    /// Converts a CHW float tensor to an RGB image. Values are clamped to [0, 1] and rounded to the nearest of
    /// the 256 levels; NaN becomes 0.
    /// </summary>
    /// <param name="chw">Three planes (red, green, blue) of <c>height * width</c> values each.</param>
    /// <param name="width">The image width.</param>
    /// <param name="height">The image height.</param>
    /// <exception cref="ArgumentException"><paramref name="chw"/> does not hold <c>3 * height * width</c> values.</exception>
    public static RgbImage FromChw(ReadOnlySpan<float> chw, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var image = new RgbImage(width, height);
        if (chw.Length != image.Pixels.Length)
        {
            throw new ArgumentException(
                $"A 3x{height}x{width} tensor has {image.Pixels.Length} values, but {chw.Length} were given.", nameof(chw));
        }

        FromChw(chw, image.Pixels);
        return image;
    }

    /// <summary>
    /// An image from CHW pixel values in [0, 255], as ML.NET's <c>ExtractPixels</c> and the <c>Detokenize</c> component
    /// write them; otherwise as <see cref="FromChw(ReadOnlySpan{float}, int, int)"/> (clamped, rounded).
    /// </summary>
    /// <param name="chw">Three planes (red, green, blue) of <c>height * width</c> values in [0, 255] each.</param>
    /// <param name="width">The image width.</param>
    /// <param name="height">The image height.</param>
    /// <exception cref="ArgumentException"><paramref name="chw"/> does not hold <c>3 * height * width</c> values.</exception>
    public static RgbImage FromChwPixelValues(ReadOnlySpan<float> chw, int width, int height) => FromChwMapped(chw, width, height, 1f / 255f, 0f);

    /// <summary>
    /// An image from CHW values in [−1, 1], the networks' pixel range (TexTok's and the exported ONNX decoders' images);
    /// otherwise as <see cref="FromChw(ReadOnlySpan{float}, int, int)"/> (clamped, rounded).
    /// </summary>
    /// <param name="chw">Three planes (red, green, blue) of <c>height * width</c> values in [−1, 1] each.</param>
    /// <param name="width">The image width.</param>
    /// <param name="height">The image height.</param>
    /// <exception cref="ArgumentException"><paramref name="chw"/> does not hold <c>3 * height * width</c> values.</exception>
    public static RgbImage FromChwSigned(ReadOnlySpan<float> chw, int width, int height) => FromChwMapped(chw, width, height, 0.5f, 0.5f);

    // FromChw after mapping each value v to v·scale + offset, the [0, 1] range FromChw takes.
    private static RgbImage FromChwMapped(ReadOnlySpan<float> chw, int width, int height, float scale, float offset)
    {
        var mapped = new float[chw.Length];
        for (int i = 0; i < mapped.Length; i++)
        {
            mapped[i] = (chw[i] * scale) + offset;
        }

        return FromChw(mapped, width, height);
    }

    /// <summary>Converts CHW floats to HWC RGB bytes with the same clamping and rounding as <see cref="FromChw(ReadOnlySpan{float}, int, int)"/>.</summary>
    /// <param name="chw">Three planes (red, green, blue) of equal size.</param>
    /// <param name="destination">The HWC RGB output, the same length as <paramref name="chw"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ or are not a multiple of 3.</exception>
    public static void FromChw(ReadOnlySpan<float> chw, Span<byte> destination)
    {
        int pixels = CheckPlanes(chw.Length, destination.Length, nameof(destination));
        for (int p = 0; p < pixels; p++)
        {
            destination[3 * p] = ToByte(chw[p]);
            destination[(3 * p) + 1] = ToByte(chw[pixels + p]);
            destination[(3 * p) + 2] = ToByte(chw[(2 * pixels) + p]);
        }
    }

    /// <summary>Builds an RGB image from 8-bit grayscale by copying each value into all three channels.</summary>
    /// <param name="gray">One byte per pixel, row-major.</param>
    /// <param name="width">The image width.</param>
    /// <param name="height">The image height.</param>
    /// <exception cref="ArgumentException"><paramref name="gray"/> does not hold <c>width * height</c> bytes.</exception>
    public static RgbImage FromGray(ReadOnlySpan<byte> gray, int width, int height)
    {
        var image = new RgbImage(width, height);
        if (gray.Length != width * height)
        {
            throw new ArgumentException(
                $"A {width}x{height} grayscale image has {width * height} bytes, but {gray.Length} were given.", nameof(gray));
        }

        byte[] rgb = image.Pixels;
        for (int p = 0; p < gray.Length; p++)
        {
            rgb[3 * p] = gray[p];
            rgb[(3 * p) + 1] = gray[p];
            rgb[(3 * p) + 2] = gray[p];
        }

        return image;
    }

    /// <summary>
    /// Reads the RGB pixels of an <see cref="MLImage"/> in either of its 32-bit layouts (decoded files arrive as
    /// <see cref="MLPixelFormat.Bgra32"/>, grayscale sources already expanded to three equal channels). Alpha is
    /// dropped; since the image stores premultiplied colour, a translucent pixel reads as if composited over black.
    /// </summary>
    /// <param name="image">The image to read.</param>
    /// <exception cref="NotSupportedException">The image is not 32 bits per pixel in RGBA or BGRA order.</exception>
    public static RgbImage FromMLImage(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        bool bgra = image.PixelFormat switch
        {
            MLPixelFormat.Bgra32 => true,
            MLPixelFormat.Rgba32 => false,
            _ => throw new NotSupportedException($"Cannot read pixels of format {image.PixelFormat}; expected Bgra32 or Rgba32."),
        };
        if (image.BitsPerPixel != 32)
        {
            throw new NotSupportedException($"Expected 32 bits per pixel but the image has {image.BitsPerPixel}.");
        }

        var result = new RgbImage(image.Width, image.Height);
        ReadOnlySpan<byte> source = image.Pixels;
        byte[] rgb = result.Pixels;
        int red = bgra ? 2 : 0;
        int blue = bgra ? 0 : 2;
        int count = image.Width * image.Height;
        for (int p = 0; p < count; p++)
        {
            rgb[3 * p] = source[(4 * p) + red];
            rgb[(3 * p) + 1] = source[(4 * p) + 1];
            rgb[(3 * p) + 2] = source[(4 * p) + blue];
        }

        return result;
    }

    /// <summary>Creates an opaque <see cref="MLPixelFormat.Rgba32"/> <see cref="MLImage"/> holding the image's pixels.</summary>
    /// <param name="image">The source image.</param>
    /// <returns>A new image the caller owns and should dispose.</returns>
    public static MLImage ToMLImage(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int count = image.Width * image.Height;
        byte[] rgba = new byte[count * 4];
        byte[] rgb = image.Pixels;
        for (int p = 0; p < count; p++)
        {
            rgba[4 * p] = rgb[3 * p];
            rgba[(4 * p) + 1] = rgb[(3 * p) + 1];
            rgba[(4 * p) + 2] = rgb[(3 * p) + 2];
            rgba[(4 * p) + 3] = byte.MaxValue;
        }

        return MLImage.CreateFromPixels(image.Width, image.Height, MLPixelFormat.Rgba32, rgba);
    }

    /// <summary>Writes the image as a PNG file, creating the parent folder when it does not exist.</summary>
    /// <param name="image">The image to write.</param>
    /// <param name="path">The output path; it must end in <c>.png</c>, which is how the encoder is chosen.</param>
    /// <exception cref="ArgumentException">The path does not end in <c>.png</c>.</exception>
    public static void SavePng(RgbImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"A PNG path must end in .png: '{path}'.", nameof(path));
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        using MLImage encoded = ToMLImage(image);
        encoded.Save(path);
    }

    /// <summary>Places same-size images side by side from left to right.</summary>
    /// <param name="images">At least one image; all must share one size.</param>
    /// <param name="spacing">Pixels of separation between neighbours.</param>
    /// <param name="spacingValue">The gray level of the separation (255 is white).</param>
    public static RgbImage HorizontalGrid(IReadOnlyList<RgbImage> images, int spacing = 0, byte spacingValue = byte.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Grid(images, Math.Max(images.Count, 1), spacing, spacingValue);
    }

    /// <summary>Stacks same-size images from top to bottom.</summary>
    /// <param name="images">At least one image; all must share one size.</param>
    /// <param name="spacing">Pixels of separation between neighbours.</param>
    /// <param name="spacingValue">The gray level of the separation (255 is white).</param>
    public static RgbImage VerticalGrid(IReadOnlyList<RgbImage> images, int spacing = 0, byte spacingValue = byte.MaxValue)
        => Grid(images, 1, spacing, spacingValue);

    /// <summary>
    /// Arranges same-size images in rows of <paramref name="columns"/>, filling row by row; cells of an incomplete
    /// last row take the spacing colour.
    /// </summary>
    /// <param name="images">At least one image; all must share one size.</param>
    /// <param name="columns">Images per row, at least 1.</param>
    /// <param name="spacing">Pixels of separation between neighbouring cells, at least 0.</param>
    /// <param name="spacingValue">The gray level of the separation (255 is white).</param>
    /// <exception cref="ArgumentException">No images were given or their sizes differ.</exception>
    public static RgbImage Grid(IReadOnlyList<RgbImage> images, int columns, int spacing = 0, byte spacingValue = byte.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(spacing);
        if (images.Count == 0)
        {
            throw new ArgumentException("A grid needs at least one image.", nameof(images));
        }

        int width = images[0].Width;
        int height = images[0].Height;
        for (int i = 1; i < images.Count; i++)
        {
            if (images[i].Width != width || images[i].Height != height)
            {
                throw new ArgumentException(
                    $"Grid images must share one size: image 0 is {width}x{height} but image {i} is {images[i].Width}x{images[i].Height}.",
                    nameof(images));
            }
        }

        columns = Math.Min(columns, images.Count);
        int rows = (images.Count + columns - 1) / columns;
        var grid = new RgbImage((columns * width) + ((columns - 1) * spacing), (rows * height) + ((rows - 1) * spacing));
        Array.Fill(grid.Pixels, spacingValue);
        int rowBytes = width * 3;
        for (int i = 0; i < images.Count; i++)
        {
            int left = (i % columns) * (width + spacing);
            int top = (i / columns) * (height + spacing);
            for (int y = 0; y < height; y++)
            {
                Array.Copy(images[i].Pixels, y * rowBytes, grid.Pixels, (((top + y) * grid.Width) + left) * 3, rowBytes);
            }
        }

        return grid;
    }

    private static int CheckPlanes(int sourceLength, int destinationLength, string destinationName)
    {
        if (sourceLength % 3 != 0)
        {
            throw new ArgumentException($"An RGB buffer length must be a multiple of 3, but it is {sourceLength}.");
        }

        if (destinationLength != sourceLength)
        {
            throw new ArgumentException(
                $"The destination holds {destinationLength} values but the source has {sourceLength}.", destinationName);
        }

        return sourceLength / 3;
    }

    private static byte ToByte(float value)
        => value > 0f ? (value >= 1f ? byte.MaxValue : (byte)((value * 255f) + 0.5f)) : (byte)0;
}
