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
    private readonly Conv2d _fromRgb;

    [ComponentName(Name = "blocks")]
    private readonly ModuleList<DiscriminatorBlock> _blocks;

    [ComponentName(Name = "final_conv")]
    private readonly Conv2d _finalConv;

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

        _fromRgb = nn.Conv2d(3, baseChannels, 1);
        var blocks = new List<DiscriminatorBlock>();
        int channels = baseChannels;
        for (int size = imageSize; size > 4; size /= 2)
        {
            int next = Math.Min(channels * 2, maxChannels);
            blocks.Add(new DiscriminatorBlock(channels, next));
            channels = next;
        }

        _blocks = nn.ModuleList(blocks.ToArray());
        _finalConv = nn.Conv2d(channels, channels, 3, padding: 1);
        _fc = nn.Linear(channels * 16, channels);
        _out = nn.Linear(channels, 1);
        RegisterComponents();
    }

    /// <summary>One logit per image [B] for images [B, 3, H, W].</summary>
    /// <param name="image">Images.</param>
    public override Tensor forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.leaky_relu(_fromRgb.forward(image), 0.2);
        foreach (var block in _blocks)
        {
            h = block.forward(h);
        }

        h = nn.functional.leaky_relu(_finalConv.forward(h), 0.2);
        h = nn.functional.leaky_relu(_fc.forward(h.flatten(1)), 0.2);
        return _out.forward(h).squeeze(1).MoveToOuterDisposeScope();
    }
}

/// <summary>A residual downsampling block of <see cref="StyleGanDiscriminator"/>.</summary>
public sealed class DiscriminatorBlock : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv1")]
    private readonly Conv2d _conv1;

    [ComponentName(Name = "conv2")]
    private readonly Conv2d _conv2;

    [ComponentName(Name = "skip")]
    private readonly Conv2d _skip;

    [ComponentName(Name = "blur")]
    private readonly Tensor _blur;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    public DiscriminatorBlock(int inChannels, int outChannels)
        : base(nameof(DiscriminatorBlock))
    {
        _conv1 = nn.Conv2d(inChannels, inChannels, 3, padding: 1);
        _conv2 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        _skip = nn.Conv2d(inChannels, outChannels, 1, bias: false);
        var taps = torch.tensor(new float[] { 1, 3, 3, 1 });
        var kernel = taps.outer(taps) / 64f;
        _blur = kernel.expand(inChannels, 1, 4, 4).contiguous().DetachFromDisposeScope();
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.leaky_relu(_conv1.forward(x), 0.2);
        h = nn.functional.leaky_relu(_conv2.forward(Downsample(h)), 0.2);
        var skip = _skip.forward(Downsample(x));
        return ((h + skip) * (1.0 / Math.Sqrt(2))).MoveToOuterDisposeScope();
    }

    private Tensor Downsample(Tensor x) =>
        nn.functional.conv2d(x, _blur, strides: new long[] { 2, 2 }, padding: new long[] { 1, 1 }, groups: x.shape[1]);
}
