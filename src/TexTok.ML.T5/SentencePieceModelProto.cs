namespace TexTok.ML.T5;

/// <summary>
/// Minimal protobuf handling of a SentencePiece <c>ModelProto</c>, enough to count its pieces (field 1) and to give
/// Microsoft.ML.Tokenizers a model it accepts: T5's models declare no beginning-of-sentence piece
/// (<c>trainer_spec.bos_id = -1</c>), which the library's Unigram loader cannot index, so such a model's
/// <c>bos_id</c> (trainer_spec field 41) is pointed at the padding piece. The tokenizer never emits BOS, so this
/// changes no encoding.
/// </summary>
internal static class SentencePieceModelProto
{
    private const int PiecesField = 1;
    private const int TrainerSpecField = 2;
    private const int PadIdField = 43;
    private const int BosIdField = 41;

    /// <summary>Returns a copy of <paramref name="proto"/> the tokenizer library can load, and its number of pieces.</summary>
    /// <exception cref="InvalidDataException">The bytes are not valid protobuf.</exception>
    public static byte[] Prepare(byte[] proto, out int pieceCount)
    {
        var output = new MemoryStream(proto.Length + 16);
        pieceCount = 0;
        int position = 0;
        while (position < proto.Length)
        {
            int start = position;
            ulong tag = ReadVarint(proto, ref position);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (wire == 2 && field == TrainerSpecField)
            {
                int length = ReadLength(proto, ref position);
                byte[] trainer = PatchTrainerSpec(proto.AsSpan(position, length));
                position += length;
                WriteVarint(output, tag);
                WriteVarint(output, (ulong)trainer.Length);
                output.Write(trainer);
                continue;
            }

            SkipValue(proto, ref position, wire);
            if (field == PiecesField && wire == 2)
            {
                pieceCount++;
            }

            output.Write(proto, start, position - start);
        }

        return output.ToArray();
    }

    private static byte[] PatchTrainerSpec(ReadOnlySpan<byte> spec)
    {
        byte[] bytes = spec.ToArray();
        var output = new MemoryStream(bytes.Length + 16);
        long bos = 1, pad = -1; // protobuf defaults
        int position = 0;
        while (position < bytes.Length)
        {
            int start = position;
            ulong tag = ReadVarint(bytes, ref position);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (wire == 0 && (field == BosIdField || field == PadIdField))
            {
                long value = unchecked((int)ReadVarint(bytes, ref position));
                if (field == BosIdField)
                {
                    bos = value;
                    continue; // rewritten below
                }

                pad = value;
            }
            else
            {
                SkipValue(bytes, ref position, wire);
            }

            output.Write(bytes, start, position - start);
        }

        long newBos = bos >= 0 ? bos : pad >= 0 ? pad : 0;
        WriteVarint(output, (ulong)((BosIdField << 3) | 0));
        WriteVarint(output, unchecked((ulong)newBos));
        return output.ToArray();
    }

    private static void SkipValue(byte[] data, ref int position, int wire)
    {
        switch (wire)
        {
            case 0:
                ReadVarint(data, ref position);
                break;
            case 1:
                CheckRange(data, position, 8);
                position += 8;
                break;
            case 2:
                int length = ReadLength(data, ref position);
                position += length;
                break;
            case 5:
                CheckRange(data, position, 4);
                position += 4;
                break;
            default:
                throw new InvalidDataException($"The SentencePiece model holds protobuf wire type {wire}, which it never uses; the file is not a SentencePiece model.");
        }
    }

    /// <summary>Reads a length-delimited field's length and checks that the field fits in what is left of <paramref name="data"/>.</summary>
    private static int ReadLength(byte[] data, ref int position)
    {
        ulong length = ReadVarint(data, ref position);
        if (length > (ulong)(data.Length - position))
        {
            throw new InvalidDataException("The SentencePiece model is truncated or not protobuf.");
        }

        return (int)length;
    }

    private static void CheckRange(byte[] data, int position, int length)
    {
        if (length < 0 || length > data.Length - position)
        {
            throw new InvalidDataException("The SentencePiece model is truncated or not protobuf.");
        }
    }

    private static ulong ReadVarint(byte[] data, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length)
            {
                throw new InvalidDataException("The SentencePiece model is truncated or not protobuf.");
            }

            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("The SentencePiece model holds a malformed protobuf varint.");
    }

    private static void WriteVarint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        s.WriteByte((byte)value);
    }
}
