using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace TexTok.ML.Onnx;

/// <summary>Encodes <c>TensorProto</c> messages with little-endian <c>raw_data</c>.</summary>
internal static class OnnxTensorEncoding
{
    public static ProtoWriter Float(string name, ReadOnlySpan<float> data, IReadOnlyList<long> dims)
    {
        // On little-endian machines the floats are already in raw_data's byte order: one block copy (large weights).
        var raw = BitConverter.IsLittleEndian ? MemoryMarshal.AsBytes(data).ToArray() : new byte[data.Length * sizeof(float)];
        for (int i = 0; !BitConverter.IsLittleEndian && i < data.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), data[i]);
        }

        return Encode(name, OnnxFields.DataTypeFloat, raw, dims);
    }

    public static ProtoWriter Int64(string name, ReadOnlySpan<long> data, IReadOnlyList<long> dims)
    {
        var raw = new byte[data.Length * sizeof(long)];
        for (int i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), data[i]);
        }

        return Encode(name, OnnxFields.DataTypeInt64, raw, dims);
    }

    private static ProtoWriter Encode(string name, int dataType, byte[] raw, IReadOnlyList<long> dims)
    {
        var w = new ProtoWriter();
        if (dims.Count > 0)
        {
            w.WritePackedInt64(OnnxFields.TensorDims, dims);
        }

        w.WriteInt64(OnnxFields.TensorDataType, dataType);
        if (name.Length > 0)
        {
            w.WriteString(OnnxFields.TensorName, name);
        }

        w.WriteBytes(OnnxFields.TensorRawData, raw);
        return w;
    }
}
