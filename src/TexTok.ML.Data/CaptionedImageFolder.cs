using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML.Data;

/// <summary>
/// A user's own images listed in a captions file. The file is read and checked completely when it is opened;
/// images are decoded only when read. Distinct labels are sorted (numerically when every label is an integer,
/// ordinally otherwise) and a line's <c>Label</c> is the index of its label in that order.
/// </summary>
public sealed class CaptionedImageFolder
{
    /// <summary>
    /// The most pixels (width × height) an image may claim: 2^26, e.g. 8192×8192, 256 MiB as RGBA. Larger images are
    /// refused from their header, before any pixel memory is allocated.
    /// </summary>
    public const long MaxImagePixels = 1L << 26;

    private CaptionedImageFolder(string captionsFile, string imageRoot, IReadOnlyList<CaptionedImageEntry> entries, IReadOnlyList<string> labelNames)
    {
        CaptionsFile = captionsFile;
        ImageRoot = imageRoot;
        Entries = entries;
        LabelNames = labelNames;
    }

    /// <summary>The absolute path of the captions file.</summary>
    public string CaptionsFile { get; }

    /// <summary>The absolute folder that relative image paths resolve against.</summary>
    public string ImageRoot { get; }

    /// <summary>The images in file order.</summary>
    public IReadOnlyList<CaptionedImageEntry> Entries { get; }

    /// <summary>The distinct labels in label-index order; empty when no line has a label.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>
    /// Reads and validates a captions file. JSON Lines files (<c>.jsonl</c>, <c>.json</c>) hold one object per
    /// line with string members <c>path</c> and <c>caption</c> and an optional <c>label</c> (string or integer);
    /// tab-separated files (<c>.tsv</c>, <c>.txt</c>) hold <c>path</c>, <c>caption</c> and an optional label per
    /// line, after an optional header line whose first field is <c>path</c>. Blank lines are skipped.
    /// </summary>
    /// <param name="captionsFile">The captions file.</param>
    /// <param name="imageRoot">The folder relative image paths resolve against; null for the captions file's folder.</param>
    /// <exception cref="FileNotFoundException">The captions file or a listed image does not exist; the message names the captions file and line.</exception>
    /// <exception cref="InvalidDataException">A line is malformed (an image path that is not a valid path among them) or the file lists no images; the message names the captions file and line.</exception>
    /// <exception cref="ArgumentException">The captions file's extension names no supported format.</exception>
    public static CaptionedImageFolder Open(string captionsFile, string? imageRoot = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(captionsFile);
        string file = Path.GetFullPath(captionsFile);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"The captions file '{file}' does not exist.", file);
        }

        string root = Path.GetFullPath(imageRoot ?? Path.GetDirectoryName(file)!);
        List<CaptionsFileParser.Line> lines = CaptionsFileParser.Parse(file);
        if (lines.Count == 0)
        {
            throw new InvalidDataException($"The captions file '{file}' lists no images.");
        }

        var paths = new string[lines.Count];
        for (int i = 0; i < lines.Count; i++)
        {
            try
            {
                paths[i] = Path.GetFullPath(Path.Combine(root, lines[i].Path));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                throw new InvalidDataException($"{CaptionsFileParser.Where(file, lines[i].Number)}: the image path is not a valid path ({e.Message}).", e);
            }

            if (!File.Exists(paths[i]))
            {
                throw new FileNotFoundException(
                    $"{CaptionsFileParser.Where(file, lines[i].Number)}: the image '{paths[i]}' does not exist.", paths[i]);
            }
        }

        string[] labelNames = SortLabels(lines.Where(l => l.Label is not null).Select(l => l.Label!).Distinct(StringComparer.Ordinal));
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < labelNames.Length; i++)
        {
            indexOf[labelNames[i]] = i;
        }

        var entries = new CaptionedImageEntry[lines.Count];
        for (int i = 0; i < lines.Count; i++)
        {
            string? label = lines[i].Label;
            entries[i] = new CaptionedImageEntry(paths[i], lines[i].Caption, label is null ? -1 : indexOf[label], label ?? string.Empty, lines[i].Number);
        }

        return new CaptionedImageFolder(file, root, entries, labelNames);
    }

    /// <summary>
    /// Opens a captions file (see <see cref="Open"/>) and returns a view with columns <c>Image</c>
    /// (<see cref="MLImage"/> of varying size, decoded when read), <c>ImagePath</c> (absolute path), <c>Caption</c>,
    /// <c>Label</c> (int index into <see cref="LabelNames"/>, -1 when unlabelled) and <c>LabelName</c>.
    /// </summary>
    /// <param name="context">The ML.NET context.</param>
    /// <param name="captionsFile">The captions file.</param>
    /// <param name="imageRoot">The folder relative image paths resolve against; null for the captions file's folder.</param>
    public static IDataView Load(MLContext context, string captionsFile, string? imageRoot = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Open(captionsFile, imageRoot).ToDataView(context);
    }

    /// <summary>The view described at <see cref="Load"/>, over this folder's entries.</summary>
    /// <param name="context">The ML.NET context.</param>
    public IDataView ToDataView(MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return FolderImageRow.CreateView(context, this);
    }

    /// <summary>Decodes image <paramref name="index"/> to RGB.</summary>
    /// <param name="index">The zero-based entry index.</param>
    /// <exception cref="InvalidDataException">The file cannot be decoded or claims more than <see cref="MaxImagePixels"/> pixels; the message names it and its captions-file line.</exception>
    /// <exception cref="FileNotFoundException">The file was removed after the captions file was read.</exception>
    public RgbImage ReadImage(int index)
    {
        using MLImage image = DecodeImage(index);
        return ImagePixels.FromMLImage(image);
    }

    /// <summary>Decodes image <paramref name="index"/>; the caller owns the result.</summary>
    internal MLImage DecodeImage(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Entries.Count);
        CaptionedImageEntry entry = Entries[index];
        string where = CaptionsFileParser.Where(CaptionsFile, entry.LineNumber);

        // ML.NET reports a missing file and an undecodable one alike, so tell them apart here.
        if (!File.Exists(entry.ImagePath))
        {
            throw new FileNotFoundException($"{where}: the image '{entry.ImagePath}' no longer exists.", entry.ImagePath);
        }

        // The decoder allocates the whole bitmap its header announces before it reads a pixel, so a few bytes claiming
        // 60000x60000 would cost gigabytes: read the header alone first and refuse sizes beyond the bound.
        using (var codec = SkiaSharp.SKCodec.Create(entry.ImagePath))
        {
            if (codec is not null && (long)codec.Info.Width * codec.Info.Height > MaxImagePixels)
            {
                throw new InvalidDataException(
                    $"{where}: the image '{entry.ImagePath}' claims {codec.Info.Width}x{codec.Info.Height} pixels, more than the {MaxImagePixels} this reader decodes.");
            }
        }

        try
        {
            return MLImage.CreateFromFile(entry.ImagePath);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException or NotSupportedException ||
                                  e.GetType() == typeof(Exception))
        {
            throw new InvalidDataException(
                $"{where}: the image '{entry.ImagePath}' cannot be decoded; it is not a readable PNG, JPEG, BMP, GIF or WebP file.", e);
        }
    }

    private static string[] SortLabels(IEnumerable<string> labels)
    {
        string[] names = labels.ToArray();
        bool allIntegers = names.All(n => long.TryParse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _));
        return allIntegers
            ? [.. names.OrderBy(n => long.Parse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ThenBy(n => n, StringComparer.Ordinal)]
            : [.. names.Order(StringComparer.Ordinal)];
    }
}
