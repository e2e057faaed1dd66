namespace TexTok.ML.T5;

/// <summary>The T5 token ids of one caption: its SentencePiece ids followed by EOS, truncated to a maximum length.</summary>
public sealed class T5TokenizedCaption
{
    internal T5TokenizedCaption(int[] ids, int originalTokenCount)
    {
        Ids = ids;
        OriginalTokenCount = originalTokenCount;
    }

    /// <summary>The kept ids; the last is always EOS.</summary>
    public IReadOnlyList<int> Ids { get; }

    /// <summary>The number of kept ids, EOS included.</summary>
    public int TokenCount => Ids.Count;

    /// <summary>The number of ids before truncation, EOS included.</summary>
    public int OriginalTokenCount { get; }

    /// <summary>Whether ids were dropped to fit the maximum length.</summary>
    public bool Truncated => OriginalTokenCount > TokenCount;

    /// <summary>The ids padded with <see cref="T5Tokenizer.PadId"/> to <paramref name="length"/>, as int64 for a model input.</summary>
    /// <param name="length">At least <see cref="TokenCount"/>.</param>
    /// <returns>A new array of <paramref name="length"/> ids.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is less than <see cref="TokenCount"/>.</exception>
    public long[] ToPaddedIds(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, TokenCount);
        var padded = new long[length];
        for (int i = 0; i < Ids.Count; i++)
        {
            padded[i] = Ids[i];
        }

        for (int i = Ids.Count; i < length; i++)
        {
            padded[i] = T5Tokenizer.PadId;
        }

        return padded;
    }
}
