using System.Text.Json.Serialization;

namespace TexTok.ML.Torch.Training;

/// <summary>Optimisation settings for <see cref="TexTokTrainer"/>. Defaults suit small CPU runs; the paper's recipe is noted per field.</summary>
public sealed class TexTokTrainingOptions() : OptimizationOptions(batchSize: 16, weightDecay: 1e-4, emaDecay: 0.999)
{

    /// <summary>Weight of the ℓ2 reconstruction loss.</summary>
    public double ReconstructionWeight { get; set; } = 1.0;

    /// <summary>Weight of the perceptual loss, used when <see cref="PerceptualLoss"/> is set (the paper: 0.1).</summary>
    public double PerceptualWeight { get; set; } = 0.1;

    /// <summary>The perceptual loss, or null for none. Not stored in checkpoints: supply it again when resuming.</summary>
    [JsonIgnore]
    public IPerceptualLoss? PerceptualLoss { get; set; }

    /// <summary>Weight of the KL term of the token posterior.</summary>
    public double KlWeight { get; set; } = 1e-6;

    /// <summary>Whether training decodes a posterior sample (true) or its mean.</summary>
    public bool SamplePosterior { get; set; } = true;

    /// <summary>Weight of the generator's hinge-GAN loss (the paper: 0.1).</summary>
    public double AdversarialWeight { get; set; } = 0.1;

    /// <summary>Step at which the discriminator and the adversarial loss switch on (the paper: 80k); beyond <see cref="OptimizationOptions.Steps"/> disables the GAN.</summary>
    public int DiscriminatorStartStep { get; set; } = int.MaxValue;

    /// <summary>Discriminator channels after its first layer.</summary>
    public int DiscriminatorChannels { get; set; } = 32;

    /// <summary>Weight of the LeCAM regulariser on the discriminator (the paper: 1e-4).</summary>
    public double LeCamWeight { get; set; } = 1e-4;

    /// <summary>Decay of the LeCAM anchors.</summary>
    public double LeCamDecay { get; set; } = 0.999;

    /// <summary>
    /// With held-out samples given to <see cref="TexTokTrainer.Train"/>: measure their PSNR every this many steps
    /// (<see cref="TexTokTrainingProgress.HeldOutPsnr"/>); 0 measures at the last step only. Each measurement
    /// reconstructs every held-out sample once with the EMA weights, so keep the set small (e.g. 64–256 images).
    /// </summary>
    public int ValidateEvery { get; set; }

    /// <summary>
    /// Data-parallel training across processes, or null for one process. Each of the group's processes (ranks) runs the
    /// same program with the same options and data; at every step each takes its contiguous share of the global batch
    /// (<see cref="OptimizationOptions.BatchSize"/> rows, which the group's size must divide), and the group averages the
    /// gradients, so the weights follow the one-process run at the same global batch to float rounding. Posterior noise
    /// is drawn for the whole batch on every rank and sliced. Rank 0 alone writes checkpoints. Adversarial training
    /// is not supported with more than one process. Every rank must run the same steps: cancel all of them alike (a rank
    /// that stops early leaves the others waiting in the collective). Not stored in checkpoints.
    /// </summary>
    [JsonIgnore]
    public IDataParallelGroup? DataParallel { get; set; }

    /// <inheritdoc/>
    protected override void ValidateSpecific()
    {
        if (DataParallel is { } group)
        {
            if (group.Size < 1 || group.Rank < 0 || group.Rank >= group.Size)
            {
                throw new ArgumentOutOfRangeException(nameof(DataParallel), $"The data-parallel group reports rank {group.Rank} of {group.Size}.");
            }

            if (BatchSize % group.Size != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize,
                    $"BatchSize ({BatchSize}) must be a multiple of the data-parallel group's size ({group.Size}): each process takes an equal share of every batch.");
            }

            if (group.Size > 1 && DiscriminatorStartStep < Steps)
            {
                throw new NotSupportedException(
                    $"Adversarial training (DiscriminatorStartStep {DiscriminatorStartStep} < Steps {Steps}) is not supported with a data-parallel group of {group.Size} processes: its LeCAM anchors would differ between processes.");
            }
        }

        Check(ValidateEvery >= 0, nameof(ValidateEvery), ValidateEvery);
        Check(LeCamDecay is >= 0 and < 1, nameof(LeCamDecay), LeCamDecay);
        Check(DiscriminatorChannels >= 1, nameof(DiscriminatorChannels), DiscriminatorChannels);
    }
}
