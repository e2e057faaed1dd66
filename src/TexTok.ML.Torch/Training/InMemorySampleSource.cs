namespace TexTok.ML.Torch.Training;

/// <summary>An <see cref="ITexTokSampleSource"/> over arrays already in memory.</summary>
public sealed class InMemorySampleSource : ITexTokSampleSource
{
    private readonly IReadOnlyList<float[]> _images;
    private readonly IReadOnlyList<float[]>? _texts;
    private readonly IReadOnlyList<float[]>? _masks;

    /// <summary>Wraps images (CHW in [−1, 1]) and optional per-image text embeddings and masks.</summary>
    /// <param name="images">Images.</param>
    /// <param name="texts">Text embeddings [Nt·Dt] per image, or null.</param>
    /// <param name="masks">Text masks [Nt] per image, or null.</param>
    public InMemorySampleSource(IReadOnlyList<float[]> images, IReadOnlyList<float[]>? texts = null, IReadOnlyList<float[]>? masks = null)
    {
        if ((texts is null) != (masks is null))
        {
            throw new ArgumentException("Pass both text embeddings and masks, or neither.", nameof(masks));
        }

        if (texts is not null && (texts.Count != images.Count || masks!.Count != images.Count))
        {
            throw new ArgumentException($"Got {images.Count} images but {texts.Count} text embeddings and {masks!.Count} masks.", nameof(texts));
        }

        _images = images;
        _texts = texts;
        _masks = masks;
    }

    /// <inheritdoc/>
    public int Count => _images.Count;

    /// <inheritdoc/>
    public void Read(int index, Span<float> image, Span<float> text, Span<float> mask)
    {
        Copy(_images[index], image, "image", index);
        if (text.Length > 0)
        {
            if (_texts is null)
            {
                throw new InvalidOperationException("This sample source has no text embeddings, but the model is text-conditioned.");
            }

            Copy(_texts[index], text, "text embedding", index);
            Copy(_masks![index], mask, "text mask", index);
        }
    }

    private static void Copy(float[] source, Span<float> destination, string what, int index)
    {
        if (source.Length != destination.Length)
        {
            throw new ArgumentException($"Sample {index}: the {what} has {source.Length} values; the model expects {destination.Length}.");
        }

        source.CopyTo(destination);
    }
}
