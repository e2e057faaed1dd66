namespace TexTok.ML.Torch.Generation;

/// <summary>Optimisation settings for <see cref="DiTTrainer"/>. Defaults suit small CPU runs; DiT's recipe is noted per field.</summary>
public sealed class DiTTrainingOptions
{
    /// <summary>Token sequences per step (DiT: 256).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Total optimisation steps.</summary>
    public int Steps { get; set; } = 1000;

    /// <summary>Peak learning rate (DiT: 1e-4 constant at batch 256; small CPU runs tolerate more).</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Linear warm-up steps before the cosine decay.</summary>
    public int WarmupSteps { get; set; } = 50;

    /// <summary>Final learning rate as a fraction of the peak (1 gives DiT's constant rate after warm-up).</summary>
    public double MinLearningRateRatio { get; set; } = 0.1;

    /// <summary>AdamW β1.</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>AdamW β2 (DiT: 0.999; LightningDiT: 0.95).</summary>
    public double Beta2 { get; set; } = 0.99;

    /// <summary>AdamW decoupled weight decay on matrices (DiT: 0).</summary>
    public double WeightDecay { get; set; }

    /// <summary>Global gradient-norm clip (0 disables).</summary>
    public double GradientClip { get; set; } = 1.0;

    /// <summary>EMA decay of the weights (DiT: 0.9999); the effective decay ramps up as min(decay, (1+t)/(10+t)).</summary>
    public double EmaDecay { get; set; } = 0.9999;

    /// <summary>How training draws the flow time.</summary>
    public TimestepSampling TimestepSampling { get; set; } = TimestepSampling.LogitNormal;

    /// <summary>Mean of the logit-normal time distribution's underlying normal.</summary>
    public double LogitNormalMean { get; set; }

    /// <summary>Standard deviation of the logit-normal time distribution's underlying normal.</summary>
    public double LogitNormalStd { get; set; } = 1.0;

    /// <summary>Seed for weights, data order, times, noise and condition dropout.</summary>
    public int Seed { get; set; }

    /// <summary>CUDA device to train on, or null for the CPU (as ML.NET's <c>MLContext.GpuDeviceId</c>).</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Whether to train on the CPU when the requested GPU is not available.</summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>
    /// CPU threads libtorch uses while training (null keeps libtorch's default). 1 by default because multi-threaded
    /// CPU kernels are not bit-reproducible, and exact resume needs that; raise it for speed.
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
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate);
        Check(WarmupSteps >= 0, nameof(WarmupSteps), WarmupSteps);
        Check(MinLearningRateRatio is >= 0 and <= 1, nameof(MinLearningRateRatio), MinLearningRateRatio);
        Check(Beta1 is >= 0 and < 1, nameof(Beta1), Beta1);
        Check(Beta2 is >= 0 and < 1, nameof(Beta2), Beta2);
        Check(WeightDecay >= 0, nameof(WeightDecay), WeightDecay);
        Check(GradientClip >= 0, nameof(GradientClip), GradientClip);
        Check(EmaDecay is >= 0 and < 1, nameof(EmaDecay), EmaDecay);
        Check(LogitNormalStd > 0 && double.IsFinite(LogitNormalStd), nameof(LogitNormalStd), LogitNormalStd);
        Check(double.IsFinite(LogitNormalMean), nameof(LogitNormalMean), LogitNormalMean);
        Check(Threads is null or >= 1, nameof(Threads), Threads ?? 0);
        Check(CheckpointEvery >= 0, nameof(CheckpointEvery), CheckpointEvery);
        Check(LogEvery >= 1, nameof(LogEvery), LogEvery);
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
            throw new ArgumentOutOfRangeException(name, value, $"DiT training option {name} is out of range: {value}.");
        }
    }
}
