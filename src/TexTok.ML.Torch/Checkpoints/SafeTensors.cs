using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TexTok.ML.Core;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data). Writes float32; reads float32, float16 and bfloat16
/// (converted to float32). Writes are atomic: a temporary file in the same folder is renamed over the target.
/// </summary>
public static class SafeTensors
{
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
        AtomicFile.Write(path, stream =>
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
        });
    }

    /// <summary>Reads every tensor of a safetensors file as float32 CPU tensors, plus its metadata; dispose the result to free them.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">The file is truncated, not safetensors, or holds an unsupported dtype; the message names the file.</exception>
    public static SafeTensorsContents Load(string path)
    {
        var file = SafeTensorsFile.Open(path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, entry) in file.Entries)
            {
                tensors[name] = file.Read(entry);
            }
        }
        catch
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }

            throw;
        }

        return new SafeTensorsContents(tensors, new Dictionary<string, string>(file.Metadata, StringComparer.Ordinal));
    }

}
