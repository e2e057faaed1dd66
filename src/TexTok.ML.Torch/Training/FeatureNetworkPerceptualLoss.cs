using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Training;

/// <summary>
/// LPIPS-style perceptual loss over any frozen feature network: each feature map is unit-normalised over channels,
/// and the squared difference is averaged over positions and channels, then summed over layers.
/// </summary>
public sealed class FeatureNetworkPerceptualLoss : IPerceptualLoss
{
    private readonly Func<Tensor, IReadOnlyList<Tensor>> _features;

    /// <summary>Wraps a feature extractor returning a list of [B, C, H, W] maps; its weights should be frozen.</summary>
    /// <param name="features">The feature extractor (images in [−1, 1]).</param>
    public FeatureNetworkPerceptualLoss(Func<Tensor, IReadOnlyList<Tensor>> features)
    {
        _features = features;
    }

    /// <inheritdoc/>
    public Tensor Compute(Tensor reconstruction, Tensor target)
    {
        using var scope = NewDisposeScope();
        IReadOnlyList<Tensor> targetFeatures;
        using (torch.no_grad())
        {
            targetFeatures = _features(target);
        }

        var reconFeatures = _features(reconstruction);
        if (reconFeatures.Count != targetFeatures.Count || reconFeatures.Count == 0)
        {
            throw new InvalidOperationException("The perceptual feature network returned no or inconsistent feature maps.");
        }

        Tensor total = torch.zeros(1, device: reconstruction.device).squeeze();
        for (int i = 0; i < reconFeatures.Count; i++)
        {
            var a = reconFeatures[i].div(reconFeatures[i].Squared().sum(1, keepdim: true).sqrt().Plus(1e-10));
            var b = targetFeatures[i].div(targetFeatures[i].Squared().sum(1, keepdim: true).sqrt().Plus(1e-10));
            total = total.Plus(a.Minus(b).Squared().mean());
        }

        return total.MoveToOuterDisposeScope();
    }
}
