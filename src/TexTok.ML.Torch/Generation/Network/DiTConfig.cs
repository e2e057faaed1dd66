using System.Text.Json;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Shape of a diffusion transformer over N image tokens of d channels. Conditioning is by class label
/// (<see cref="NumClasses"/> &gt; 0, DiT) or by a caption's text embedding (<see cref="TextTokens"/> &gt; 0, DiT-T2I
/// with cross-attention); with neither the model is unconditional.
/// </summary>
public sealed record DiTConfig
{
    /// <summary>Number of image tokens N (each is one DiT token: patch size 1).</summary>
    public int NumTokens { get; init; } = 32;

    /// <summary>Channels per image token d (the paper uses 8).</summary>
    public int TokenDim { get; init; } = 8;

    /// <summary>Transformer width.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Number of DiT blocks.</summary>
    public int Depth { get; init; } = 2;

    /// <summary>Attention heads; must divide <see cref="Width"/>.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Hidden size of the MLP as a multiple of the width.</summary>
    public int MlpRatio { get; init; } = 4;

    /// <summary>Number of classes for class-conditional generation (0: not class-conditional). The label table has one extra null row.</summary>
    public int NumClasses { get; init; } = 10;

    /// <summary>Probability that training replaces the condition (label or caption) with the null condition, for classifier-free guidance.</summary>
    public double ClassDropout { get; init; } = 0.1;

    /// <summary>Number of text tokens Nt for text-conditional generation (0: not text-conditional).</summary>
    public int TextTokens { get; init; }

    /// <summary>Width Dt of each text-token embedding (required when <see cref="TextTokens"/> &gt; 0).</summary>
    public int TextDim { get; init; }

    /// <summary>Number of sinusoidal frequencies of the timestep embedding (DiT: 256).</summary>
    public int FrequencyDim { get; init; } = 256;

    /// <summary>Whether the model is conditioned on class labels.</summary>
    public bool IsClassConditional => NumClasses > 0;

    /// <summary>Whether the model is conditioned on caption text embeddings.</summary>
    public bool IsTextConditional => TextTokens > 0;

    /// <summary>Number of values of one token sequence, N·d.</summary>
    public int TokenLength => NumTokens * TokenDim;

    /// <summary>
    /// Multiply-accumulates of one forward pass for one sample (what DiT's paper calls Gflops): the token embedding,
    /// the timestep MLP, per block the qkv/output projections (4·N·W²), the attention products (2·N²·W), the MLP
    /// (2·r·N·W²), the adaLN modulation (6·W²) and, for DiT-T2I, the cross-attention; then the final layer.
    /// Element-wise operations, softmax and normalisation are not counted.
    /// </summary>
    public double MultiplyAccumulates()
    {
        double n = NumTokens, w = Width, d = TokenDim, nt = TextTokens;
        double block = 4 * n * w * w + 2 * n * n * w + 2 * MlpRatio * n * w * w + 6 * w * w;
        if (IsTextConditional)
        {
            block += 2 * n * w * w + 2 * nt * w * w + 2 * n * nt * w;
        }

        double text = IsTextConditional ? nt * TextDim * w + w * w : 0;
        double embed = n * d * w + FrequencyDim * w + w * w + text;
        double final = 2 * w * w + n * w * d;
        return embed + Depth * block + final;
    }

    /// <summary>A preset size for N tokens of d channels.</summary>
    /// <param name="preset">Network size.</param>
    /// <param name="numTokens">Number of image tokens N.</param>
    /// <param name="tokenDim">Channels per token d.</param>
    /// <param name="numClasses">Classes (0 for a text-conditional or unconditional model).</param>
    /// <param name="textTokens">Text tokens Nt (0 for a class-conditional model).</param>
    /// <param name="textDim">Text embedding width Dt.</param>
    public static DiTConfig FromPreset(DiTPreset preset, int numTokens = 32, int tokenDim = 8, int numClasses = 10,
                                       int textTokens = 0, int textDim = 0)
    {
        var (depth, width, heads) = preset switch
        {
            DiTPreset.Tiny => (2, 64, 4),
            DiTPreset.S => (12, 384, 6),
            DiTPreset.B => (12, 768, 12),
            DiTPreset.L => (24, 1024, 16),
            DiTPreset.XL => (28, 1152, 16),
            _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "Unknown DiT preset."),
        };
        var config = new DiTConfig
        {
            NumTokens = numTokens, TokenDim = tokenDim, Width = width, Depth = depth, Heads = heads,
            NumClasses = numClasses, TextTokens = textTokens, TextDim = textDim,
        };
        config.Validate();
        return config;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option and the rule it breaks.</summary>
    public void Validate()
    {
        Check(NumTokens is >= 1 and <= 4096, nameof(NumTokens), NumTokens, "must be in [1, 4096]");
        Check(TokenDim is >= 1 and <= 256, nameof(TokenDim), TokenDim, "must be in [1, 256]");
        Check(Width >= 8 && Width % 2 == 0, nameof(Width), Width, "must be even and at least 8");
        Check(Heads >= 1 && Width % Heads == 0, nameof(Heads), Heads, $"must divide Width ({Width})");
        Check(Depth >= 1, nameof(Depth), Depth, "must be at least 1");
        Check(MlpRatio >= 1, nameof(MlpRatio), MlpRatio, "must be at least 1");
        Check(NumClasses >= 0, nameof(NumClasses), NumClasses, "must be 0 (no class conditioning) or positive");
        Check(FrequencyDim >= 2 && FrequencyDim % 2 == 0, nameof(FrequencyDim), FrequencyDim, "must be even and at least 2");
        Check(TextTokens is >= 0 and <= 1024, nameof(TextTokens), TextTokens, "must be in [0, 1024]");
        Check(TextTokens == 0 || TextDim is >= 1 and <= 8192, nameof(TextDim), TextDim,
            "must be in [1, 8192] for a text-conditional model (TextTokens > 0)");
        Check(!(NumClasses > 0 && TextTokens > 0), nameof(TextTokens), TextTokens,
            $"must be 0 for a class-conditional model (NumClasses = {NumClasses}); set NumClasses = 0 for text-to-image");
        if (ClassDropout is < 0 or >= 1 || double.IsNaN(ClassDropout))
        {
            throw new ArgumentOutOfRangeException(nameof(ClassDropout), ClassDropout, $"ClassDropout must be in [0, 1); got {ClassDropout}.");
        }
    }

    /// <summary>Serialises the configuration as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads a configuration written by <see cref="ToJson"/> and validates it.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="InvalidDataException">The text is not a DiT configuration.</exception>
    public static DiTConfig FromJson(string json)
    {
        DiTConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<DiTConfig>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The DiT configuration is not valid JSON ({e.Message}).", e);
        }

        if (config is null)
        {
            throw new InvalidDataException("The DiT configuration JSON is empty.");
        }

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
