using static TorchSharp.torch;

namespace TexTok.ML.Torch.Training;

/// <summary>
/// A perceptual distance between reconstructions and targets (both [B, 3, H, W] in [−1, 1]), differentiable with
/// respect to the reconstruction. Implementations load pretrained feature weights from files the user supplies.
/// </summary>
public interface IPerceptualLoss
{
    /// <summary>The mean perceptual distance over the batch, a scalar tensor.</summary>
    /// <param name="reconstruction">Reconstructed images.</param>
    /// <param name="target">Target images.</param>
    Tensor Compute(Tensor reconstruction, Tensor target);
}
