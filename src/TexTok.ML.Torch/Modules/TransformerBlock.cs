using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Modules;

/// <summary>Pre-LN ViT block: x + Attn(LN(x)), then x + MLP(LN(x)) with a GELU MLP.</summary>
public sealed partial class TransformerBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "norm1")]
    private readonly LayerNorm _norm1;

    [ComponentName(Name = "attn")]
    private readonly MultiHeadSelfAttention _attention;

    [ComponentName(Name = "norm2")]
    private readonly LayerNorm _norm2;

    [ComponentName(Name = "fc1")]
    private readonly Linear _fc1;

    [ComponentName(Name = "fc2")]
    private readonly Linear _fc2;

    /// <summary>Creates the block.</summary>
    /// <param name="width">Model width.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="mlpRatio">MLP hidden size as a multiple of the width.</param>
    public TransformerBlock(int width, int heads, int mlpRatio)
        : base(nameof(TransformerBlock))
    {
        _norm1 = nn.LayerNorm(width, eps: 1e-6);
        _attention = new MultiHeadSelfAttention(width, heads);
        _norm2 = nn.LayerNorm(width, eps: 1e-6);
        _fc1 = nn.Linear(width, width * mlpRatio);
        _fc2 = nn.Linear(width * mlpRatio, width);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x, Tensor? keyBias)
    {
        using var scope = NewDisposeScope();
        var h = x.Plus(_attention.forward(_norm1.forward(x), keyBias));
        h = h.Plus(_fc2.forward(nn.functional.gelu(_fc1.forward(_norm2.forward(h)))));
        return h.MoveToOuterDisposeScope();
    }
}
