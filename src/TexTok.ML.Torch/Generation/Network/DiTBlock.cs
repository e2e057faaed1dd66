using TexTok.ML.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// A DiT block with adaLN-Zero conditioning: a SiLU + Linear of the conditioning vector c gives shift, scale and gate
/// for the attention and for the MLP; the LayerNorms have no affine parameters; the residual updates are gated, and
/// the modulation layer starts at zero, so a new block is the identity. With <c>crossAttention</c> (DiT-T2I) a
/// cross-attention to the text tokens sits between the self-attention and the MLP.
/// </summary>
public sealed partial class DiTBlock : nn.Module<Tensor, Tensor, (Tensor Tokens, Tensor KeyBias)?, Tensor>
{
    [ComponentName(Name = "norm1")]
    private readonly LayerNorm _norm1;

    [ComponentName(Name = "attn")]
    private readonly MultiHeadSelfAttention _attention;

    [ComponentName(Name = "norm_cross")]
    private readonly LayerNorm? _normCross;

    [ComponentName(Name = "cross_attn")]
    private readonly CrossAttention? _crossAttention;

    [ComponentName(Name = "norm2")]
    private readonly LayerNorm _norm2;

    [ComponentName(Name = "fc1")]
    private readonly Linear _fc1;

    [ComponentName(Name = "fc2")]
    private readonly Linear _fc2;

    [ComponentName(Name = "adaLN_modulation")]
    private readonly Linear _modulation;

    /// <summary>Creates the block.</summary>
    /// <param name="width">Model width.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="mlpRatio">MLP hidden size as a multiple of the width.</param>
    /// <param name="crossAttention">Whether the block attends to text tokens (DiT-T2I).</param>
    public DiTBlock(int width, int heads, int mlpRatio, bool crossAttention)
        : base(nameof(DiTBlock))
    {
        _norm1 = nn.LayerNorm(width, eps: 1e-6, elementwise_affine: false);
        _attention = new MultiHeadSelfAttention(width, heads);
        if (crossAttention)
        {
            _normCross = nn.LayerNorm(width, eps: 1e-6);
            _crossAttention = new CrossAttention(width, heads);
        }

        _norm2 = nn.LayerNorm(width, eps: 1e-6, elementwise_affine: false);
        _fc1 = nn.Linear(width, width * mlpRatio);
        _fc2 = nn.Linear(width * mlpRatio, width);
        _modulation = nn.Linear(width, 6 * width);
        RegisterComponents();
    }

    /// <summary>Updates tokens <paramref name="x"/> [B, N, W] under conditioning <paramref name="c"/> [B, W].</summary>
    /// <param name="x">Tokens.</param>
    /// <param name="c">Conditioning vector (timestep + label or pooled caption).</param>
    /// <param name="text">Projected text tokens [B, Nt, W] and their key bias [B, 1, 1, Nt] for a DiT-T2I block, else null.</param>
    public override Tensor forward(Tensor x, Tensor c, (Tensor Tokens, Tensor KeyBias)? text)
    {
        using var scope = NewDisposeScope();
        var m = _modulation.forward(nn.functional.silu(c)).chunk(6, 1);
        Tensor shiftAttention = m[0], scaleAttention = m[1], gateAttention = m[2];
        Tensor shiftMlp = m[3], scaleMlp = m[4], gateMlp = m[5];

        var h = x.Plus(gateAttention.unsqueeze(1).mul(
            _attention.forward(Modulation.Modulate(_norm1.forward(x), shiftAttention, scaleAttention), null)));
        if (_crossAttention is not null)
        {
            var (tokens, keyBias) = text ?? throw new ArgumentException("This DiT block is text-conditioned: pass the text tokens.", nameof(text));
            h = h.Plus(_crossAttention.forward(_normCross!.forward(h), tokens, keyBias));
        }

        var hidden = nn.functional.gelu(_fc1.forward(Modulation.Modulate(_norm2.forward(h), shiftMlp, scaleMlp)), approximate: GELU.Approximate.tanh);
        h = h.Plus(gateMlp.unsqueeze(1).mul(_fc2.forward(hidden)));
        return h.MoveToOuterDisposeScope();
    }
}
