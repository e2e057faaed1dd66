using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// DiT's final layer: a non-affine LayerNorm modulated by shift and scale from the conditioning vector, then a
/// Linear from the width to d channels per token (patch size 1, so no unpatchify). Both Linears start at zero.
/// </summary>
public sealed partial class DiTFinalLayer : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "norm_final")]
    private readonly LayerNorm _norm;

    [ComponentName(Name = "linear")]
    private readonly Linear _linear;

    [ComponentName(Name = "adaLN_modulation")]
    private readonly Linear _modulation;

    /// <summary>Creates the layer.</summary>
    /// <param name="width">Model width.</param>
    /// <param name="outputChannels">Channels per output token.</param>
    public DiTFinalLayer(int width, int outputChannels)
        : base(nameof(DiTFinalLayer))
    {
        _norm = nn.LayerNorm(width, eps: 1e-6, elementwise_affine: false);
        _linear = nn.Linear(width, outputChannels);
        _modulation = nn.Linear(width, 2 * width);
        RegisterComponents();
    }

    /// <summary>Maps tokens [B, N, W] under conditioning [B, W] to outputs [B, N, outputChannels].</summary>
    /// <param name="x">Tokens.</param>
    /// <param name="c">Conditioning vector.</param>
    public override Tensor forward(Tensor x, Tensor c)
    {
        using var scope = NewDisposeScope();
        var m = _modulation.forward(nn.functional.silu(c)).chunk(2, 1);
        return _linear.forward(Modulation.Modulate(_norm.forward(x), m[0], m[1])).MoveToOuterDisposeScope();
    }
}
