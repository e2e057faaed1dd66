namespace TexTok.ML.Torch.Training;

/// <summary>
/// Random access to training samples: an image as CHW floats in [−1, 1] and, for text-conditioned models, its
/// caption's text embedding [Nt·Dt] and mask [Nt]. Implementations must be thread-safe for concurrent reads.
/// </summary>
public interface ITexTokSampleSource
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Fills the buffers with sample <paramref name="index"/>.</summary>
    /// <param name="index">Sample index in [0, Count).</param>
    /// <param name="image">3·H·W floats in [−1, 1].</param>
    /// <param name="text">Nt·Dt floats (empty for a baseline model).</param>
    /// <param name="mask">Nt floats, 1 for a real token and 0 for padding (empty for a baseline model).</param>
    void Read(int index, Span<float> image, Span<float> text, Span<float> mask);
}
