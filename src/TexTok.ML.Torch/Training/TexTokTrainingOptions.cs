using System.Text.Json.Serialization;

namespace TexTok.ML.Torch.Training;

/// <summary>Optimisation settings for <see cref="TexTokTrainer"/>. Defaults suit small CPU runs; the paper's recipe is noted per field.</summary>
public sealed class TexTokTrainingOptions
{
    /// <summary>Images per step.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Total optimisation steps.</summary>
    public int Steps { get; set; } = 1000;

    /// <summary>Peak learning rate (the paper: 1e-4 at batch 256; small CPU runs tolerate more).</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Linear warm-up steps before the cosine decay.</summary>
    public int WarmupSteps { get; set; } = 50;

    /// <summary>Final learning rate as a fraction of the peak.</summary>
    public double MinLearningRateRatio { get; set; } = 0.1;

    /// <summary>AdamW β1.</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>AdamW β2.</summary>
    public double Beta2 { get; set; } = 0.99;

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>Global gradient-norm clip (0 disables).</summary>
    public double GradientClip { get; set; } = 1.0;

    /// <summary>EMA decay of the tokenizer weights (the paper: 0.999).</summary>
    public double EmaDecay { get; set; } = 0.999;

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

    /// <summary>Step at which the discriminator and the adversarial loss switch on (the paper: 80k); beyond <see cref="Steps"/> disables the GAN.</summary>
    public int DiscriminatorStartStep { get; set; } = int.MaxValue;

    /// <summary>Discriminator channels after its first layer.</summary>
    public int DiscriminatorChannels { get; set; } = 32;

    /// <summary>Weight of the LeCAM regulariser on the discriminator (the paper: 1e-4).</summary>
    public double LeCamWeight { get; set; } = 1e-4;

    /// <summary>Decay of the LeCAM anchors.</summary>
    public double LeCamDecay { get; set; } = 0.999;

    /// <summary>Seed for weights, data order and posterior noise.</summary>
    public int Seed { get; set; }

    /// <summary>CUDA device to train on, or null for the CPU (as ML.NET's <c>MLContext.GpuDeviceId</c>).</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Whether to train on the CPU when the requested GPU is missing (as ML.NET's <c>MLContext.FallbackToCpu</c>).</summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>
    /// CPU threads libtorch uses while training (null keeps libtorch's default). The default is 1 because libtorch's
    /// multi-threaded CPU kernels are not bit-reproducible from run to run, and exact resume needs reproducibility;
    /// set more threads for speed when last-bit reproducibility does not matter.
    /// </summary>
    public int? Threads { get; set; } = 1;

    /// <summary>Checkpoint file written every <see cref="CheckpointEvery"/> steps and at the end, or null.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Steps between checkpoints (0: only at the end).</summary>
    public int CheckpointEvery { get; set; }

    /// <summary>Steps between progress reports.</summary>
    public int LogEvery { get; set; } = 10;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize);
        Check(Steps >= 0, nameof(Steps), Steps);
        Check(LearningRate > 0, nameof(LearningRate), LearningRate);
        Check(WarmupSteps >= 0, nameof(WarmupSteps), WarmupSteps);
        Check(MinLearningRateRatio is >= 0 and <= 1, nameof(MinLearningRateRatio), MinLearningRateRatio);
        Check(Beta1 is >= 0 and < 1, nameof(Beta1), Beta1);
        Check(Beta2 is >= 0 and < 1, nameof(Beta2), Beta2);
        Check(EmaDecay is >= 0 and < 1, nameof(EmaDecay), EmaDecay);
        Check(LeCamDecay is >= 0 and < 1, nameof(LeCamDecay), LeCamDecay);
        Check(DiscriminatorChannels >= 1, nameof(DiscriminatorChannels), DiscriminatorChannels);
        Check(Threads is null or >= 1, nameof(Threads), Threads ?? 0);
        Check(LogEvery >= 1, nameof(LogEvery), LogEvery);
        Check(CheckpointEvery >= 0, nameof(CheckpointEvery), CheckpointEvery);
    }

    /// <summary>The learning rate at <paramref name="step"/>: linear warm-up, then cosine decay to the minimum.</summary>
    /// <param name="step">Zero-based step.</param>
    public double LearningRateAt(long step)
    {
        if (step < WarmupSteps)
        {
            return LearningRate * (step + 1) / WarmupSteps;
        }

        double progress = Steps <= WarmupSteps ? 1 : Math.Min(1.0, (double)(step - WarmupSteps) / (Steps - WarmupSteps));
        double floor = LearningRate * MinLearningRateRatio;
        return floor + (LearningRate - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    private static void Check(bool ok, string name, double value)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Training option {name} is out of range: {value}.");
        }
    }
}
