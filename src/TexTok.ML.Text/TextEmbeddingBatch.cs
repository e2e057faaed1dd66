namespace TexTok.ML.Text;

/// <summary>
/// Several <see cref="TextEmbedding"/>s packed into contiguous tensors: values of shape
/// [B, Nt, Dt] and mask of shape [B, Nt], both row-major, ready to be fed to a model as one batch.
/// </summary>
public sealed class TextEmbeddingBatch
{
    private TextEmbeddingBatch(float[] values, float[] mask, int batchSize, int maxTokens, int embeddingDim)
    {
        Values = values;
        Mask = mask;
        BatchSize = batchSize;
        MaxTokens = maxTokens;
        EmbeddingDim = embeddingDim;
    }

    /// <summary>The packed token rows, row-major [B, Nt, Dt].</summary>
    public float[] Values { get; }

    /// <summary>The packed masks, row-major [B, Nt]: 1 for a real token, 0 for padding.</summary>
    public float[] Mask { get; }

    /// <summary>The number of captions, B.</summary>
    public int BatchSize { get; }

    /// <summary>The number of token rows per caption, Nt.</summary>
    public int MaxTokens { get; }

    /// <summary>The number of values per token row, Dt.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The shape of <see cref="Values"/>: [B, Nt, Dt].</summary>
    public int[] ValuesShape => [BatchSize, MaxTokens, EmbeddingDim];

    /// <summary>The shape of <see cref="Mask"/>: [B, Nt].</summary>
    public int[] MaskShape => [BatchSize, MaxTokens];

    /// <summary>Copies <paramref name="embeddings"/>, in order, into one contiguous batch.</summary>
    /// <param name="embeddings">At least one embedding; all must share the same Nt and Dt.</param>
    /// <returns>The packed batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embeddings"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException">The list is empty or the embeddings differ in shape.</exception>
    public static TextEmbeddingBatch Pack(IReadOnlyList<TextEmbedding> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Count == 0)
        {
            throw new ArgumentException("At least one embedding is needed to determine the batch shape.", nameof(embeddings));
        }

        TextEmbedding first = embeddings[0] ?? throw new ArgumentNullException(nameof(embeddings), "Embedding 0 is null.");
        int maxTokens = first.MaxTokens;
        int embeddingDim = first.EmbeddingDim;
        int rowSize = maxTokens * embeddingDim;

        var values = new float[embeddings.Count * rowSize];
        var mask = new float[embeddings.Count * maxTokens];
        for (int b = 0; b < embeddings.Count; b++)
        {
            TextEmbedding embedding = embeddings[b]
                ?? throw new ArgumentNullException(nameof(embeddings), $"Embedding {b} is null.");
            if (embedding.MaxTokens != maxTokens || embedding.EmbeddingDim != embeddingDim)
            {
                throw new ArgumentException(
                    $"Embedding {b} has shape [{embedding.MaxTokens}, {embedding.EmbeddingDim}] but embedding 0 has [{maxTokens}, {embeddingDim}].",
                    nameof(embeddings));
            }

            embedding.Values.CopyTo(values, b * rowSize);
            embedding.Mask.CopyTo(mask, b * maxTokens);
        }

        return new TextEmbeddingBatch(values, mask, embeddings.Count, maxTokens, embeddingDim);
    }
}
