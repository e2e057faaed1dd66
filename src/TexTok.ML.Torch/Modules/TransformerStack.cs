using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Modules;

/// <summary>A stack of <see cref="TransformerBlock"/>s followed by a final LayerNorm.</summary>
public sealed partial class TransformerStack : nn.Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "blocks")]
    private readonly ModuleList<TransformerBlock> _blocks;

    [ComponentName(Name = "norm")]
    private readonly LayerNorm _norm;

    /// <summary>Creates the stack.</summary>
    /// <param name="depth">Number of blocks.</param>
    /// <param name="width">Model width.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="mlpRatio">MLP ratio.</param>
    public TransformerStack(int depth, int width, int heads, int mlpRatio)
        : base(nameof(TransformerStack))
    {
        _blocks = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new TransformerBlock(width, heads, mlpRatio)).ToArray());
        _norm = nn.LayerNorm(width, eps: 1e-6);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x, Tensor? keyBias)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var block in _blocks)
        {
            h = block.forward(h, keyBias);
        }

        return _norm.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs the stack over [<paramref name="segments"/> ; <paramref name="text"/>]: the segments are always attended
    /// to, the text positions only where <paramref name="textMask"/> is 1. Without text it is the plain stack.
    /// </summary>
    /// <param name="segments">Always-visible segments [B, Li, D].</param>
    /// <param name="text">Projected text [B, Nt, D], or null.</param>
    /// <param name="textMask">Text mask [B, Nt] (required with text).</param>
    public Tensor ForwardSegments(IReadOnlyList<Tensor> segments, Tensor? text, Tensor? textMask)
    {
        using var scope = NewDisposeScope();
        var parts = segments.ToList();
        Tensor? keyBias = null;
        if (text is not null)
        {
            ArgumentNullException.ThrowIfNull(textMask);
            parts.Add(text);
            keyBias = KeyBias(textMask, segments.Sum(segment => segment.shape[1]));
        }

        return forward(torch.cat(parts, 1), keyBias).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Builds the additive key bias for a sequence of <paramref name="fixedLength"/> always-visible positions
    /// followed by text positions whose validity is <paramref name="textMask"/> [B, Nt] (1 valid, 0 padding).
    /// Padding gets −1e9 rather than −∞ so a fully padded caption still yields finite attention weights.
    /// </summary>
    /// <param name="textMask">Text validity mask.</param>
    /// <param name="fixedLength">Number of leading positions that are always attended to.</param>
    public static Tensor KeyBias(Tensor textMask, long fixedLength)
    {
        using var scope = NewDisposeScope();
        long b = textMask.shape[0];
        var visible = torch.ones(b, fixedLength, dtype: textMask.dtype, device: textMask.device);
        return KeyBias(torch.cat(new[] { visible, textMask }, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The additive key bias [B, 1, 1, L] of keys whose validity is <paramref name="validity"/> [B, L] (1 attended, 0
    /// padding): 0 or −1e9, the one definition every attention over padded text uses.
    /// </summary>
    /// <param name="validity">Key validity.</param>
    public static Tensor KeyBias(Tensor validity) => validity.Minus(1).Times(1e9).reshape(validity.shape[0], 1, 1, -1);
}
