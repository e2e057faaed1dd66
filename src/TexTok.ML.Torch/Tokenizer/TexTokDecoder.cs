using TexTok.ML.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>
/// The TexTok detokenizer: a ViT over [h·w learnable patch queries ; N image tokens projected to the width ; the
/// same text tokens]. The patch-query outputs become pixels through a per-patch linear head and an unpatchify,
/// optionally followed by a residual 3×3 convolution, or (<see cref="TexTokConfig.ConvHeadChannels"/>) a per-patch
/// head to feature channels, a GELU and a 3×3 convolution to RGB. With <see cref="TexTokConfig.TokenMixing"/> a learned
/// token-axis path seeds the patch queries.
/// </summary>
public sealed partial class TexTokDecoder : nn.Module<Tensor, Tensor?, Tensor?, Tensor>
{
    private readonly TexTokConfig _config;

    [ComponentName(Name = "patch_queries")]
    private readonly Parameter _patchQueries;

    [ComponentName(Name = "token_proj")]
    private readonly Linear _tokenProjection;

    [ComponentName(Name = "token_pos")]
    private readonly Parameter _tokenPosition;

    [ComponentName(Name = "token_mix")]
    private readonly Parameter? _tokenMix;

    [ComponentName(Name = "text")]
    private readonly TextConditioning? _text;

    [ComponentName(Name = "transformer")]
    private readonly TransformerStack _transformer;

    [ComponentName(Name = "pixel_head")]
    private readonly Linear _pixelHead;

    [ComponentName(Name = "refine")]
    private readonly UnfoldConv2d? _refine;

    [ComponentName(Name = "conv_head")]
    private readonly UnfoldConv2d? _convHead;

    /// <summary>Creates the detokenizer for <paramref name="config"/>.</summary>
    /// <param name="config">Network shape.</param>
    public TexTokDecoder(TexTokConfig config)
        : base(nameof(TexTokDecoder))
    {
        _config = config;
        int d = config.Width;
        _patchQueries = nn.Parameter(torch.zeros(config.NumPatches, d));
        _tokenProjection = nn.Linear(config.TokenDim, d);
        _tokenPosition = nn.Parameter(torch.zeros(config.NumTokens, d));
        _text = config.UseText ? new TextConditioning(config.TextTokens, config.TextDim, d) : null;
        _transformer = new TransformerStack(config.Depth, d, config.Heads, config.MlpRatio);
        _tokenMix = config.TokenMixing ? nn.Parameter(torch.zeros(config.NumPatches, config.NumTokens)) : null;
        _pixelHead = nn.Linear(d, config.PatchSize * config.PatchSize * PixelChannels);
        if (config.ConvHeadChannels > 0)
        {
            _convHead = new UnfoldConv2d(config.ConvHeadChannels, 3, 3, padding: 1);
        }
        else if (config.RefineConv)
        {
            _refine = new UnfoldConv2d(3, 3, 3, padding: 1);
        }
        RegisterComponents();
    }

    /// <summary>Channels per pixel of the linear head: RGB, or the convolutional head's input channels.</summary>
    private int PixelChannels => _config.ConvHeadChannels > 0 ? _config.ConvHeadChannels : 3;

    /// <summary>Decodes tokens [B, N, d] (with text [B, Nt, Dt] and mask [B, Nt], or nulls for the baseline) to images [B, 3, H, W].</summary>
    /// <param name="tokens">Image tokens.</param>
    /// <param name="text">Text embeddings, or null for the baseline.</param>
    /// <param name="textMask">Text mask, or null for the baseline.</param>
    public override Tensor forward(Tensor tokens, Tensor? text, Tensor? textMask)
    {
        using var scope = NewDisposeScope();
        long b = tokens.shape[0];
        int g = _config.GridSize, p = _config.PatchSize;
        var queries = _patchQueries.unsqueeze(0).expand(b, -1, -1);
        var tokenValues = _tokenProjection.forward(tokens);
        var projected = tokenValues.Plus(_tokenPosition);
        if (_tokenMix is not null)
        {
            // queries += M_d · T: each patch query starts as its own learned mixture of the tokens.
            queries = queries.Plus(_tokenMix.matmul(tokenValues));
        }

        Tensor? projectedText = null, mask = null;
        if (_text is not null)
        {
            var (t, m) = TexTokModel.RequireText(text, textMask, _config);
            projectedText = _text.forward(t);
            mask = m;
        }

        var h = _transformer.ForwardSegments([queries, projected], projectedText, mask);
        var pixels = _pixelHead.forward(h.narrow(1, 0, _config.NumPatches));
        int c = PixelChannels;
        var image = pixels.reshape(b, g, g, c, p, p).permute(0, 3, 1, 4, 2, 5).reshape(b, c, g * p, g * p);
        if (_convHead is not null)
        {
            image = _convHead.forward(nn.functional.gelu(image));
        }
        else if (_refine is not null)
        {
            image = image.Plus(_refine.forward(image));
        }

        return image.MoveToOuterDisposeScope();
    }
}
