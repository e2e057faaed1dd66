using TexTok.ML.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>
/// A TexTok tokenizer and detokenizer pair with continuous KL tokens: encode an image (and its caption's text
/// embedding) into N tokens of d channels, decode tokens (and the same text) back into an image.
/// </summary>
public sealed class TexTokModel : nn.Module<Tensor, Tensor?, Tensor?, Tensor>
{
    [ComponentName(Name = "encoder")]
    private readonly TexTokEncoder _encoder;

    [ComponentName(Name = "decoder")]
    private readonly TexTokDecoder _decoder;

    /// <summary>Creates a model with weights initialised from the current torch seed.</summary>
    /// <param name="config">Network shape.</param>
    /// <param name="device">Device for the weights; the CPU when null.</param>
    public TexTokModel(TexTokConfig config, Device? device = null)
        : base(nameof(TexTokModel))
    {
        config.Validate();
        Config = config;
        _encoder = new TexTokEncoder(config);
        _decoder = new TexTokDecoder(config);
        RegisterComponents();
        InitializeWeights();
        if (device is not null && device.type != DeviceType.CPU)
        {
            this.to(device);
        }
    }

    /// <summary>Initial log-variance of the token posterior (a standard deviation of about 0.05).</summary>
    public const double InitialLogVariance = -6.0;

    /// <summary>The network shape.</summary>
    public TexTokConfig Config { get; }

    /// <summary>The tokenizer.</summary>
    public TexTokEncoder Encoder => _encoder;

    /// <summary>The detokenizer.</summary>
    public TexTokDecoder Decoder => _decoder;

    /// <summary>Posterior mean and log-variance [B, N, d] of the tokens of <paramref name="image"/>.</summary>
    /// <param name="image">Images [B, 3, H, W] in [−1, 1].</param>
    /// <param name="text">Text embeddings [B, Nt, Dt], or null for the baseline.</param>
    /// <param name="textMask">Text mask [B, Nt], or null for the baseline.</param>
    public (Tensor Mean, Tensor LogVar) Encode(Tensor image, Tensor? text, Tensor? textMask) =>
        _encoder.forward(image, text, textMask);

    /// <summary>Images [B, 3, H, W] (unclamped, nominally in [−1, 1]) decoded from tokens [B, N, d].</summary>
    /// <param name="tokens">Tokens.</param>
    /// <param name="text">Text embeddings, or null for the baseline.</param>
    /// <param name="textMask">Text mask, or null for the baseline.</param>
    public Tensor Decode(Tensor tokens, Tensor? text, Tensor? textMask) => _decoder.forward(tokens, text, textMask);

    /// <summary>Reconstructs images through the posterior mean (deterministic).</summary>
    /// <param name="image">Images [B, 3, H, W] in [−1, 1].</param>
    /// <param name="text">Text embeddings, or null for the baseline.</param>
    /// <param name="textMask">Text mask, or null for the baseline.</param>
    public override Tensor forward(Tensor image, Tensor? text, Tensor? textMask)
    {
        using var scope = NewDisposeScope();
        var (mean, _) = Encode(image, text, textMask);
        return Decode(mean, text, textMask).MoveToOuterDisposeScope();
    }

    private bool IsConvolutionalPart(string name) =>
        name.StartsWith("encoder.stem.", StringComparison.Ordinal) || name.StartsWith("decoder.conv_head.", StringComparison.Ordinal) ||
        (Config.ConvStemChannels > 0 && name.StartsWith("encoder.patch_embed.", StringComparison.Ordinal));

    /// <summary>Validates the text inputs against the configuration and returns them non-null.</summary>
    /// <param name="text">Text embeddings [B, Nt, Dt].</param>
    /// <param name="textMask">Mask [B, Nt].</param>
    /// <param name="config">The network shape.</param>
    internal static (Tensor Text, Tensor Mask) RequireText(Tensor? text, Tensor? textMask, TexTokConfig config)
    {
        if (text is null || textMask is null)
        {
            throw new ArgumentException("This TexTok model is text-conditioned: pass the caption's text embedding and mask.", nameof(text));
        }

        if (text.ndim != 3 || text.shape[1] != config.TextTokens || text.shape[2] != config.TextDim)
        {
            throw new ArgumentException(
                $"Text embedding must be [B, {config.TextTokens}, {config.TextDim}]; got [{string.Join(", ", text.shape)}].", nameof(text));
        }

        if (textMask.ndim != 2 || textMask.shape[1] != config.TextTokens || textMask.shape[0] != text.shape[0])
        {
            throw new ArgumentException(
                $"Text mask must be [{text.shape[0]}, {config.TextTokens}]; got [{string.Join(", ", textMask.shape)}].", nameof(textMask));
        }

        return (text, textMask);
    }

    private void InitializeWeights()
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else if (name.Contains("norm", StringComparison.Ordinal))
            {
                parameter.FillWith(1.0);
            }
            else if (name.StartsWith("decoder.refine.", StringComparison.Ordinal))
            {
                // The refinement starts as the identity so early training sees the plain unpatchified output.
                parameter.zero_();
            }
            else if (IsConvolutionalPart(name))
            {
                // The stem, its patchify and the pixel head keep the Kaiming-uniform start of a convolution: at std
                // 0.02 a stack of them would pass on almost no signal.
            }
            else if (name.EndsWith("token_mix", StringComparison.Ordinal))
            {
                TokenAxisPath.Initialize(parameter, Config, encoderSide: name.StartsWith("encoder.", StringComparison.Ordinal));
            }
            else
            {
                TruncatedNormal.Fill(parameter, 0.02);
            }
        }

        if (Config.QueryKeyInitStd != 0.02)
        {
            foreach (var (name, parameter) in named_parameters())
            {
                if (name.EndsWith("attn.qkv.weight", StringComparison.Ordinal))
                {
                    // Rows [0, 2D) project queries and keys; larger ones make the first attention scores distinct.
                    TruncatedNormal.Fill(parameter.narrow(0, 0, 2 * parameter.shape[1]), Config.QueryKeyInitStd);
                }
            }
        }

        // The posterior starts narrow: with the default log-variance of 0, unit noise would swamp the (initially
        // small) token means, and training was seen to collapse to the dataset mean image ignoring the tokens.
        foreach (var (name, parameter) in named_parameters())
        {
            if (name == "encoder.head.bias")
            {
                parameter.narrow(0, Config.TokenDim, Config.TokenDim).FillWith(InitialLogVariance);
            }
        }
    }
}
