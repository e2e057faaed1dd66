namespace TexTok.ML.Data.Metrics;

/// <summary>
/// What <see cref="OnnxImageFeatureExtractor"/> computed for a set of images, one entry per image in input order:
/// feature vectors for FID and precision/recall, and class probabilities for the Inception Score.
/// </summary>
public sealed class ImageFeatures
{
    /// <summary>Wraps the lists without copying them.</summary>
    /// <param name="features">One feature vector per image.</param>
    /// <param name="probabilities">One probability vector per image, or null when no class output was read.</param>
    /// <exception cref="ArgumentException">The two lists have different lengths.</exception>
    public ImageFeatures(IReadOnlyList<float[]> features, IReadOnlyList<float[]>? probabilities)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (probabilities is not null && probabilities.Count != features.Count)
        {
            throw new ArgumentException(
                $"There are {features.Count} feature vectors but {probabilities.Count} probability vectors.", nameof(probabilities));
        }

        Features = features;
        Probabilities = probabilities;
    }

    /// <summary>The number of images.</summary>
    public int Count => Features.Count;

    /// <summary>One feature vector per image (the feature output's values for that sample, flattened).</summary>
    public IReadOnlyList<float[]> Features { get; }

    /// <summary>
    /// One probability vector per image (each sums to 1 up to rounding), or null when the extractor has no
    /// <see cref="OnnxImageFeatureExtractorOptions.ClassOutputName"/>.
    /// </summary>
    public IReadOnlyList<float[]>? Probabilities { get; }
}
