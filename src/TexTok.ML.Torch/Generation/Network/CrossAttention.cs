using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Multi-head cross-attention: queries from the image tokens, keys and values from the projected text tokens,
/// with an additive key bias that removes padded text positions. <see cref="DiTModel"/> zero-initialises the
/// output projection, so a new layer adds nothing to its input.
/// </summary>
public sealed partial class CrossAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "q")]
    private readonly Linear _query;

    [ComponentName(Name = "kv")]
    private readonly Linear _keyValue;

    [ComponentName(Name = "proj")]
    private readonly Linear _proj;

    private readonly int _heads;

    /// <summary>Creates the layer.</summary>
    /// <param name="width">Model width (of queries and context).</param>
    /// <param name="heads">Number of heads; must divide <paramref name="width"/>.</param>
    public CrossAttention(int width, int heads)
        : base(nameof(CrossAttention))
    {
        _heads = heads;
        _query = nn.Linear(width, width);
        _keyValue = nn.Linear(width, 2 * width);
        _proj = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <summary>Attends from <paramref name="x"/> [B, L, D] to <paramref name="context"/> [B, Nt, D].</summary>
    /// <param name="x">Queries' source.</param>
    /// <param name="context">Keys' and values' source.</param>
    /// <param name="keyBias">Additive bias [B, 1, 1, Nt]: 0 for real text positions, −10⁹ for padding.</param>
    public override Tensor forward(Tensor x, Tensor context, Tensor keyBias)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1], d = x.shape[2], lt = context.shape[1];
        long headDim = d / _heads;
        var q = _query.forward(x).reshape(b, l, _heads, headDim).transpose(1, 2);
        var kv = _keyValue.forward(context).reshape(b, lt, 2, _heads, headDim).permute(2, 0, 3, 1, 4);
        // The fused kernel, as in MultiHeadSelfAttention; the ONNX export emits the written-out form.
        var attended = nn.functional.scaled_dot_product_attention(q, kv[0], kv[1], keyBias);
        return _proj.forward(attended.transpose(1, 2).reshape(b, l, d)).MoveToOuterDisposeScope();
    }
}
