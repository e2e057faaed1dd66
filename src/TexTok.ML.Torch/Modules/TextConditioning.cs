using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Modules;

/// <summary>Projects frozen text embeddings [B, Nt, Dt] to the model width and adds a learned text position embedding.</summary>
public sealed partial class TextConditioning : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "proj")]
    private readonly Linear _projection;

    [ComponentName(Name = "pos")]
    private readonly Parameter _position;

    /// <summary>Creates the layer.</summary>
    /// <param name="textTokens">Nt.</param>
    /// <param name="textDim">Dt.</param>
    /// <param name="width">Model width D.</param>
    public TextConditioning(int textTokens, int textDim, int width)
        : base(nameof(TextConditioning))
    {
        _projection = nn.Linear(textDim, width);
        _position = nn.Parameter(torch.zeros(textTokens, width));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor text)
    {
        using var scope = NewDisposeScope();
        return _projection.forward(text).Plus(_position).MoveToOuterDisposeScope();
    }
}
