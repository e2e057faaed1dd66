using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data). Writes float32; reads float32, float16 and bfloat16
/// (converted to float32). Writes are atomic: a temporary file in the same folder is renamed over the target.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Writes <paramref name="tensors"/> (any dtype convertible to float32) and string metadata to <paramref name="path"/>.</summary>
    /// <param name="path">Target file.</param>
    /// <param name="tensors">Tensors by name, written in name order.</param>
    /// <param name="metadata">Free-form string metadata stored under <c>__metadata__</c>.</param>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                meta[key] = value;
            }

            header["__metadata__"] = meta;
        }

        var data = new List<float[]>(names.Count);
        long offset = 0;
        foreach (var name in names)
        {
            using var cpu = tensors[name].detach().to(ScalarType.Float32, CPU).contiguous();
            float[] values = cpu.data<float>().ToArray();
            data.Add(values);
            long bytes = values.LongLength * sizeof(float);
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(cpu.shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (headerBytes.Length + 7) / 8 * 8;
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(length, padded);
                stream.Write(length);
                stream.Write(headerBytes);
                for (int i = headerBytes.Length; i < padded; i++)
                {
                    stream.WriteByte((byte)' ');
                }

                foreach (var values in data)
                {
                    stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Reads every tensor of a safetensors file as float32 CPU tensors, plus its metadata.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">The file is truncated, not safetensors, or holds an unsupported dtype; the message names the file.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
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
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw Bad(path, "the header is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file: its header is not JSON ({e.Message}).", e);
        }

        long dataStart = 8 + headerLength;
        long dataLength = stream.Length - dataStart;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
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
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                long count = shape.Aggregate(1L, (a, s) => a * s);
                int width = dtype switch
                {
                    "F32" => 4,
                    "F16" or "BF16" => 2,
                    _ => throw Bad(path, $"tensor '{name}' has dtype {dtype}; only F32, F16 and BF16 are supported"),
                };
                if (begin < 0 || end > dataLength || end - begin != count * width)
                {
                    throw Bad(path, $"tensor '{name}' claims bytes [{begin}, {end}) but the data section has {dataLength} bytes (the file may be truncated)");
                }

                var raw = new byte[end - begin];
                stream.Position = dataStart + begin;
                stream.ReadExactly(raw);
                tensors[name] = tensor(ToFloats(raw, dtype), shape);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }

            throw new InvalidDataException($"'{path}' has a malformed safetensors header ({e.Message}).", e);
        }

        return (tensors, metadata);
    }

    private static float[] ToFloats(byte[] raw, string dtype)
    {
        var values = new float[raw.Length / (dtype == "F32" ? 4 : 2)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4)),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(raw.AsSpan(i * 2)),
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(i * 2)) << 16),
            };
        }

        return values;
    }

    private static InvalidDataException Bad(string path, string why) => new($"'{path}' is not a valid safetensors file: {why}.");
}
