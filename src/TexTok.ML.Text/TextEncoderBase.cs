using System.Diagnostics.CodeAnalysis;

namespace TexTok.ML.Text;

/// <summary>
/// A base for <see cref="ITextEncoder"/> implementations: it validates captions, checks the shape of
/// what the implementation returns, raises <see cref="CaptionTruncated"/>, and encodes batches one
/// caption at a time unless a derived class knows a faster way.
/// </summary>
public abstract class TextEncoderBase : ITextEncoder
{
    /// <inheritdoc />
    public abstract string Identity { get; }

    /// <inheritdoc />
    public abstract int MaxTokens { get; }

    /// <inheritdoc />
    public abstract int EmbeddingDim { get; }

    /// <inheritdoc />
    public event EventHandler<CaptionTruncatedEventArgs>? CaptionTruncated;

    /// <inheritdoc />
    public TextEmbedding Encode(string caption)
    {
        ValidateCaption(caption, nameof(caption));
        return Complete(caption, EncodeCore(caption));
    }

    /// <inheritdoc />
    public IReadOnlyList<TextEmbedding> EncodeBatch(IReadOnlyList<string> captions)
    {
        ArgumentNullException.ThrowIfNull(captions);
        for (int i = 0; i < captions.Count; i++)
        {
            ValidateCaption(captions[i], nameof(captions), i);
        }

        IReadOnlyList<TextEmbedding> embeddings = EncodeBatchCore(captions);
        if (embeddings.Count != captions.Count)
        {
            throw new InvalidOperationException(
                $"{GetType().Name} returned {embeddings.Count} embeddings for {captions.Count} captions.");
        }

        for (int i = 0; i < captions.Count; i++)
        {
            Complete(captions[i], embeddings[i]);
        }

        return embeddings;
    }

    /// <summary>
    /// Throws the standard exceptions for a caption that cannot be encoded: null, empty, or white space only.
    /// </summary>
    /// <param name="caption">The caption to check.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <param name="index">The caption's position in a batch, or null for a single caption.</param>
    /// <exception cref="ArgumentNullException"><paramref name="caption"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="caption"/> is empty or white space only.</exception>
    public static void ValidateCaption([NotNull] string? caption, string paramName, int? index = null)
    {
        string subject = index is null ? "The caption" : $"The caption at index {index}";
        if (caption is null)
        {
            throw new ArgumentNullException(paramName, $"{subject} is null.");
        }

        if (string.IsNullOrWhiteSpace(caption))
        {
            throw new ArgumentException($"{subject} is empty or contains only white space.", paramName);
        }
    }

    /// <summary>
    /// Encodes one caption that has already been validated. Called concurrently from several threads.
    /// </summary>
    /// <param name="caption">A caption containing at least one non-white-space character.</param>
    /// <returns>A new embedding of shape [<see cref="MaxTokens"/>, <see cref="EmbeddingDim"/>].</returns>
    protected abstract TextEmbedding EncodeCore(string caption);

    /// <summary>
    /// Encodes captions that have already been validated; override to batch the work, for example
    /// through a single model call. Called concurrently from several threads.
    /// </summary>
    /// <param name="captions">Captions each containing at least one non-white-space character.</param>
    /// <returns>One new embedding per caption, in order.</returns>
    protected virtual IReadOnlyList<TextEmbedding> EncodeBatchCore(IReadOnlyList<string> captions)
    {
        var embeddings = new TextEmbedding[captions.Count];
        for (int i = 0; i < captions.Count; i++)
        {
            embeddings[i] = EncodeCore(captions[i]);
        }

        return embeddings;
    }

    private TextEmbedding Complete(string caption, TextEmbedding embedding)
    {
        if (embedding is null || embedding.MaxTokens != MaxTokens || embedding.EmbeddingDim != EmbeddingDim)
        {
            string actual = embedding is null ? "null" : $"shape [{embedding.MaxTokens}, {embedding.EmbeddingDim}]";
            throw new InvalidOperationException(
                $"{GetType().Name} returned {actual} where [{MaxTokens}, {EmbeddingDim}] was expected.");
        }

        if (embedding.Truncated)
        {
            CaptionTruncated?.Invoke(this, new CaptionTruncatedEventArgs(caption, embedding.OriginalTokenCount, embedding.TokenCount));
        }

        return embedding;
    }
}
