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

    private void CheckIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
    }
}
