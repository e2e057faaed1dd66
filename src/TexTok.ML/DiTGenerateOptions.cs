using TexTok.ML.Torch.Generation;

namespace TexTok.ML;

/// <summary>Settings of <see cref="DiTGenerateEstimator"/>.</summary>
public sealed class DiTGenerateOptions
{
    /// <summary>The token column to write (N · d floats, in the tokenizer's units: Detokenize reads it directly).</summary>
    public string OutputColumnName { get; set; } = TexTokDefaults.TokensColumn;

    /// <summary>
    /// The token column Fit trains on when <see cref="Model"/> is null: a vector of N · d floats of known size, token-major,
    /// as TexTokenize writes it. Not read when a Model is given, nor by the fitted transformer.
    /// </summary>
    public string TokensColumnName { get; set; } = TexTokDefaults.TokensColumn;

    /// <summary>The class label column of a class-conditional model (a whole number 0 … classes − 1, any numeric type).</summary>
    public string LabelColumnName { get; set; } = TexTokDefaults.LabelColumn;

    /// <summary>The caption embedding column of a text-conditional model.</summary>
    public string TextEmbeddingColumnName { get; set; } = TexTokDefaults.TextEmbeddingColumn;

    /// <summary>The caption mask column of a text-conditional model.</summary>
    public string TextMaskColumnName { get; set; } = TexTokDefaults.TextMaskColumn;

    /// <summary>
    /// The per-row sampling seed (a whole number; the same seed and condition give the same tokens). Read by the fitted
    /// transformer for every row it generates; a Fit that trains does not need it in its input.
    /// </summary>
    public string SeedColumnName { get; set; } = TexTokDefaults.SeedColumn;

    /// <summary>
    /// An already-trained generator to wrap (its latent normalisation is part of it): Fit then only builds the sampling
    /// chain, and the model stays the caller's. When null, Fit trains a new DiT on its input's token column with
    /// <see cref="Network"/> and <see cref="Training"/>.
    /// </summary>
    public DiTModel? Model { get; set; }

    /// <summary>
    /// The network to train when <see cref="Model"/> is null. Null: <see cref="DiTGenerateEstimator.DefaultNetwork"/>
    /// (class-conditional, its class count one more than the largest training label) when the input has the label
    /// column, else <see cref="DiTGenerateEstimator.DefaultTextNetwork"/>. Its <c>NumTokens</c> and <c>TokenDim</c> are
    /// replaced by the token column's shape (see <see cref="TokenDim"/>), and a text-conditional network's
    /// <c>TextTokens</c>/<c>TextDim</c> by the caption columns' shape. <c>NumClasses</c> = 0 with <c>TextTokens</c> = 0
    /// trains an unconditional DiT.
    /// </summary>
    public DiTConfig? Network { get; set; }

    /// <summary>
    /// Channels per token d when Fit trains, which splits the token column's N · d values into N tokens. Null: the d of
    /// the TexTokenize that wrote the column (its <see cref="TexTokTokenSource"/> annotation), or
    /// <see cref="TexTokDefaults.TokenDim"/> for a column without one.
    /// </summary>
    public int? TokenDim { get; set; }

    /// <summary>Training settings when <see cref="Model"/> is null (defaults: <see cref="DiTTrainingOptions"/>).</summary>
    public DiTTrainingOptions? Training { get; set; }

    /// <summary>Receives training progress (loss, samples/s) when Fit trains.</summary>
    public IProgress<DiTTrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Stops a training Fit after the current step: Fit writes the checkpoint (when <c>Training.CheckpointPath</c> is set)
    /// and throws <see cref="OperationCanceledException"/>. <c>MLContext.CancelExecution()</c> on the context that made
    /// the estimator stops it the same way.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Sampler settings: method, steps, time shift, guidance scale and interval (baked into the saved graph).</summary>
    public DiTSamplerOptions Sampler { get; set; } = new();

    /// <summary>GPU for ONNX Runtime scoring (null: CPU).</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Fall back to CPU when the GPU cannot be used.</summary>
    public bool FallbackToCpu { get; set; }

    internal void Validate(string component)
    {
        foreach (var (value, name) in new[]
                 {
                     (OutputColumnName, nameof(OutputColumnName)), (TokensColumnName, nameof(TokensColumnName)), (LabelColumnName, nameof(LabelColumnName)),
                     (TextEmbeddingColumnName, nameof(TextEmbeddingColumnName)), (TextMaskColumnName, nameof(TextMaskColumnName)),
                     (SeedColumnName, nameof(SeedColumnName)),
                 })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"{component} option {name} must name a column.", name);
            }
        }

        if (TokenDim is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(TokenDim), TokenDim, $"{component} option TokenDim must be in [1, 256]; got {TokenDim}.");
        }

        ArgumentNullException.ThrowIfNull(Sampler, nameof(Sampler));
        Sampler.Validate();
        Training?.Validate();
        Network?.Validate();
        if (Model is not null)
        {
            CheckNoiseWidth(component, Model.Config, nameof(Model));
        }
    }

    /// <summary>Refuses a network whose N · d is above the width of the seed-to-noise mapping.</summary>
    internal static void CheckNoiseWidth(string component, DiTConfig config, string name)
    {
        if (config.TokenLength > DiTNoiseMapping.Width)
        {
            throw new ArgumentOutOfRangeException(name,
                $"{component} supports N · d up to {DiTNoiseMapping.Width}; this model has {config.NumTokens} · {config.TokenDim} = {config.TokenLength}.");
        }
    }
}
