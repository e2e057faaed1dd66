using TexTok.ML.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>
/// The TexTok tokenizer: a ViT over [image patches ; N learnable image tokens ; projected text tokens]. Only the N
/// image-token outputs are kept; a linear head maps each to the mean and log-variance of a d-channel Gaussian.
/// Optionally a convolutional stem precedes the patch embedding and a learned token-axis path seeds the latents
/// (<see cref="TexTokConfig.ConvStemChannels"/>, <see cref="TexTokConfig.TokenMixing"/>).
/// </summary>
public sealed partial class TexTokEncoder : nn.Module<Tensor, Tensor?, Tensor?, (Tensor Mean, Tensor LogVar)>
{
    private readonly TexTokConfig _config;

    [ComponentName(Name = "stem")]
    private readonly UnfoldConv2d? _stem;

    [ComponentName(Name = "patch_embed")]
    private readonly Conv2d _patchEmbed;

    [ComponentName(Name = "token_mix")]
    private readonly Parameter? _tokenMix;

    [ComponentName(Name = "patch_pos")]
    private readonly Parameter _patchPosition;

    [ComponentName(Name = "latent_tokens")]
    private readonly Parameter _latentTokens;

    [ComponentName(Name = "latent_pos")]
    private readonly Parameter _latentPosition;

    [ComponentName(Name = "text")]
    private readonly TextConditioning? _text;

    [ComponentName(Name = "transformer")]
    private readonly TransformerStack _transformer;

    [ComponentName(Name = "head")]
    private readonly Linear _head;

    /// <summary>Creates the tokenizer for <paramref name="config"/>.</summary>
    /// <param name="config">Network shape.</param>
    public TexTokEncoder(TexTokConfig config)
        : base(nameof(TexTokEncoder))
    {
        _config = config;
        int d = config.Width;
        if (config.ConvStemChannels > 0)
        {
            _stem = new UnfoldConv2d(3, config.ConvStemChannels, 3, stride: 2, padding: 1);
            _patchEmbed = nn.Conv2d(config.ConvStemChannels, d, config.PatchSize / 2, stride: config.PatchSize / 2);
        }
        else
        {
            _patchEmbed = nn.Conv2d(3, d, config.PatchSize, stride: config.PatchSize);
        }

        _tokenMix = config.TokenMixing ? nn.Parameter(torch.zeros(config.NumTokens, config.NumPatches)) : null;
        _patchPosition = nn.Parameter(torch.zeros(config.NumPatches, d));
        _latentTokens = nn.Parameter(torch.zeros(config.NumTokens, d));
        _latentPosition = nn.Parameter(torch.zeros(config.NumTokens, d));
        _text = config.UseText ? new TextConditioning(config.TextTokens, config.TextDim, d) : null;
        _transformer = new TransformerStack(config.Depth, d, config.Heads, config.MlpRatio);
        _head = nn.Linear(d, 2 * config.TokenDim);
        RegisterComponents();
    }

    /// <summary>
    /// Encodes images [B, 3, H, W] in [−1, 1] with text embeddings [B, Nt, Dt] and mask [B, Nt] (both null for the
    /// baseline) into the posterior mean and log-variance, each [B, N, d]. The log-variance is clamped to [−30, 20].
    /// </summary>
    /// <param name="image">Images.</param>
    /// <param name="text">Text embeddings, or null for the baseline.</param>
    /// <param name="textMask">Text mask, or null for the baseline.</param>
    public override (Tensor Mean, Tensor LogVar) forward(Tensor image, Tensor? text, Tensor? textMask)
    {
        using var scope = NewDisposeScope();
        long b = image.shape[0];
        var features = _stem is null ? image : nn.functional.gelu(_stem.forward(image));
        var embedded = _patchEmbed.forward(features).flatten(2).transpose(1, 2);
        var patches = embedded.Plus(_patchPosition);
        var latents = _latentTokens.Plus(_latentPosition).unsqueeze(0).expand(b, -1, -1);
        if (_tokenMix is not null)
        {
            // latents += M_e · E: each latent starts as its own learned mixture of the patches.
            latents = latents.Plus(_tokenMix.matmul(embedded));
        }

        Tensor? projectedText = null, mask = null;
        if (_text is not null)
        {
            var (t, m) = TexTokModel.RequireText(text, textMask, _config);
            projectedText = _text.forward(t);
            mask = m;
        }

        var h = _transformer.ForwardSegments([patches, latents], projectedText, mask);
        var moments = _head.forward(h.narrow(1, _config.NumPatches, _config.NumTokens));
        var mean = moments.narrow(2, 0, _config.TokenDim);
        var logVar = moments.narrow(2, _config.TokenDim, _config.TokenDim).ClampTo(-30.0, 20.0);
        return (mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    }
}
