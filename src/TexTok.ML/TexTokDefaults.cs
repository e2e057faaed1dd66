using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

namespace TexTok.ML;

/// <summary>
/// The defaults of the TexTok components, in one place: the catalog methods' parameters and the Options classes'
/// initial values both read them, so <c>TexTokenize()</c> and <c>TexTokenize(new TexTokenizeOptions())</c> do the same.
/// </summary>
public static class TexTokDefaults
{
    /// <summary>Tokens per image (N) of the network TexTokenize trains when none is given.</summary>
    public const int NumTokens = 32;

    /// <summary>Square image size of the network TexTokenize trains when none is given.</summary>
    public const int ImageSize = 64;

    /// <summary>Network size TexTokenize trains when none is given.</summary>
    public const TexTokPreset Preset = TexTokPreset.Tiny;

    /// <summary>
    /// Channels per token d: TexTokenize's (<see cref="TexTokConfig.TokenDim"/>'s default, the paper's) and the d DiTGenerate
    /// assumes when it trains on a token column that no TexTokenize annotated.
    /// </summary>
    public const int TokenDim = 8;

    /// <summary>Network size DiTGenerate trains when none is given.</summary>
    public const DiTPreset GeneratorPreset = DiTPreset.Tiny;

    /// <summary>Training steps of TexTokenize's and DiTGenerate's Fit (<see cref="OptimizationOptions.Steps"/>'s default).</summary>
    public const int TrainingSteps = OptimizationOptions.DefaultSteps;

    /// <summary>DiTGenerate's sampler steps (<see cref="DiTSamplerOptions.Steps"/>'s default).</summary>
    public const int SamplerSteps = DiTSamplerOptions.DefaultSteps;

    /// <summary>DiTGenerate's classifier-free guidance scale (1: none; <see cref="DiTSamplerOptions.GuidanceScale"/>'s default).</summary>
    public const double GuidanceScale = DiTSamplerOptions.DefaultGuidanceScale;

    /// <summary>Class label (input of DiTGenerate for a class-conditional model).</summary>
    public const string LabelColumn = "Label";

    /// <summary>Per-row sampling seed (input of DiTGenerate).</summary>
    public const string SeedColumn = "Seed";

    /// <summary>Caption text (input of CaptionEmbed).</summary>
    public const string CaptionColumn = "Caption";

    /// <summary>Caption embedding, Nt · Dt floats (CaptionEmbed's output, TexTokenize's and Detokenize's input).</summary>
    public const string TextEmbeddingColumn = "TextEmbedding";

    /// <summary>Caption mask, Nt floats (CaptionEmbed's output).</summary>
    public const string TextMaskColumn = "TextMask";

    /// <summary>Image (TexTokenize's input).</summary>
    public const string ImageColumn = "Image";

    /// <summary>Tokens, N · d floats (TexTokenize's output, Detokenize's input).</summary>
    public const string TokensColumn = "Tokens";

    /// <summary>Reconstructed or generated image (Detokenize's output).</summary>
    public const string ReconstructionColumn = "Reconstruction";

    /// <summary>Reconstructed pixels, 3 · H · W floats in [0, 255], channel-major RGB (Detokenize's second output).</summary>
    public const string ReconstructionPixelsColumn = "ReconstructionPixels";
}
