using static TorchSharp.torch;

namespace TexTok.ML.Torch.Training;

/// <summary>
/// LeCAM regularisation (Tseng et al. 2021): keeps exponential moving anchors of the mean real and fake logits and
/// penalises mean(relu(D(real) − anchor_fake)²) + mean(relu(anchor_real − D(fake))²).
/// </summary>
public sealed class LeCamRegularizer
{
    private readonly double _decay;

    /// <summary>Creates the regulariser.</summary>
    /// <param name="decay">Anchor decay.</param>
    public LeCamRegularizer(double decay)
    {
        _decay = decay;
    }

    /// <summary>Moving mean of the real logits.</summary>
    public double RealAnchor { get; set; }

    /// <summary>Moving mean of the fake logits.</summary>
    public double FakeAnchor { get; set; }

    /// <summary>Updates the anchors with this batch's logits and returns the penalty.</summary>
    /// <param name="realLogits">D(real) [B].</param>
    /// <param name="fakeLogits">D(fake) [B].</param>
    public Tensor Penalty(Tensor realLogits, Tensor fakeLogits)
    {
        RealAnchor = _decay * RealAnchor + (1 - _decay) * realLogits.detach().mean().item<float>();
        FakeAnchor = _decay * FakeAnchor + (1 - _decay) * fakeLogits.detach().mean().item<float>();
        return realLogits.Minus(FakeAnchor).relu().Squared().mean().Plus(fakeLogits.SubtractedFrom(RealAnchor).relu().Squared().mean());
    }
}
