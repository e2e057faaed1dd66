using System.Text.Json;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>
/// Shape of a TexTok tokenizer/detokenizer pair. The same record describes the no-text baseline
/// (<see cref="UseText"/> = <see langword="false"/>), which is the identical network without the text segment.
/// </summary>
public sealed record TexTokConfig
{
    /// <summary>Side of the square input image in pixels.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>Side of a square patch in pixels; must divide <see cref="ImageSize"/>.</summary>
    public int PatchSize { get; init; } = 8;

    /// <summary>Transformer width D.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Number of transformer blocks in the tokenizer and, separately, in the detokenizer.</summary>
    public int Depth { get; init; } = 2;

    /// <summary>Attention heads; must divide <see cref="Width"/>.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Hidden size of the MLP as a multiple of the width.</summary>
    public int MlpRatio { get; init; } = 4;

    /// <summary>Number of image tokens N.</summary>
    public int NumTokens { get; init; } = 16;

    /// <summary>Channels per image token d (the paper uses 8).</summary>
    public int TokenDim { get; init; } = 8;

    /// <summary>Number of text tokens Nt the text encoder produces.</summary>
    public int TextTokens { get; init; } = 32;

    /// <summary>Width Dt of each text-token embedding.</summary>
    public int TextDim { get; init; } = 64;

    /// <summary>Whether the text segment is part of both networks; <see langword="false"/> gives the baseline.</summary>
    public bool UseText { get; init; } = true;

    /// <summary>Whether the detokenizer refines its unpatchified output with a residual 3×3 convolution.</summary>
    public bool RefineConv { get; init; } = true;

    /// <summary>
    /// Whether both networks have a learned linear path along the token axis: the tokenizer adds M_e·E to its learnable
    /// latents (E the patch embeddings, M_e an N×P matrix) and the detokenizer adds M_d·T to its patch queries (T the
    /// projected tokens, M_d a P×N matrix). Attention alone starts uniform, so every latent sees the mean patch and every
    /// query the mean token; this path gives each a position-selective start, and small networks leave the
    /// background-colour plateau within a few hundred steps instead of not at all (docs/tokenizer.md). Off in
    /// configurations written before it existed; on in every preset.
    /// </summary>
    public bool TokenMixing { get; init; }

    /// <summary>
    /// Channels of the tokenizer's convolutional stem (0: none). A 3×3 stride-2 convolution and GELU run before the
    /// patch embedding, which then patchifies the half-resolution features ("early convolutions", Xiao et al. 2021).
    /// Needs an even <see cref="PatchSize"/>. 0 in configurations written before it existed.
    /// </summary>
    public int ConvStemChannels { get; init; }

    /// <summary>
    /// Channels of the detokenizer's convolutional pixel head (0: none). The per-patch linear head then emits this many
    /// channels per pixel, and a GELU and a 3×3 convolution map them to RGB, so neighbouring patches blend; it replaces
    /// <see cref="RefineConv"/>. 0 in configurations written before it existed.
    /// </summary>
    public int ConvHeadChannels { get; init; }

    /// <summary>
    /// Initial standard deviation of the query and key rows of every attention projection (the other weights start at
    /// 0.02). A larger value gives attention distinct, non-uniform scores from the first step. 0.02 in configurations
    /// written before it existed.
    /// </summary>
    public double QueryKeyInitStd { get; init; } = 0.02;

    /// <summary>Patches per side.</summary>
    public int GridSize => ImageSize / PatchSize;

    /// <summary>Number of patches h·w.</summary>
    public int NumPatches => GridSize * GridSize;

    /// <summary>The <see cref="QueryKeyInitStd"/> every preset uses.</summary>
    public const double RecipeQueryKeyInitStd = 0.2;

