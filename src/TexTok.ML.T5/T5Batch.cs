using TexTok.ML.Text;

namespace TexTok.ML.T5;

/// <summary>
/// The model-side form of a chunk of tokenized captions, shared by the TorchSharp and ONNX encoders: padded ids and
/// mask in, <c>last_hidden_state</c> rows out as <see cref="TextEmbedding"/>s with zero padding rows.
/// </summary>
internal sealed class T5Batch
{
    private T5Batch(long[] ids, long[] mask, int rows, int length)
    {
        Ids = ids;
        Mask = mask;
        Rows = rows;
        Length = length;
    }

    /// <summary>Token ids [Rows, Length], padded with <see cref="T5Tokenizer.PadId"/>.</summary>
    public long[] Ids { get; }

    /// <summary>Attention mask [Rows, Length]: 1 for a real token, 0 for padding.</summary>
    public long[] Mask { get; }

    /// <summary>Number of rows (at least the number of captions).</summary>
    public int Rows { get; }

    /// <summary>Sequence length of the batch.</summary>
    public int Length { get; }

    /// <summary>
    /// Pads <paramref name="chunk"/> to its longest caption, or to <paramref name="fixedLength"/> when given; with
    /// <paramref name="fixedRows"/>, filler rows holding only EOS complete the batch.
    /// </summary>
    public static T5Batch Pad(ReadOnlySpan<T5TokenizedCaption> chunk, int? fixedLength = null, int? fixedRows = null)
    {
        int length = fixedLength ?? 0;
        foreach (var caption in chunk)
        {
            length = Math.Max(length, caption.TokenCount);
        }

        int rows = fixedRows ?? chunk.Length;
        var ids = new long[rows * length];
        var mask = new long[rows * length];
        for (int b = 0; b < rows; b++)
        {
            if (b < chunk.Length)
            {
                chunk[b].ToPaddedIds(length).CopyTo(ids, b * length);
                mask.AsSpan(b * length, chunk[b].TokenCount).Fill(1);
            }
            else
            {
                ids[b * length] = T5Tokenizer.EosId;
                mask[b * length] = 1;
            }
        }

        return new T5Batch(ids, mask, rows, length);
    }

    /// <summary>
    /// Cuts the hidden states [Rows, Length, <paramref name="dModel"/>] into one embedding per caption of
    /// <paramref name="chunk"/>: Nt = <paramref name="maxTokens"/> rows, the real ones copied, the rest zero and masked.
    /// </summary>
    public void ToEmbeddings(ReadOnlySpan<T5TokenizedCaption> chunk, float[] hidden, int dModel, int maxTokens, Span<TextEmbedding> results)
    {
        for (int b = 0; b < chunk.Length; b++)
        {
            var caption = chunk[b];
            var values = new float[maxTokens * dModel];
            Array.Copy(hidden, (long)b * Length * dModel, values, 0, (long)caption.TokenCount * dModel);
            var rowMask = new float[maxTokens];
            rowMask.AsSpan(0, caption.TokenCount).Fill(1f);
            results[b] = new TextEmbedding(values, rowMask, caption.TokenCount, caption.OriginalTokenCount);
        }
    }
}
