using TexTok.ML.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Prepares a caption's text embedding [B, Nt, Dt] for DiT-T2I: projects every text token to the model width (the
/// keys and values of the cross-attention), builds the additive key bias from the text mask, and pools the valid
/// tokens into one vector that joins the timestep in the adaLN conditioning. Dropped captions (classifier-free
/// guidance) are replaced by a learned null caption of Nt tokens, all valid.
/// </summary>
public sealed partial class TextEmbedder : nn.Module<Tensor, Tensor, Tensor?, (Tensor Tokens, Tensor KeyBias, Tensor Pooled)>
{
    [ComponentName(Name = "proj")]
    private readonly Linear _projection;

    [ComponentName(Name = "null_tokens")]
    private readonly Parameter _nullTokens;

    [ComponentName(Name = "pool")]
    private readonly Linear _pool;

    /// <summary>Creates the embedder.</summary>
    /// <param name="textTokens">Nt.</param>
    /// <param name="textDim">Dt.</param>
    /// <param name="width">Model width.</param>
    public TextEmbedder(int textTokens, int textDim, int width)
        : base(nameof(TextEmbedder))
    {
        _projection = nn.Linear(textDim, width);
        _nullTokens = nn.Parameter(torch.zeros(textTokens, width));
        _pool = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <summary>
    /// Projects <paramref name="text"/> [B, Nt, Dt] with validity <paramref name="mask"/> [B, Nt] (1 real, 0 padding).
    /// Returns the projected tokens [B, Nt, W], the key bias [B, 1, 1, Nt] (0 or −10⁹) and the pooled vector [B, W].
    /// </summary>
    /// <param name="text">Text embeddings.</param>
    /// <param name="mask">Text mask.</param>
    /// <param name="drop">Bool [B]: which captions to replace with the null caption, or null for none.</param>
    public override (Tensor Tokens, Tensor KeyBias, Tensor Pooled) forward(Tensor text, Tensor mask, Tensor? drop)
    {
        using var scope = NewDisposeScope();
        long b = text.shape[0];
        var tokens = _projection.forward(text);
        var validity = mask.to_type(tokens.dtype);
        if (drop is not null)
        {
            var nullTokens = _nullTokens.unsqueeze(0).expand(b, -1, -1);
            tokens = torch.where(drop.reshape(b, 1, 1), nullTokens, tokens);
            validity = torch.where(drop.reshape(b, 1), torch.ones_like(validity), validity);
        }

        // Padded positions are multiplied by 0 (not only excluded from attention) so that whatever they hold cannot
        // reach the pooled vector.
        var weights = validity.unsqueeze(2);
        var count = validity.sum(1, keepdim: true).ClampTo(1.0, 1e30);
        var pooled = _pool.forward(tokens.mul(weights).sum(1).div(count));
        var keyBias = TransformerStack.KeyBias(validity);
        return (tokens.MoveToOuterDisposeScope(), keyBias.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope());
    }
}
