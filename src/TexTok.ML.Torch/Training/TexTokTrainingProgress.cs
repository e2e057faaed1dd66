namespace TexTok.ML.Torch.Training;

/// <summary>Losses and speed of one training step.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="ReconstructionLoss">ℓ2 loss.</param>
/// <param name="PerceptualLoss">Perceptual loss (0 without one).</param>
/// <param name="KlLoss">KL term.</param>
/// <param name="GeneratorLoss">Generator hinge loss (0 before the GAN starts).</param>
/// <param name="DiscriminatorLoss">Discriminator hinge + LeCAM loss (0 before the GAN starts).</param>
/// <param name="TotalLoss">Weighted generator objective.</param>
/// <param name="ImagesPerSecond">Throughput since the previous report.</param>
public sealed record TexTokTrainingProgress(
    long Step, long TotalSteps, double LearningRate, double ReconstructionLoss, double PerceptualLoss, double KlLoss,
    double GeneratorLoss, double DiscriminatorLoss, double TotalLoss, double ImagesPerSecond)
{
    /// <summary>
    /// Mean PSNR in dB of the EMA weights' reconstructions of the held-out samples given to
    /// <see cref="TexTokTrainer.Train"/>, on steps where <see cref="TexTokTrainingOptions.ValidateEvery"/> falls and at
    /// the last step; null on other steps and when no held-out samples were given.
    /// </summary>
    public double? HeldOutPsnr { get; init; }
}
