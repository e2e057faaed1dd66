namespace TexTok.ML.Text;

/// <summary>
/// The encoding of one caption: <see cref="MaxTokens"/> token rows of <see cref="EmbeddingDim"/>
/// values each, the first <see cref="TokenCount"/> rows holding real tokens and the rest zero padding.
/// </summary>
/// <remarks>
/// The arrays are exposed without copying so they can be handed to ONNX Runtime or ML.NET vectors
/// directly; an encoder returns fresh arrays on every call, so a caller that writes to them affects
/// only its own copy.
/// </remarks>
public sealed class TextEmbedding
{
    /// <summary>
    /// Creates an embedding from arrays the instance takes ownership of, checking that they are
    /// consistent: the mask is <paramref name="tokenCount"/> ones followed by zeros and the padded rows
    /// of <paramref name="values"/> are zero.
    /// </summary>
    /// <param name="values">The token rows, row-major, length <c>mask.Length × embeddingDim</c>.</param>
    /// <param name="mask">One entry per token row: 1 for a real token, 0 for padding.</param>
    /// <param name="tokenCount">The number of real tokens kept, at most <c>mask.Length</c>.</param>
    /// <param name="originalTokenCount">The number of tokens the caption produced before truncation.</param>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or <paramref name="mask"/> is null.</exception>
    /// <exception cref="ArgumentException">The arrays or counts are inconsistent with each other.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    public TextEmbedding(float[] values, float[] mask, int tokenCount, int originalTokenCount)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Length == 0)
        {
            throw new ArgumentException("The mask must have at least one entry.", nameof(mask));
        }

        if (values.Length == 0 || values.Length % mask.Length != 0)
        {
            throw new ArgumentException(
                $"The values length {values.Length} is not a positive multiple of the mask length {mask.Length}.",
                nameof(values));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(tokenCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tokenCount, mask.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(originalTokenCount, tokenCount);

        int embeddingDim = values.Length / mask.Length;
        for (int t = 0; t < mask.Length; t++)
        {
            float expected = t < tokenCount ? 1f : 0f;
            if (mask[t] != expected)
            {
                throw new ArgumentException(
                    $"The mask must be {tokenCount} ones followed by zeros; entry {t} is {mask[t]}.",
                    nameof(mask));
            }
        }

        for (int i = tokenCount * embeddingDim; i < values.Length; i++)
        {
            if (values[i] != 0f)
            {
                throw new ArgumentException(
                    $"Padding rows must be zero; value {i} (token row {i / embeddingDim}) is {values[i]}.",
                    nameof(values));
            }
        }

        Values = values;
        Mask = mask;
        TokenCount = tokenCount;
        OriginalTokenCount = originalTokenCount;
        EmbeddingDim = embeddingDim;
    }

    /// <summary>The token rows, row-major: <see cref="MaxTokens"/> × <see cref="EmbeddingDim"/> values, padding rows zero.</summary>
    public float[] Values { get; }

    /// <summary>One entry per token row: 1 for a real token, 0 for padding.</summary>
    /// <remarks>Stored as <see cref="float"/> so it can be fed to a model as an attention mask without conversion.</remarks>
    public float[] Mask { get; }

    /// <summary>The number of real tokens kept; the first <see cref="TokenCount"/> rows.</summary>
    public int TokenCount { get; }

    /// <summary>The number of tokens the caption produced before truncation.</summary>
    public int OriginalTokenCount { get; }

    /// <summary>Whether tokens beyond <see cref="MaxTokens"/> were dropped.</summary>
    public bool Truncated => OriginalTokenCount > TokenCount;

    /// <summary>The number of token rows, Nt.</summary>
    public int MaxTokens => Mask.Length;

    /// <summary>The number of values per token row, Dt.</summary>
    public int EmbeddingDim { get; }
}
