using TexTok.ML.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Training;

/// <summary>
/// A StyleGAN2-style residual discriminator: a 1×1 "from RGB" layer, residual blocks that blur with a [1,3,3,1]
/// binomial filter before each 2× downsampling (skip paths scaled by 1/√2), down to 4×4, then a 3×3 convolution and
/// two linear layers to one logit per image. Channels double per block from <c>baseChannels</c> up to <c>maxChannels</c>.
/// </summary>
public sealed class StyleGanDiscriminator : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "from_rgb")]
    private readonly UnfoldConv2d _fromRgb;

    [ComponentName(Name = "blocks")]
    private readonly ModuleList<DiscriminatorBlock> _blocks;

    [ComponentName(Name = "final_conv")]
    private readonly UnfoldConv2d _finalConv;

    [ComponentName(Name = "fc")]
    private readonly Linear _fc;

    [ComponentName(Name = "out")]
    private readonly Linear _out;

    /// <summary>Creates the discriminator for square images of side <paramref name="imageSize"/> (a power of two ≥ 8).</summary>
    /// <param name="imageSize">Image side.</param>
    /// <param name="baseChannels">Channels after the first layer.</param>
    /// <param name="maxChannels">Channel cap.</param>
    public StyleGanDiscriminator(int imageSize, int baseChannels = 32, int maxChannels = 256)
        : base(nameof(StyleGanDiscriminator))
    {
        if (imageSize < 8 || (imageSize & (imageSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "The discriminator needs a power-of-two image size of at least 8.");
        }

        _fromRgb = new UnfoldConv2d(3, baseChannels, 1);
        var blocks = new List<DiscriminatorBlock>();
        int channels = baseChannels;
        for (int size = imageSize; size > 4; size /= 2)
        {
            int next = Math.Min(channels * 2, maxChannels);
            blocks.Add(new DiscriminatorBlock(channels, next));
            channels = next;
        }

        _blocks = nn.ModuleList(blocks.ToArray());
        _finalConv = new UnfoldConv2d(channels, channels, 3, padding: 1);
        _fc = nn.Linear(channels * 16, channels);
        _out = nn.Linear(channels, 1);
        RegisterComponents();
    }

    /// <summary>One logit per image [B] for images [B, 3, H, W].</summary>
    /// <param name="image">Images.</param>
    public override Tensor forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var h = _fromRgb.forward(image).LeakyRelu(0.2);
        foreach (var block in _blocks)
        {
            h = block.forward(h);
        }

        h = _finalConv.forward(h).LeakyRelu(0.2);
        h = _fc.forward(h.flatten(1)).LeakyRelu(0.2);
        return _out.forward(h).squeeze(1).MoveToOuterDisposeScope();
    }
}

/// <summary>A residual downsampling block of <see cref="StyleGanDiscriminator"/>.</summary>
public sealed class DiscriminatorBlock : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv1")]
    private readonly UnfoldConv2d _conv1;

    [ComponentName(Name = "conv2")]
    private readonly UnfoldConv2d _conv2;

    [ComponentName(Name = "skip")]
    private readonly UnfoldConv2d _skip;

    [ComponentName(Name = "blur")]
    private readonly Tensor _blur;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    public DiscriminatorBlock(int inChannels, int outChannels)
        : base(nameof(DiscriminatorBlock))
    {
        _conv1 = new UnfoldConv2d(inChannels, inChannels, 3, padding: 1);
        _conv2 = new UnfoldConv2d(inChannels, outChannels, 3, padding: 1);
        _skip = new UnfoldConv2d(inChannels, outChannels, 1, bias: false);
        using (var scope = NewDisposeScope())
        {
            var taps = torch.tensor(new float[] { 1, 3, 3, 1 });
            _blur = taps.outer(taps).DividedBy(64).MoveToOuterDisposeScope();
        }

        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = _conv1.forward(x).LeakyRelu(0.2);
        h = _conv2.forward(Downsample(h)).LeakyRelu(0.2);
        var skip = _skip.forward(Downsample(x));
        return h.Plus(skip).Times(1.0 / Math.Sqrt(2)).MoveToOuterDisposeScope();
    }

    // A depthwise 4×4 blur with stride 2 written as unfold + matmul (see UnfoldConv2d for why not conv2d).
    private Tensor Downsample(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var columns = nn.functional.unfold(x.reshape(b * c, 1, h, w), 4, padding: 1, stride: 2);
        var blurred = _blur.reshape(1, 1, 16).matmul(columns);
        return blurred.reshape(b, c, h / 2, w / 2).MoveToOuterDisposeScope();
    }
}
