using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// What a <see cref="DiTModel"/> is conditioned on for a batch: class labels, a caption's text embedding and mask, or
/// nothing (an unconditional model), plus which samples take the null condition instead (classifier-free guidance).
/// The tensors are not owned: they live in the caller's dispose scope.
/// </summary>
public sealed class DiTCondition
{
    private DiTCondition(Tensor? labels, Tensor? text, Tensor? textMask, Tensor? drop)
    {
        Labels = labels;
        Text = text;
        TextMask = textMask;
        Drop = drop;
    }

    /// <summary>Class labels [B] (int64), or null.</summary>
    public Tensor? Labels { get; }

    /// <summary>Text embeddings [B, Nt, Dt], or null.</summary>
    public Tensor? Text { get; }

    /// <summary>Text mask [B, Nt] (1 real token, 0 padding), or null.</summary>
    public Tensor? TextMask { get; }

    /// <summary>Bool [B]: true where the sample takes the null condition; null for none.</summary>
    public Tensor? Drop { get; }

    /// <summary>No condition (for a model with neither classes nor text).</summary>
    public static DiTCondition None { get; } = new(null, null, null, null);

    /// <summary>Class labels [B] (int64 in [0, NumClasses]; NumClasses is the null class).</summary>
    /// <param name="labels">Labels.</param>
    /// <param name="drop">Bool [B]: which labels to replace by the null class, or null.</param>
    public static DiTCondition ForClasses(Tensor labels, Tensor? drop = null) => new(labels, null, null, drop);

    /// <summary>Caption text embeddings [B, Nt, Dt] with mask [B, Nt].</summary>
    /// <param name="text">Text embeddings.</param>
    /// <param name="mask">Validity mask (1 real, 0 padding).</param>
    /// <param name="drop">Bool [B]: which captions to replace by the null caption, or null.</param>
    public static DiTCondition ForText(Tensor text, Tensor mask, Tensor? drop = null) => new(null, text, mask, drop);

    /// <summary>
    /// The condition for a doubled batch [conditional ; unconditional] as classifier-free guidance evaluates it in one
    /// forward pass: the inputs repeated twice, the second half dropped to the null condition.
    /// </summary>
    /// <param name="batch">B, the size of one half.</param>
    /// <param name="device">Device of the drop mask.</param>
    public DiTCondition WithUnconditionalHalf(long batch, Device device)
    {
        var drop = torch.cat(new[]
        {
            Drop ?? torch.zeros(batch, dtype: ScalarType.Bool, device: device),
            torch.ones(batch, dtype: ScalarType.Bool, device: device),
        });
        return new DiTCondition(Twice(Labels), Twice(Text), Twice(TextMask), drop);
    }

    private static Tensor? Twice(Tensor? t) => t is null ? null : torch.cat(new[] { t, t });
}
