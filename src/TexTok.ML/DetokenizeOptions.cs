namespace TexTok.ML;

/// <summary>Settings of <see cref="DetokenizeEstimator"/>.</summary>
public sealed class DetokenizeOptions
{
    /// <summary>The image column to write (an ML.NET image of the model's size).</summary>
    public string OutputColumnName { get; set; } = TexTokDefaults.ReconstructionColumn;

    /// <summary>The pixel column to write: 3 · H · W floats in [0, 255], channel-major RGB. Null: not written.</summary>
    public string? PixelsColumnName { get; set; } = TexTokDefaults.ReconstructionPixelsColumn;

    /// <summary>The token column to read (N · d floats).</summary>
    public string TokensColumnName { get; set; } = TexTokDefaults.TokensColumn;

    /// <summary>The caption embedding column. Ignored by a model without text.</summary>
    public string TextEmbeddingColumnName { get; set; } = TexTokDefaults.TextEmbeddingColumn;

    /// <summary>The caption mask column. Ignored by a model without text.</summary>
    public string TextMaskColumnName { get; set; } = TexTokDefaults.TextMaskColumn;

    /// <summary>A trained model. Either this or <see cref="Tokenizer"/> must be set.</summary>
    public TexTokTrainedModel? Model { get; set; }

    /// <summary>
    /// A TexTokenize estimator earlier in the same pipeline: Detokenize uses the model it fits (or wraps), so one
    /// <c>Fit</c> call can train the pair and build both scoring steps.
    /// </summary>
    public TexTokenizeEstimator? Tokenizer { get; set; }

    /// <summary>GPU for ONNX Runtime scoring (null: CPU).</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Fall back to CPU when the GPU cannot be used.</summary>
    public bool FallbackToCpu { get; set; }

    internal void Validate()
    {
        foreach (var (value, name) in new[]
                 {
                     (OutputColumnName, nameof(OutputColumnName)), (TokensColumnName, nameof(TokensColumnName)),
                     (TextEmbeddingColumnName, nameof(TextEmbeddingColumnName)), (TextMaskColumnName, nameof(TextMaskColumnName)),
                 })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"Detokenize option {name} must name a column.", name);
            }
        }

        if (PixelsColumnName is not null && (string.IsNullOrWhiteSpace(PixelsColumnName) || PixelsColumnName == OutputColumnName))
        {
            throw new ArgumentException("Detokenize option PixelsColumnName must be null or name a column other than OutputColumnName.", nameof(PixelsColumnName));
        }

        if ((Model is null) == (Tokenizer is null))
        {
            throw new ArgumentException("Detokenize needs exactly one of Model (a trained TexTok model) and Tokenizer (a TexTokenize estimator in the same pipeline).");
        }
    }
}
