using TexTok.ML.Torch.Generation;

namespace TexTok.ML;

/// <summary>Settings of <see cref="DiTGenerateEstimator"/>.</summary>
public sealed class DiTGenerateOptions
{
    /// <summary>The token column to write (N · d floats, in the tokenizer's units: Detokenize reads it directly).</summary>
    public string OutputColumnName { get; set; } = TexTokDefaults.TokensColumn;

    /// <summary>The class label column of a class-conditional model (a whole number 0 … classes − 1, any numeric type).</summary>
    public string LabelColumnName { get; set; } = TexTokDefaults.LabelColumn;

    /// <summary>The caption embedding column of a text-conditional model.</summary>
    public string TextEmbeddingColumnName { get; set; } = TexTokDefaults.TextEmbeddingColumn;

    /// <summary>The caption mask column of a text-conditional model.</summary>
    public string TextMaskColumnName { get; set; } = TexTokDefaults.TextMaskColumn;

    /// <summary>The per-row sampling seed (a whole number; the same seed and condition give the same tokens).</summary>
    public string SeedColumnName { get; set; } = TexTokDefaults.SeedColumn;

    /// <summary>The trained generator (its latent normalisation is part of it). Required.</summary>
    public DiTModel? Model { get; set; }

    /// <summary>Sampler settings: method, steps, time shift, guidance scale and interval (baked into the saved graph).</summary>
    public DiTSamplerOptions Sampler { get; set; } = new();

    /// <summary>GPU for ONNX Runtime scoring (null: CPU).</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Fall back to CPU when the GPU cannot be used.</summary>
    public bool FallbackToCpu { get; set; }

    internal void Validate()
    {
        if (Model is null)
        {
            throw new ArgumentException("DiTGenerate needs a trained DiT model (Model).", nameof(Model));
        }

        foreach (var (value, name) in new[]
                 {
                     (OutputColumnName, nameof(OutputColumnName)), (LabelColumnName, nameof(LabelColumnName)),
                     (TextEmbeddingColumnName, nameof(TextEmbeddingColumnName)), (TextMaskColumnName, nameof(TextMaskColumnName)),
                     (SeedColumnName, nameof(SeedColumnName)),
                 })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"DiTGenerate option {name} must name a column.", name);
            }
        }

        ArgumentNullException.ThrowIfNull(Sampler, nameof(Sampler));
        Sampler.Validate();
        if (Model.Config.TokenLength > DiTNoiseMapping.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(Model),
                $"DiTGenerate supports N · d up to {DiTNoiseMapping.Width}; this model has {Model.Config.NumTokens} · {Model.Config.TokenDim} = {Model.Config.TokenLength}.");
        }
    }
}
