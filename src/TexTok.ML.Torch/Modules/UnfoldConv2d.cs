using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Modules;

/// <summary>
/// A 2D convolution computed as unfold (im2col) followed by one matrix multiply, with the weights stored exactly as
/// <c>nn.Conv2d</c> stores them ([out, in, k, k] and [out]).
/// </summary>
/// <remarks>
/// libtorch 2.x's CPU convolution backward (as shipped with TorchSharp-cpu 0.107) sporadically returned NaN input
/// gradients for identical inputs, in some processes on a large fraction of steps. Unfold + matmul gives the same
/// values through kernels whose backward was observed to be stable, and exports to ONNX as a plain Conv.
/// </remarks>
public sealed partial class UnfoldConv2d : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")]
    private readonly Parameter _weight;

    [ComponentName(Name = "bias")]
    private readonly Parameter? _bias;

    /// <summary>Creates the layer with PyTorch's default initialisation (Kaiming-uniform weights, uniform bias).</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel side.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding on every side.</param>
    /// <param name="bias">Whether to add a bias.</param>
    public UnfoldConv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true)
        : base(nameof(UnfoldConv2d))
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        double bound = 1.0 / Math.Sqrt(inChannels * kernelSize * kernelSize);
        _weight = nn.Parameter(torch.empty(outChannels, inChannels, kernelSize, kernelSize));
        _bias = bias ? nn.Parameter(torch.empty(outChannels)) : null;
        using (torch.no_grad())
        {
            nn.init.uniform_(_weight, -bound, bound);
            if (_bias is not null)
            {
                nn.init.uniform_(_bias, -bound, bound);
            }
        }

        RegisterComponents();
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel side.</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding.</summary>
    public int Padding { get; }

    /// <summary>The kernel [out, in, k, k].</summary>
    public Parameter Weight => _weight;

    /// <summary>The bias [out], or null.</summary>
    public Parameter? Bias => _bias;

    /// <summary>Convolves images [B, in, H, W] into [B, out, H', W'].</summary>
    /// <param name="x">Input.</param>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        long outH = ((h + (2 * Padding) - KernelSize) / Stride) + 1;
        long outW = ((w + (2 * Padding) - KernelSize) / Stride) + 1;
        var columns = nn.functional.unfold(x, KernelSize, padding: Padding, stride: Stride);
        var y = _weight.reshape(OutChannels, -1).matmul(columns);
        if (_bias is not null)
        {
            y = y.Plus(_bias.reshape(1, OutChannels, 1));
        }

        return y.reshape(b, OutChannels, outH, outW).MoveToOuterDisposeScope();
    }
}
