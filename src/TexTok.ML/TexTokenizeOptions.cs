using Microsoft.ML;
using Microsoft.ML.Transforms.Image;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

namespace TexTok.ML;

/// <summary>Settings of <see cref="TexTokenizeEstimator"/>.</summary>
public sealed class TexTokenizeOptions
{
    /// <summary>The token column to write: a vector of N · d floats (N tokens of width d, token-major).</summary>
    public string OutputColumnName { get; set; } = TexTokDefaults.TokensColumn;

    /// <summary>The image column to read (an ML.NET image, e.g. from LoadImages); it is resized to the model's size.</summary>
    public string ImageColumnName { get; set; } = TexTokDefaults.ImageColumn;

    /// <summary>The caption embedding column (Nt · Dt floats, e.g. from CaptionEmbed). Ignored by a model without text.</summary>
    public string TextEmbeddingColumnName { get; set; } = TexTokDefaults.TextEmbeddingColumn;

    /// <summary>The caption mask column (Nt floats, 1 for real positions). Ignored by a model without text.</summary>
    public string TextMaskColumnName { get; set; } = TexTokDefaults.TextMaskColumn;

    /// <summary>
    /// An already-trained model to wrap: Fit then only builds the scoring chain. When null, Fit trains a new
    /// model on its input with <see cref="Network"/> and <see cref="Training"/>.
    /// </summary>
    public TexTokTrainedModel? Model { get; set; }

    /// <summary>
    /// The network to train when <see cref="Model"/> is null. Null: the Tiny preset at 64 px with 32 tokens.
    /// Its <c>TextTokens</c>/<c>TextDim</c> are replaced by the shape of the input's text columns, and
    /// <c>UseText</c> = false trains the no-text baseline.
    /// </summary>
    public TexTokConfig? Network { get; set; }

    /// <summary>Training settings when <see cref="Model"/> is null (defaults: <see cref="TexTokTrainingOptions"/>).</summary>
    public TexTokTrainingOptions? Training { get; set; }

    /// <summary>
    /// Held-out rows (the same image and text columns as the training input) whose reconstruction PSNR a training Fit
    /// measures every <c>Training.ValidateEvery</c> steps and at the last step, into
    /// <see cref="TexTokTrainingProgress.HeldOutPsnr"/> of <see cref="Progress"/> and of the fitted transformer's
    /// <see cref="TexTokenizeTransformer.TrainingHistory"/>. Read once, before training. Null: nothing is measured.
    /// Measuring does not change the trained weights.
    /// </summary>
    public IDataView? HeldOutData { get; set; }

    /// <summary>Receives training progress (losses, images/s) when Fit trains.</summary>
    public IProgress<TexTokTrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Folder for the temporary sample cache that training reads from (pixels and text of every row, written once
    /// in one pass over the input, deleted afterwards). Null: the system temporary folder.
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>How images of another size are brought to the model's square size (default: scale and crop the centre).</summary>
    public ImageResizingEstimator.ResizingKind Resizing { get; set; } = ImageResizingEstimator.ResizingKind.IsoCrop;

    /// <summary>
    /// Stops a training Fit after the current step: Fit writes the checkpoint (when <c>Training.CheckpointPath</c> is set)
    /// and throws <see cref="OperationCanceledException"/>. <c>MLContext.CancelExecution()</c> on the context that made
    /// the estimator stops it the same way.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// When training, leave out rows whose image cannot be read (a truncated or missing file) instead of failing Fit;
    /// the fitted transformer's <see cref="TexTokenizeTransformer.SkippedImages"/> counts them and keeps the first
    /// messages. Off by default: a bad image fails Fit with the loader's message. Rows with bad text still fail.
    /// </summary>
    public bool SkipInvalidImages { get; set; }

    /// <summary>GPU for ONNX Runtime scoring (null: CPU). Mirrors MLContext.GpuDeviceId.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Fall back to CPU when the GPU cannot be used. Mirrors MLContext.FallbackToCpu.</summary>
    public bool FallbackToCpu { get; set; }

    internal void Validate(string component)
    {
        foreach (var (value, name) in new[]
                 {
                     (OutputColumnName, nameof(OutputColumnName)), (ImageColumnName, nameof(ImageColumnName)),
                     (TextEmbeddingColumnName, nameof(TextEmbeddingColumnName)), (TextMaskColumnName, nameof(TextMaskColumnName)),
                 })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"{component} option {name} must name a column.", name);
            }
        }

        Training?.Validate();
        Network?.Validate();
    }
}
