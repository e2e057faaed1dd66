using TexTok.ML.Onnx;

namespace TexTok.ML.Data.Metrics;

/// <summary>Options of an <see cref="OnnxImageFeatureExtractor"/>; <see cref="Validate"/> names the first invalid one.</summary>
public sealed record OnnxImageFeatureExtractorOptions
{
    /// <summary>The side of the network input when neither the options nor the model fix it: Inception-v3's 299.</summary>
    public const int DefaultInputSize = 299;

    /// <summary>The default number of images per ONNX Runtime call for a model with a dynamic batch dimension.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>The image input of the model; null takes the model's only input.</summary>
    public string? InputName { get; init; }

    /// <summary>
    /// The output holding the features, e.g. the 2048-wide pool output of Inception-v3 ([N, 2048] or [N, 2048, 1, 1];
    /// each sample's values are flattened). Null takes the model's only output.
    /// </summary>
    public string? FeatureOutputName { get; init; }

    /// <summary>The output holding class scores for the Inception Score; null reads none.</summary>
    public string? ClassOutputName { get; init; }

    /// <summary>Whether <see cref="ClassOutputName"/> holds logits (a softmax is applied; the default) or probabilities.</summary>
    public ClassOutputKind ClassOutput { get; init; } = ClassOutputKind.Logits;

    /// <summary>
    /// The side of the square network input the images are resized to. Null takes the model's height and width when it
    /// declares them, and <see cref="DefaultInputSize"/> when they are dynamic. A value that contradicts a size the
    /// model declares is refused when the extractor is created.
    /// </summary>
    public int? InputSize { get; init; }

    /// <summary>How pixel values in [0, 1] are mapped to the network input; [−1, 1] by default.</summary>
    public PixelNormalization Normalization { get; init; } = PixelNormalization.MinusOneToOne;

    /// <summary>Per-channel means (red, green, blue) for <see cref="PixelNormalization.Custom"/>; unused otherwise.</summary>
    public IReadOnlyList<float>? CustomMean { get; init; }

    /// <summary>Per-channel standard deviations (red, green, blue, non-zero) for <see cref="PixelNormalization.Custom"/>; unused otherwise.</summary>
    public IReadOnlyList<float>? CustomStd { get; init; }

    /// <summary>
    /// Images per ONNX Runtime call when the model's batch dimension is dynamic. A model with a fixed batch dimension
    /// (often 1) is always called with that many images, the last call padded with zero images whose outputs are dropped.
    /// </summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Threads used inside one operator; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpNumThreads { get; init; }

    /// <summary>The execution provider (see <see cref="OnnxScoringOptions.ExecutionProvider"/>).</summary>
    public OnnxExecutionProvider ExecutionProvider { get; init; } = OnnxExecutionProvider.Cpu;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (InputSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(InputSize), InputSize, "InputSize must be positive (or null for the model's size).");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be positive.");
        }

        if (IntraOpNumThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpNumThreads), IntraOpNumThreads, "IntraOpNumThreads must be 0 (automatic) or positive.");
        }

        if (!Enum.IsDefined(Normalization))
        {
            throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, "Unknown pixel normalisation.");
        }

        if (!Enum.IsDefined(ClassOutput))
        {
            throw new ArgumentOutOfRangeException(nameof(ClassOutput), ClassOutput, "Unknown class output kind.");
        }

        if (!Enum.IsDefined(ExecutionProvider))
        {
            throw new ArgumentOutOfRangeException(nameof(ExecutionProvider), ExecutionProvider, "Unknown execution provider.");
        }

        if (Normalization == PixelNormalization.Custom)
        {
            if (CustomMean is not { Count: 3 } || CustomMean.Any(m => !float.IsFinite(m)))
            {
                throw new ArgumentException("PixelNormalization.Custom needs CustomMean: three finite values (red, green, blue).", nameof(CustomMean));
            }

            if (CustomStd is not { Count: 3 } || CustomStd.Any(s => !float.IsFinite(s) || s == 0))
            {
                throw new ArgumentException("PixelNormalization.Custom needs CustomStd: three finite, non-zero values (red, green, blue).", nameof(CustomStd));
            }
        }
    }

    /// <summary>The per-channel (mean, std) pairs that <see cref="Normalization"/> stands for.</summary>
    internal (float[] Mean, float[] Std) Statistics() => Normalization switch
    {
        PixelNormalization.MinusOneToOne => ([0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]),
        PixelNormalization.ImageNet => ([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]),
        PixelNormalization.ZeroToOne => ([0f, 0f, 0f], [1f, 1f, 1f]),
        _ => ([.. CustomMean!], [.. CustomStd!]),
    };
}