    /// <summary>
    /// A preset at a resolution. Every preset has the training recipe's network options: <see cref="TokenMixing"/> and
    /// <see cref="QueryKeyInitStd"/> = <see cref="RecipeQueryKeyInitStd"/> (docs/tokenizer.md has the measurements). The patch size follows the paper (8 at 256 px, 16 at 512 px, i.e. a 32×32 grid) at
    /// 256 px and above, and keeps the grid at 8×8 below, so small images stay cheap on a CPU.
    /// </summary>
    /// <param name="preset">Network size.</param>
    /// <param name="imageSize">Image side in pixels.</param>
    /// <param name="numTokens">Number of image tokens N.</param>
    /// <param name="textTokens">Text tokens Nt.</param>
    /// <param name="textDim">Text embedding width Dt.</param>
    /// <param name="useText">False for the no-text baseline.</param>
    public static TexTokConfig FromPreset(TexTokPreset preset, int imageSize = 64, int numTokens = 16, int textTokens = 32,
                                          int textDim = 64, bool useText = true)
    {
        var (width, depth, heads) = preset switch
        {
            TexTokPreset.Tiny => (64, 2, 4),
            TexTokPreset.Mini => (192, 4, 3),
            TexTokPreset.S => (512, 8, 8),
            TexTokPreset.B => (768, 12, 12),
            TexTokPreset.L => (1024, 24, 16),
            _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "Unknown preset."),
        };
        int patch = imageSize >= 256 ? imageSize / 32 : Math.Max(1, imageSize / 8);
        var config = new TexTokConfig
        {
            ImageSize = imageSize, PatchSize = patch, Width = width, Depth = depth, Heads = heads,
            NumTokens = numTokens, TextTokens = textTokens, TextDim = textDim, UseText = useText,
            TokenMixing = true, QueryKeyInitStd = RecipeQueryKeyInitStd,
        };
        config.Validate();
        return config;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Check(ImageSize is >= 8 and <= 1024, nameof(ImageSize), ImageSize, "must be in [8, 1024]");
        Check(PatchSize >= 1 && ImageSize % PatchSize == 0, nameof(PatchSize), PatchSize, $"must divide ImageSize ({ImageSize})");
        Check(Width >= 8, nameof(Width), Width, "must be at least 8");
        Check(Heads >= 1 && Width % Heads == 0, nameof(Heads), Heads, $"must divide Width ({Width})");
        Check(Depth >= 1, nameof(Depth), Depth, "must be at least 1");
        Check(MlpRatio >= 1, nameof(MlpRatio), MlpRatio, "must be at least 1");
        Check(NumTokens is >= 1 and <= 1024, nameof(NumTokens), NumTokens, "must be in [1, 1024]");
        Check(TokenDim is >= 1 and <= 256, nameof(TokenDim), TokenDim, "must be in [1, 256]");
        Check(TextTokens is >= 1 and <= 1024, nameof(TextTokens), TextTokens, "must be in [1, 1024]");
        Check(TextDim is >= 1 and <= 8192, nameof(TextDim), TextDim, "must be in [1, 8192]");
        Check(ConvStemChannels is >= 0 and <= 4096, nameof(ConvStemChannels), ConvStemChannels, "must be in [0, 4096]");
        Check(ConvStemChannels == 0 || PatchSize % 2 == 0, nameof(PatchSize), PatchSize,
              $"must be even for the convolutional stem (ConvStemChannels = {ConvStemChannels})");
        Check(ConvHeadChannels is >= 0 and <= 4096, nameof(ConvHeadChannels), ConvHeadChannels, "must be in [0, 4096]");
        if (!(QueryKeyInitStd > 0 && QueryKeyInitStd <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(QueryKeyInitStd), QueryKeyInitStd,
                $"{nameof(QueryKeyInitStd)} must be in (0, 1]; got {QueryKeyInitStd}.");
        }
    }

    /// <summary>Serialises the configuration as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads a configuration written by <see cref="ToJson"/> and validates it.</summary>
    /// <param name="json">The JSON text.</param>
    public static TexTokConfig FromJson(string json)
    {
        var config = JsonSerializer.Deserialize<TexTokConfig>(json)
                     ?? throw new InvalidDataException("The tokenizer configuration JSON is empty.");
        config.Validate();
        return config;
    }

    private static void Check(bool ok, string name, int value, string rule)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}; got {value}.");
        }
    }
}
