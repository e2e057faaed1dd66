using Microsoft.ML;

namespace TexTok.ML.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) read from the gzip-compressed IDX files that Debian's
/// <c>dataset-fashion-mnist</c> package installs.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where <c>apt-get install dataset-fashion-mnist</c> puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The width and height of every image.</summary>
    public const int ImageSize = 28;

    /// <summary>The number of bytes of one grayscale image.</summary>
    public const int PixelsPerImage = ImageSize * ImageSize;

    private const string PackageName = "dataset-fashion-mnist";

    /// <summary>The ten class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly string[] _captionNouns =
        ["t-shirt", "pair of trousers", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    /// <summary>The caption of a class, for example "a photo of a t-shirt" or "a photo of an ankle boot".</summary>
    /// <param name="label">The class label, 0–9.</param>
    public static string Caption(int label)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, ClassNames.Count);
        string noun = _captionNouns[label];
        string article = "aeiou".Contains(noun[0]) ? "an" : "a";
        return $"a photo of {article} {noun}";
    }

    /// <summary>The paths of the image and label files of a split.</summary>
    /// <param name="split">The split.</param>
    /// <param name="directory">The folder holding the files; null for <see cref="DefaultDirectory"/>.</param>
    public static (string Images, string Labels) FilePaths(DataSplit split, string? directory = null)
    {
        string folder = directory ?? DefaultDirectory;
        string prefix = split == DataSplit.Train ? "train" : "t10k";
        return (Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"));
    }

    /// <summary>Reads and validates a whole split into memory.</summary>
    /// <param name="split">The split to read.</param>
    /// <param name="directory">The folder holding the files; null for <see cref="DefaultDirectory"/>.</param>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it and the package that provides it.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names it.</exception>
    public static FashionMnistSplit Read(DataSplit split, string? directory = null)
    {
        (string imagesPath, string labelsPath) = FilePaths(split, directory);
        RequireFile(imagesPath);
        RequireFile(labelsPath);

        (int[] labelSizes, byte[] labels) = IdxFile.Read(labelsPath, 1);
        (int[] imageSizes, byte[] pixels) = IdxFile.Read(imagesPath, 3);
        if (imageSizes[1] != ImageSize || imageSizes[2] != ImageSize)
        {
            throw IdxFile.Malformed(imagesPath, $"its images are {imageSizes[1]}x{imageSizes[2]}, expected {ImageSize}x{ImageSize}");
        }

        if (imageSizes[0] != labelSizes[0])
        {
            throw IdxFile.Malformed(imagesPath, $"it holds {imageSizes[0]} images but '{labelsPath}' holds {labelSizes[0]} labels");
        }

        int bad = Array.FindIndex(labels, l => l >= ClassNames.Count);
        if (bad >= 0)
        {
            throw IdxFile.Malformed(labelsPath, $"label {bad} is {labels[bad]}, outside 0-{ClassNames.Count - 1}");
        }

        return new FashionMnistSplit(split, pixels, labels);
    }

    /// <summary>
    /// Reads a split (eagerly, so missing or malformed files fail here) and exposes its first
    /// <paramref name="count"/> images as a view with columns <c>Image</c> (28×28
    /// <see cref="Microsoft.ML.Data.MLImage"/>, gray copied to red, green and blue), <c>Caption</c>, <c>Label</c>
    /// (int, 0–9) and <c>ClassName</c>.
    /// </summary>
    /// <param name="context">The ML.NET context.</param>
    /// <param name="split">The split to read.</param>
    /// <param name="count">How many images to expose; null for all of them.</param>
    /// <param name="directory">The folder holding the files; null for <see cref="DefaultDirectory"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or larger than the split.</exception>
    public static IDataView Load(MLContext context, DataSplit split, int? count = null, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must not be negative.");
        }

        FashionMnistSplit data = Read(split, directory);
        if (count > data.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The {split} split has only {data.Count} images.");
        }

        return LabeledImageRow.CreateView(context, Rows(data, count ?? data.Count), ImageSize, ImageSize);
    }

    private static IEnumerable<LabeledImageRow> Rows(FashionMnistSplit data, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int index = i;
            int label = data.GetLabel(index);
            yield return new LabeledImageRow(() => data.GetSample(index).Image, Caption(label), label, ClassNames[label]);
        }
    }

    private static void RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The Fashion-MNIST file '{path}' does not exist. Install it with 'apt-get install {PackageName}', "
                + "or pass the folder that holds the files as the directory argument.",
                path);
        }
    }
}
