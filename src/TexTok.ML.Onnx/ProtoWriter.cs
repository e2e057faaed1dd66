using System.Buffers.Binary;
using System.Text;

namespace TexTok.ML.Onnx;

/// <summary>
/// A minimal protocol-buffers encoder (proto3 wire format): varints, 64-bit/32-bit fixed values and length-delimited
/// fields. Nested messages are written into their own writer and copied in with their length.
/// </summary>
internal sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireFixed32 = 5;
    private const int WireLengthDelimited = 2;

    private readonly MemoryStream _stream = new();

    /// <summary>Bytes written so far.</summary>
    public long Length => _stream.Length;

    /// <summary>Writes an int64/int32/enum field (always emitted, even when zero).</summary>
    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteVarint(unchecked((ulong)value));
    }

    /// <summary>Writes a float field.</summary>
    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
        _stream.Write(buffer);
    }

    /// <summary>Writes a UTF-8 string field.</summary>
    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Writes a bytes field.</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)value.Length);
        _stream.Write(value);
    }

    /// <summary>Writes a packed repeated int64 field.</summary>
    public void WritePackedInt64(int field, IReadOnlyList<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values)
        {
            inner.WriteVarint(unchecked((ulong)v));
        }

        WriteMessage(field, inner);
    }

    /// <summary>Writes a packed repeated float field.</summary>
    public void WritePackedFloat(int field, IReadOnlyList<float> values)
    {
        var bytes = new byte[values.Count * 4];
        for (int i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        WriteBytes(field, bytes);
    }

    /// <summary>Writes a nested message field.</summary>
    public void WriteMessage(int field, ProtoWriter message)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)message._stream.Length);
        message._stream.Position = 0;
        message._stream.CopyTo(_stream);
    }

    /// <summary>The encoded message.</summary>
    public byte[] ToArray() => _stream.ToArray();

    private void WriteTag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _stream.WriteByte((byte)value);
    }
}
