using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Checkpoints;

/// <summary>
/// The header of one safetensors file, read without its data, so that single tensors can be read on demand
/// (a multi-gigabyte T5 shard holds decoder tensors an encoder never needs).
/// </summary>
public sealed class SafeTensorsFile
{
    /// <summary>The largest header this reader accepts: 100 MiB.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>The largest tensor this reader converts, in float32 bytes: the largest .NET array.</summary>
    public const long MaxTensorBytes = 0x7FFFFFC7L;

    private SafeTensorsFile(string path, long dataStart, long dataLength, Dictionary<string, Entry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        DataStart = dataStart;
        DataLength = dataLength;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Offset of the data section.</summary>
    public long DataStart { get; }

    /// <summary>Length of the data section in bytes.</summary>
    public long DataLength { get; }

    /// <summary>The tensors' header entries by name, in file order.</summary>
    public IReadOnlyDictionary<string, Entry> Entries { get; }

    /// <summary>The <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads the header of <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not safetensors, is truncated, has a header over <see cref="MaxHeaderBytes"/>, or an entry with a
    /// negative or overflowing shape, a byte range outside the data section or overlapping another's; the message names it.
    /// </exception>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        }

        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8)
        {
            throw Bad(path, "it is shorter than the 8-byte header length");
        }

        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
        {
            throw Bad(path, $"the header length {headerLength} does not fit the file size {stream.Length}");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + headerLength;
        long dataLength = stream.Length - dataStart;
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            JsonObject header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw Bad(path, "the header is empty");
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (key, value) in node!.AsObject())
                    {
                        metadata[key] = value?.GetValue<string>() ?? string.Empty;
                    }

                    continue;
                }

                var entry = node!.AsObject();
                string dtype = entry["dtype"]!.GetValue<string>();
                long[] shape = entry["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray();
                if (offsets.Count != 2)
                {
                    throw Bad(path, $"tensor '{name}' has {offsets.Count} data offsets instead of 2");
                }

                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                entries[name] = CheckEntry(path, new Entry(name, dtype, shape, begin, end), dataLength);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or
                                       OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"'{path}' has a malformed safetensors header ({e.Message}).", e);
        }

        // Tensors may not share bytes: with overlaps, a small file could list one range many times and have every
        // copy read, so the bytes read would no longer be bounded by the file's size.
        Entry? previous = null;
        foreach (var entry in entries.Values.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && entry.Begin < previous.End)
            {
                throw Bad(path, $"tensors '{previous.Name}' and '{entry.Name}' overlap in the data section");
            }

            previous = entry;
        }

        return new SafeTensorsFile(path, dataStart, dataLength, entries, metadata);
    }

    /// <summary>Reads one tensor as a float32 CPU tensor.</summary>
    /// <param name="entry">One of <see cref="Entries"/>.</param>
    /// <exception cref="InvalidDataException">Unsupported dtype or a byte range outside the file; the message names the tensor and file.</exception>
    public Tensor Read(Entry entry)
    {
        int width = entry.DType switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            _ => throw Bad(Path, $"tensor '{entry.Name}' has dtype {entry.DType}; only F32, F16 and BF16 are supported"),
        };
        CheckEntry(Path, entry, DataLength);
        long count = ElementCount(entry.Shape);
        long bytes = entry.End - entry.Begin;
        if (bytes % width != 0 || count != bytes / width)
        {
            throw Bad(Path, $"tensor '{entry.Name}' has shape [{string.Join(", ", entry.Shape)}] ({count} {entry.DType} values) but claims {bytes} bytes");
        }

        if (count * sizeof(float) > MaxTensorBytes)
        {
            throw Bad(Path, $"tensor '{entry.Name}' has {count} elements, more than this reader reads into one tensor ({MaxTensorBytes / sizeof(float)})");
        }

        var raw = new byte[entry.End - entry.Begin];
        using (var stream = File.OpenRead(Path))
        {
            stream.Position = DataStart + entry.Begin;
            stream.ReadExactly(raw);
        }

        var values = new float[count];
        switch (entry.DType)
        {
            case "F32":
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.Cast<byte, float>(raw).CopyTo(values);
                }
                else
                {
                    for (long i = 0; i < count; i++)
                    {
                        values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan((int)(i * 4)));
                    }
                }

                break;
            case "F16":
                for (long i = 0; i < count; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw.AsSpan((int)(i * 2)));
                }

                break;
            default:
                for (long i = 0; i < count; i++)
                {
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan((int)(i * 2))) << 16);
                }

                break;
        }

        return tensor(values, entry.Shape);
    }

    /// <summary>
    /// Checks what a header entry claims against the data section, without reading it: a shape of non-negative
    /// dimensions whose element count fits a 64-bit integer, and a byte range inside the data section.
    /// </summary>
    private static Entry CheckEntry(string path, Entry entry, long dataLength)
    {
        if (entry.Shape.Any(d => d < 0))
        {
            throw Bad(path, $"tensor '{entry.Name}' has a negative dimension in shape [{string.Join(", ", entry.Shape)}]");
        }

        if (ElementCount(entry.Shape) < 0)
        {
            throw Bad(path, $"tensor '{entry.Name}' has shape [{string.Join(", ", entry.Shape)}], more elements than any file can hold");
        }

        if (entry.Begin < 0 || entry.End < entry.Begin || entry.End > dataLength)
        {
            throw Bad(path, $"tensor '{entry.Name}' claims bytes [{entry.Begin}, {entry.End}) but the data section has {dataLength} bytes (the file may be truncated)");
        }

        return entry;
    }

    /// <summary>The product of the dimensions, or -1 when it exceeds 2^62 (no file holds that many elements).</summary>
    private static long ElementCount(long[] shape)
    {
        const long limit = 1L << 62;
        long count = 1;
        foreach (long d in shape)
        {
            if (d == 0)
            {
                return 0;
            }

            if (count > limit / d)
            {
                // Keep scanning: a later zero dimension still makes the tensor empty.
                return shape.Contains(0) ? 0 : -1;
            }

            count *= d;
        }

        return count;
    }

    private static InvalidDataException Bad(string path, string why) => new($"'{path}' is not a valid safetensors file: {why}.");

    /// <summary>One tensor's header entry.</summary>
    /// <param name="Name">Tensor name.</param>
    /// <param name="DType">Element type (F32, F16, BF16 are readable).</param>
    /// <param name="Shape">Dimensions.</param>
    /// <param name="Begin">Start of its bytes in the data section.</param>
    /// <param name="End">End (exclusive) of its bytes in the data section.</param>
    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);
}
