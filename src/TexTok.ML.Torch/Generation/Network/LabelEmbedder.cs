using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Embeds class labels into the model width. The table has <c>numClasses + 1</c> rows: the last row is the null
/// class that classifier-free guidance uses as the unconditional input and that training drops labels to.
/// </summary>
public sealed partial class LabelEmbedder : nn.Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "table")]
    private readonly Embedding _table;

    /// <summary>Creates the embedder.</summary>
    /// <param name="numClasses">Number of real classes.</param>
    /// <param name="width">Output width.</param>
    public LabelEmbedder(int numClasses, int width)
        : base(nameof(LabelEmbedder))
    {
        NumClasses = numClasses;
        _table = nn.Embedding(numClasses + 1, width);
        RegisterComponents();
    }

    /// <summary>Number of real classes; the null class has this index.</summary>
    public int NumClasses { get; }

    /// <summary>
    /// Embeds labels [B] (int64, in [0, NumClasses]; NumClasses is the null class) into [B, width]. Where
    /// <paramref name="drop"/> [B] (bool) is true the label is replaced by the null class (DiT's <c>token_drop</c>);
    /// the caller decides which labels to drop so that training stays a function of its seed.
    /// </summary>
    /// <param name="labels">Labels.</param>
    /// <param name="drop">Which labels to replace by the null class, or null for none.</param>
    public override Tensor forward(Tensor labels, Tensor? drop)
    {
        using var scope = NewDisposeScope();
        var ids = labels;
        if (drop is not null)
        {
            using var nullClass = ((long)NumClasses).ToScalar();
            var nullIds = torch.full_like(labels, nullClass);
            ids = torch.where(drop, nullIds, labels);
        }

        return _table.forward(ids).MoveToOuterDisposeScope();
    }
}
