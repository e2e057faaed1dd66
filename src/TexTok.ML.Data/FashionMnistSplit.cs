namespace TexTok.ML.Data;

/// <summary>One split of Fashion-MNIST held in memory: 28×28 grayscale images and their labels.</summary>
public sealed class FashionMnistSplit
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;

    internal FashionMnistSplit(DataSplit split, byte[] pixels, byte[] labels)
    {
        Split = split;
        _pixels = pixels;
        _labels = labels;
    }

    /// <summary>Which split this is.</summary>
    public DataSplit Split { get; }

    /// <summary>The number of images: 60000 for the training split and 10000 for the test split of the released data.</summary>
    public int Count => _labels.Length;

    /// <summary>The grayscale pixels of image <paramref name="index"/>, 28 rows of 28 bytes, 0 being black.</summary>
    /// <param name="index">The zero-based image index.</param>
    public ReadOnlySpan<byte> GetGrayPixels(int index)
    {
        CheckIndex(index);
        return _pixels.AsSpan(index * FashionMnist.PixelsPerImage, FashionMnist.PixelsPerImage);
    }

    /// <summary>The class label (0–9) of image <paramref name="index"/>.</summary>
    /// <param name="index">The zero-based image index.</param>
    public int GetLabel(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <summary>Image <paramref name="index"/> as RGB (gray copied to all channels) with its caption and label.</summary>
    /// <param name="index">The zero-based image index.</param>
    public ImageSample GetSample(int index)
    {
        int label = GetLabel(index);
        return new ImageSample(
            ImagePixels.FromGray(GetGrayPixels(index), FashionMnist.ImageSize, FashionMnist.ImageSize),
            FashionMnist.Caption(label),
            label,
            FashionMnist.ClassNames[label]);
    }

    /// <summary>Lazily produces the samples in order.</summary>
    public IEnumerable<ImageSample> Samples()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return GetSample(i);
        }
    }

    /// <summary>
    /// Lazily produces up to <paramref name="count"/> samples from <paramref name="start"/> on (fewer where the split
    /// ends), each image centred on a black <paramref name="canvasSize"/> px square (see <see cref="RgbImage.PadTo"/>),
    /// for example 32 px so that an 8 × 8 patch grid divides it.
    /// </summary>
    /// <param name="start">Index of the first sample, 0 to <see cref="Count"/>.</param>
    /// <param name="count">Most samples to produce, not negative.</param>
    /// <param name="canvasSize">Canvas side in pixels, at least <see cref="FashionMnist.ImageSize"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public IEnumerable<ImageSample> Samples(int start, int count, int canvasSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, Count);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(canvasSize, FashionMnist.ImageSize);
        return Padded(start, Math.Min(count, Count - start), canvasSize);
    }

    private IEnumerable<ImageSample> Padded(int start, int count, int canvasSize)
    {
        for (int i = start; i < start + count; i++)
        {
            var sample = GetSample(i);
            yield return sample with { Image = sample.Image.PadTo(canvasSize, canvasSize) };
        }
    }

    private void CheckIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
    }
}
