using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

namespace TexTok.ML;

/// <summary>
/// Training samples read once from an IDataView through a cursor and kept in a temporary file (deleted on dispose):
/// training visits rows in a seeded random order for many epochs, which a cursor cannot serve without re-reading
/// and re-decoding the input every time, while memory stays bounded by one sample.
/// </summary>
internal sealed class DataViewSampleCache : ITexTokSampleSource, IDisposable
{
    private const string Pixels = TexTokColumns.Prefix + "train_pixels";
    private const string Resized = TexTokColumns.Prefix + "train_resized";

    private readonly FileStream _file;
    private readonly int _imageLength;
    private readonly int _textLength;
    private readonly int _maskLength;

    private DataViewSampleCache(FileStream file, int count, int imageLength, int textLength, int maskLength, SkippedRows skipped)
    {
        _file = file;
        Count = count;
        Skipped = skipped;
        _imageLength = imageLength;
        _textLength = textLength;
        _maskLength = maskLength;
    }

    public int Count { get; }

    /// <summary>Rows left out because their image could not be read (with <see cref="TexTokenizeOptions.SkipInvalidImages"/>).</summary>
    public SkippedRows Skipped { get; }

    private long RowBytes => sizeof(float) * ((long)_imageLength + _textLength + _maskLength);

    public static DataViewSampleCache Create(TransformsCatalog t, IDataView input, TexTokConfig config, TexTokenizeOptions options, string component,
                                             CancellationToken cancellationToken, string role = "training")
    {
        int size = config.ImageSize;
        var prepared = TexTokColumns.ModelPixels(t, Pixels, Resized, options.ImageColumnName, size, options.Resizing).Fit(input).Transform(input);
        int imageLength = 3 * size * size;
        int textLength = config.UseText ? config.TextTokens * config.TextDim : 0;
        int maskLength = config.UseText ? config.TextTokens : 0;
        string directory = options.CacheDirectory ?? Path.GetTempPath();
        Directory.CreateDirectory(directory);
        var file = new FileStream(Path.Combine(directory, $"textok-samples-{Guid.NewGuid():N}.bin"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        try
        {
            var (count, skipped) = Fill(file, prepared, options, config, component, imageLength, textLength, maskLength, cancellationToken);
            if (count == 0)
            {
                throw new ArgumentException(
                    skipped.Count == 0 ? $"{component}: the {role} data has no rows." : $"{component}: no {role} row has a readable image ({skipped}).",
                    nameof(input));
            }

            return new DataViewSampleCache(file, count, imageLength, textLength, maskLength, skipped);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Read(int index, Span<float> image, Span<float> text, Span<float> mask)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        long offset = index * RowBytes;
        ReadExactly(image[.._imageLength], offset);
        offset += sizeof(float) * (long)_imageLength;
        if (_textLength > 0)
        {
            ReadExactly(text[.._textLength], offset);
            ReadExactly(mask[.._maskLength], offset + (sizeof(float) * (long)_textLength));
        }
    }

    public void Dispose() => _file.Dispose();

    private void ReadExactly(Span<float> destination, long offset)
    {
        var bytes = MemoryMarshal.AsBytes(destination);
        int done = 0;
        while (done < bytes.Length)
        {
            int read = RandomAccess.Read(_file.SafeFileHandle, bytes[done..], offset + done);
            if (read <= 0)
            {
                throw new IOException("The temporary training sample cache ended early.");
            }

            done += read;
        }
    }

    private static (int Count, SkippedRows Skipped) Fill(FileStream file, IDataView prepared, TexTokenizeOptions options, TexTokConfig config,
                                                         string component, int imageLength, int textLength, int maskLength,
                                                         CancellationToken cancellationToken)
    {
        var columns = new List<DataViewSchema.Column> { prepared.Schema[Pixels] };
        if (config.UseText)
        {
            columns.Add(prepared.Schema[options.TextEmbeddingColumnName]);
            columns.Add(prepared.Schema[options.TextMaskColumnName]);
        }

        using var cursor = prepared.GetRowCursor(columns);
        var pixelsGetter = cursor.GetGetter<VBuffer<float>>(prepared.Schema[Pixels]);
        ValueGetter<VBuffer<float>>? textGetter = config.UseText ? cursor.GetGetter<VBuffer<float>>(prepared.Schema[options.TextEmbeddingColumnName]) : null;
        ValueGetter<VBuffer<float>>? maskGetter = config.UseText ? cursor.GetGetter<VBuffer<float>>(prepared.Schema[options.TextMaskColumnName]) : null;
        VBuffer<float> pixels = default, text = default, mask = default;
        var row = new float[imageLength + textLength + maskLength];
        int count = 0, skipped = 0;
        var reasons = new List<string>();
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!TryReadImage(pixelsGetter, ref pixels, options.SkipInvalidImages, out string? failure))
            {
                if (++skipped <= SkippedRows.KeptReasons)
                {
                    reasons.Add($"row {cursor.Position}: {failure}");
                }

                continue;
            }

            Copy(pixels, row.AsSpan(0, imageLength), component, options.ImageColumnName + " (pixels)", count);
            for (int i = 0; i < imageLength; i++)
            {
                row[i] = (row[i] / 127.5f) - 1f;
            }

            if (textGetter is not null && maskGetter is not null)
            {
                textGetter(ref text);
                Copy(text, row.AsSpan(imageLength, textLength), component, options.TextEmbeddingColumnName, count);
                maskGetter(ref mask);
                Copy(mask, row.AsSpan(imageLength + textLength, maskLength), component, options.TextMaskColumnName, count);
            }

            file.Write(MemoryMarshal.AsBytes(row.AsSpan()));
            count++;
        }

        file.Flush();
        return (count, skipped == 0 ? SkippedRows.None : new SkippedRows(skipped, reasons));
    }

    /// <summary>Reads the row's pixels; with <paramref name="skipInvalid"/> a failure to load or decode the image is returned, not thrown.</summary>
    private static bool TryReadImage(ValueGetter<VBuffer<float>> getter, ref VBuffer<float> pixels, bool skipInvalid, out string? failure)
    {
        failure = null;
        try
        {
            getter(ref pixels);
            return true;
        }
        catch (Exception e) when (skipInvalid && e is not (OperationCanceledException or OutOfMemoryException))
        {
            // ML.NET wraps the loader's exception; its innermost message names the file where the loader knows it.
            var root = e;
            while (root.InnerException is not null)
            {
                root = root.InnerException;
            }

            failure = root == e ? e.Message : $"{root.Message} ({e.GetType().Name}: {e.Message})";
            return false;
        }
    }

    /// <summary>Copies one row's vector, failing with the component, row and column when its length is wrong or a value is not finite.</summary>
    internal static void Copy(in VBuffer<float> source, Span<float> destination, string component, string column, int row)
    {
        if (source.Length != destination.Length)
        {
            throw new InvalidDataException($"{component}: row {row}: column '{column}' has {source.Length} values; expected {destination.Length}.");
        }

        source.CopyTo(destination);
        for (int i = 0; i < destination.Length; i++)
        {
            if (!float.IsFinite(destination[i]))
            {
                throw new InvalidDataException($"{component}: row {row}: column '{column}' holds {destination[i]} at position {i}; values must be finite.");
            }
        }
    }
}
