using System.Text;

namespace TexTok.ML.T5.Tests;

/// <summary>
/// Writes a minimal SentencePiece <c>ModelProto</c> (protobuf wire format, by hand): pieces (field 1: piece = 1,
/// score = 2, type = 3), trainer_spec (field 2: model_type = 3, vocab_size = 4, unk_id = 40, bos_id = 41,
/// eos_id = 42, pad_id = 43) and normalizer_spec (field 3: name = 1, add_dummy_prefix = 3,
/// remove_extra_whitespaces = 4, escape_whitespaces = 5).
/// </summary>
internal static class SentencePieceModelWriter
{
    public const int Normal = 1, Unknown = 2, Control = 3;

    public const int BosId = -1;

    /// <summary>A T5-like Unigram vocabulary: pad 0, EOS 1, unk 2, a few words, then single letters.</summary>
    public static readonly (string Piece, float Score, int Type)[] TestPieces = BuildTestPieces();

    public static byte[] Build((string Piece, float Score, int Type)[] pieces)
    {
        var model = new MemoryStream();
        foreach (var (piece, score, type) in pieces)
        {
            var p = new MemoryStream();
            WriteString(p, 1, piece);
            WriteTag(p, 2, 5);
            p.Write(BitConverter.GetBytes(score));
            WriteVarintField(p, 3, type);
            WriteBytes(model, 1, p.ToArray());
        }

        var trainer = new MemoryStream();
        WriteVarintField(trainer, 3, 1); // UNIGRAM
        WriteVarintField(trainer, 4, pieces.Length);
        WriteVarintField(trainer, 40, 2); // unk
        WriteVarintField(trainer, 41, BosId); // none, as in T5
        WriteVarintField(trainer, 42, 1); // </s>
        WriteVarintField(trainer, 43, 0); // <pad>
        WriteBytes(model, 2, trainer.ToArray());

        var normalizer = new MemoryStream();
        WriteString(normalizer, 1, "identity");
        WriteVarintField(normalizer, 3, 1);
        WriteVarintField(normalizer, 4, 1);
        WriteVarintField(normalizer, 5, 1);
        WriteBytes(model, 3, normalizer.ToArray());
        return model.ToArray();
    }

    public static T5Tokenizer TestTokenizer() => new(new MemoryStream(Build(TestPieces)));

    public static int IdOf(string piece) => Array.FindIndex(TestPieces, p => p.Piece == piece);

    private static (string, float, int)[] BuildTestPieces()
    {
        var pieces = new List<(string, float, int)>
        {
            ("<pad>", 0f, Control),
            ("</s>", 0f, Control),
            ("<unk>", 0f, Unknown),
            ("\u2581", -2f, Normal),
            ("\u2581a", -3f, Normal),
            ("\u2581red", -4f, Normal),
            ("\u2581circle", -5f, Normal),
            ("\u2581blue", -5f, Normal),
            ("\u2581square", -5f, Normal),
            ("\u2581on", -4f, Normal),
            ("\u2581the", -3f, Normal),
            ("\u2581left", -5f, Normal),
            ("s", -3f, Normal),
        };
        for (char c = 'a'; c <= 'z'; c++)
        {
            if (c != 's')
            {
                pieces.Add((c.ToString(), -10f, Normal));
            }
        }

        return pieces.ToArray();
    }

    private static void WriteTag(Stream s, int field, int wire) => WriteVarint(s, (ulong)((field << 3) | wire));

    private static void WriteVarintField(Stream s, int field, int value)
    {
        WriteTag(s, field, 0);
        WriteVarint(s, unchecked((ulong)(long)value)); // negative int32 values are sign-extended to 10 bytes
    }

    private static void WriteString(Stream s, int field, string value) => WriteBytes(s, field, Encoding.UTF8.GetBytes(value));

    private static void WriteBytes(Stream s, int field, byte[] value)
    {
        WriteTag(s, field, 2);
        WriteVarint(s, (ulong)value.Length);
        s.Write(value);
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
