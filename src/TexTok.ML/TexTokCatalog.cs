using Microsoft.ML;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

namespace TexTok.ML;

/// <summary>
/// The TexTok components on <c>mlContext.Transforms</c>. Each returns an estimator whose fitted transformer wraps an
/// inner chain of built-in ML.NET steps, so <c>mlContext.Model.Save/Load</c> round-trip it with its weights.
/// </summary>
public static class TexTokCatalog
{
    /// <summary>Caption text → frozen text embedding (Nt · Dt floats) and mask (Nt floats).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Embedding column to write.</param>
    /// <param name="inputColumnName">Caption column to read (text).</param>
    /// <param name="maskColumnName">Mask column to write.</param>
    public static CaptionEmbedEstimator CaptionEmbed(this TransformsCatalog catalog,
                                                     string outputColumnName = TexTokDefaults.TextEmbeddingColumn,
                                                     string inputColumnName = TexTokDefaults.CaptionColumn,
                                                     string maskColumnName = TexTokDefaults.TextMaskColumn) =>
        catalog.CaptionEmbed(new CaptionEmbedOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, MaskColumnName = maskColumnName });

    /// <summary>Caption text → frozen text embedding and mask, with all settings.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Settings.</param>
    public static CaptionEmbedEstimator CaptionEmbed(this TransformsCatalog catalog, CaptionEmbedOptions options) => new(catalog, options);

    /// <summary>
    /// Image + caption embedding → N continuous tokens with a trained model (Fit only builds the scoring chain).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">The trained tokenizer/detokenizer pair.</param>
    /// <param name="outputColumnName">Token column to write (N · d floats).</param>
    /// <param name="imageColumnName">Image column to read; resized to the model's size.</param>
    /// <param name="textEmbeddingColumnName">Caption embedding column (ignored by a no-text model).</param>
    /// <param name="textMaskColumnName">Caption mask column (ignored by a no-text model).</param>
    public static TexTokenizeEstimator TexTokenize(this TransformsCatalog catalog, TexTokTrainedModel model,
                                                   string outputColumnName = TexTokDefaults.TokensColumn,
                                                   string imageColumnName = TexTokDefaults.ImageColumn,
                                                   string textEmbeddingColumnName = TexTokDefaults.TextEmbeddingColumn,
                                                   string textMaskColumnName = TexTokDefaults.TextMaskColumn)
    {
        ArgumentNullException.ThrowIfNull(model);
        return catalog.TexTokenize(new TexTokenizeOptions
        {
            Model = model, OutputColumnName = outputColumnName, ImageColumnName = imageColumnName,
            TextEmbeddingColumnName = textEmbeddingColumnName, TextMaskColumnName = textMaskColumnName,
        });
    }

    /// <summary>
    /// Image + caption embedding → N continuous tokens; Fit trains a new tokenizer/detokenizer pair on its input.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Token column to write (N · d floats).</param>
    /// <param name="imageColumnName">Image column to read; resized to <paramref name="imageSize"/>.</param>
    /// <param name="textEmbeddingColumnName">Caption embedding column.</param>
    /// <param name="textMaskColumnName">Caption mask column.</param>
    /// <param name="numTokens">N, the number of tokens per image (1 to 1024).</param>
    /// <param name="imageSize">Square image size the model works at.</param>
    /// <param name="preset">Network size.</param>
    /// <param name="steps">Training steps.</param>
    /// <param name="progress">Receives training progress.</param>
    public static TexTokenizeEstimator TexTokenize(this TransformsCatalog catalog,
                                                   string outputColumnName = TexTokDefaults.TokensColumn,
                                                   string imageColumnName = TexTokDefaults.ImageColumn,
                                                   string textEmbeddingColumnName = TexTokDefaults.TextEmbeddingColumn,
                                                   string textMaskColumnName = TexTokDefaults.TextMaskColumn,
                                                   int numTokens = TexTokDefaults.NumTokens, int imageSize = TexTokDefaults.ImageSize,
                                                   TexTokPreset preset = TexTokDefaults.Preset, int steps = TexTokDefaults.TrainingSteps, IProgress<TexTokTrainingProgress>? progress = null) =>
        catalog.TexTokenize(new TexTokenizeOptions
        {
            OutputColumnName = outputColumnName, ImageColumnName = imageColumnName,
            TextEmbeddingColumnName = textEmbeddingColumnName, TextMaskColumnName = textMaskColumnName,
            Network = TexTokConfig.FromPreset(preset, imageSize, numTokens),
            Training = new TexTokTrainingOptions { Steps = steps },
            Progress = progress,
        });

    /// <summary>Image + caption embedding → tokens, with all settings.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Settings.</param>
    public static TexTokenizeEstimator TexTokenize(this TransformsCatalog catalog, TexTokenizeOptions options) => new(catalog, options);

    /// <summary>Tokens + caption embedding → image, with a trained model.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">The trained tokenizer/detokenizer pair.</param>
    /// <param name="outputColumnName">Image column to write.</param>
    /// <param name="tokensColumnName">Token column to read.</param>
    /// <param name="textEmbeddingColumnName">Caption embedding column (ignored by a no-text model).</param>
    /// <param name="textMaskColumnName">Caption mask column (ignored by a no-text model).</param>
    public static DetokenizeEstimator Detokenize(this TransformsCatalog catalog, TexTokTrainedModel model,
                                                 string outputColumnName = TexTokDefaults.ReconstructionColumn,
                                                 string tokensColumnName = TexTokDefaults.TokensColumn,
                                                 string textEmbeddingColumnName = TexTokDefaults.TextEmbeddingColumn,
                                                 string textMaskColumnName = TexTokDefaults.TextMaskColumn)
    {
        ArgumentNullException.ThrowIfNull(model);
        return catalog.Detokenize(new DetokenizeOptions
        {
            Model = model, OutputColumnName = outputColumnName, TokensColumnName = tokensColumnName,
            TextEmbeddingColumnName = textEmbeddingColumnName, TextMaskColumnName = textMaskColumnName,
        });
    }

    /// <summary>Tokens + caption embedding → image, with the model that <paramref name="tokenizer"/> fits earlier in the same pipeline.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="tokenizer">The TexTokenize estimator of the same pipeline.</param>
    /// <param name="outputColumnName">Image column to write.</param>
    /// <param name="tokensColumnName">Token column to read.</param>
    /// <param name="textEmbeddingColumnName">Caption embedding column.</param>
    /// <param name="textMaskColumnName">Caption mask column.</param>
    public static DetokenizeEstimator Detokenize(this TransformsCatalog catalog, TexTokenizeEstimator tokenizer,
                                                 string outputColumnName = TexTokDefaults.ReconstructionColumn,
                                                 string tokensColumnName = TexTokDefaults.TokensColumn,
                                                 string textEmbeddingColumnName = TexTokDefaults.TextEmbeddingColumn,
                                                 string textMaskColumnName = TexTokDefaults.TextMaskColumn)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return catalog.Detokenize(new DetokenizeOptions
        {
            Tokenizer = tokenizer, OutputColumnName = outputColumnName, TokensColumnName = tokensColumnName,
            TextEmbeddingColumnName = textEmbeddingColumnName, TextMaskColumnName = textMaskColumnName,
        });
    }

    /// <summary>Tokens + caption embedding → image, with all settings.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Settings.</param>
    public static DetokenizeEstimator Detokenize(this TransformsCatalog catalog, DetokenizeOptions options) => new(catalog, options);

    /// <summary>Class label + seed → tokens sampled by a trained class-conditional DiT.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">The trained DiT (its latent normalisation included).</param>
    /// <param name="outputColumnName">Token column to write.</param>
    /// <param name="labelColumnName">Class label column (for a text-conditional model: ignored; use the Options overload for its columns).</param>
    /// <param name="seedColumnName">Per-row seed column.</param>
    /// <param name="steps">Sampler steps (Euler).</param>
    /// <param name="guidanceScale">Classifier-free guidance scale (1: none).</param>
    public static DiTGenerateEstimator DiTGenerate(this TransformsCatalog catalog, Torch.Generation.DiTModel model,
                                                   string outputColumnName = TexTokDefaults.TokensColumn, string labelColumnName = TexTokDefaults.LabelColumn,
                                                   string seedColumnName = TexTokDefaults.SeedColumn, int steps = TexTokDefaults.SamplerSteps,
                                                   double guidanceScale = TexTokDefaults.GuidanceScale) =>
        catalog.DiTGenerate(new DiTGenerateOptions
        {
            Model = model, OutputColumnName = outputColumnName, LabelColumnName = labelColumnName, SeedColumnName = seedColumnName,
            Sampler = new Torch.Generation.DiTSamplerOptions { Steps = steps, GuidanceScale = guidanceScale },
        });

    /// <summary>
    /// Class label (or caption embedding) + seed → tokens; Fit trains a DiT on the token column of its input (rows of
    /// tokens and labels, no seeds needed) and the fitted transformer generates for rows with a label and a seed.
    /// Without a label column in the training rows the DiT is text-conditional on the default caption columns.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Token column to write (N · d floats).</param>
    /// <param name="tokensColumnName">Token column to train on (N · d floats, e.g. TexTokenize's output).</param>
    /// <param name="labelColumnName">Class label column (whole numbers from 0; the DiT has one class per value up to the largest).</param>
    /// <param name="seedColumnName">Per-row seed column, read when generating.</param>
    /// <param name="trainingSteps">Training steps.</param>
    /// <param name="samplerSteps">Sampler steps (Euler).</param>
    /// <param name="guidanceScale">Classifier-free guidance scale (1: none).</param>
    /// <param name="progress">Receives training progress.</param>
    public static DiTGenerateEstimator DiTGenerate(this TransformsCatalog catalog,
                                                   string outputColumnName = TexTokDefaults.TokensColumn, string tokensColumnName = TexTokDefaults.TokensColumn,
                                                   string labelColumnName = TexTokDefaults.LabelColumn, string seedColumnName = TexTokDefaults.SeedColumn,
                                                   int trainingSteps = TexTokDefaults.TrainingSteps, int samplerSteps = TexTokDefaults.SamplerSteps,
                                                   double guidanceScale = TexTokDefaults.GuidanceScale, IProgress<Torch.Generation.DiTTrainingProgress>? progress = null) =>
        catalog.DiTGenerate(new DiTGenerateOptions
        {
            OutputColumnName = outputColumnName, TokensColumnName = tokensColumnName, LabelColumnName = labelColumnName, SeedColumnName = seedColumnName,
            Training = new Torch.Generation.DiTTrainingOptions { Steps = trainingSteps },
            Sampler = new Torch.Generation.DiTSamplerOptions { Steps = samplerSteps, GuidanceScale = guidanceScale },
            Progress = progress,
        });

    /// <summary>Label or caption embedding + seed → tokens, with all settings.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Settings.</param>
    public static DiTGenerateEstimator DiTGenerate(this TransformsCatalog catalog, DiTGenerateOptions options) => new(catalog, options);
}
