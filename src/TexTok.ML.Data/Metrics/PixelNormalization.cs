namespace TexTok.ML.Data.Metrics;

/// <summary>
/// How <see cref="OnnxImageFeatureExtractor"/> maps pixel values in [0, 1] (byte k becomes k / 255) to the network
/// input: value = (x − mean[c]) / std[c] for channel c (red, green, blue).
/// </summary>
public enum PixelNormalization
{
    /// <summary>
    /// 2x − 1, into [−1, 1] (mean 0.5, std 0.5 on every channel): networks that take [−1, 1] themselves, such as
    /// torchvision's <c>inception_v3</c> built with <c>transform_input=False</c>, or pytorch-fid's <c>InceptionV3</c>
    /// built with <c>normalize_input=False</c>.
    /// </summary>
    MinusOneToOne,

    /// <summary>
    /// ImageNet statistics: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225), as torchvision's
    /// <c>transforms.Normalize</c> for its classifiers, including <c>inception_v3</c> with <c>transform_input=True</c>
    /// (its default when pretrained weights are requested), which converts such input to [−1, 1] inside the graph.
    /// </summary>
    ImageNet,

    /// <summary>
    /// The values in [0, 1] unchanged (mean 0, std 1): networks that rescale inside the graph, such as pytorch-fid's
    /// <c>InceptionV3</c> with <c>normalize_input=True</c> (its default).
    /// </summary>
    ZeroToOne,

    /// <summary>
    /// The per-channel <see cref="OnnxImageFeatureExtractorOptions.CustomMean"/> and
    /// <see cref="OnnxImageFeatureExtractorOptions.CustomStd"/> (e.g. mean 0, std 1/255 for a network that takes 0..255).
    /// </summary>
    Custom,
}
