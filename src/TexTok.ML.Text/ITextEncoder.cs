namespace TexTok.ML.Text;

/// <summary>
/// A frozen text encoder: turns a caption into <see cref="MaxTokens"/> (Nt) token rows of
/// <see cref="EmbeddingDim"/> (Dt) values that condition an image tokenizer.
/// </summary>
/// <remarks>
/// Implementations must be safe to call from several threads at once, because ML.NET reads rows in
/// parallel, and must be deterministic: the same caption always yields the same embedding, which is
/// what makes results cacheable under <see cref="Identity"/>.
/// </remarks>
public interface ITextEncoder
{
    /// <summary>
    /// A stable string that uniquely identifies the encoder together with every setting that affects
    /// its output. Embeddings may be cached under it, and trained models store it so that they can
    /// refuse an encoder that would produce different embeddings.
    /// </summary>
    string Identity { get; }

    /// <summary>The number of token rows per caption, Nt; longer captions are truncated.</summary>
    int MaxTokens { get; }

    /// <summary>The number of values per token row, Dt.</summary>
    int EmbeddingDim { get; }

    /// <summary>
    /// Raised, on the encoding thread, each time a caption yields more than <see cref="MaxTokens"/>
    /// tokens and is truncated.
    /// </summary>
    event EventHandler<CaptionTruncatedEventArgs>? CaptionTruncated;

    /// <summary>Encodes one caption.</summary>
    /// <param name="caption">The caption; must contain a non-white-space character.</param>
    /// <returns>A new embedding of shape [Nt, Dt] with its mask.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="caption"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="caption"/> is empty or white space only.</exception>
    TextEmbedding Encode(string caption);

    /// <summary>Encodes several captions; the result is in the same order as the input.</summary>
    /// <param name="captions">The captions; each must contain a non-white-space character.</param>
    /// <returns>One new embedding per caption.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="captions"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException">One of the captions is empty or white space only.</exception>
    IReadOnlyList<TextEmbedding> EncodeBatch(IReadOnlyList<string> captions);
}
