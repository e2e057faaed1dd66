namespace TexTok.ML.Torch.Training;

/// <summary>
/// The optimisation settings every trainer in this library shares: batch and schedule (linear warm-up, then cosine
/// decay to a floor), AdamW, gradient clipping, EMA, seed, device, threads, checkpoints and progress reports.
/// </summary>
public abstract class OptimizationOptions
{
    /// <summary>Sets the defaults that differ between trainers.</summary>
    /// <param name="batchSize">Default samples per step.</param>
    /// <param name="weightDecay">Default AdamW weight decay.</param>
    /// <param name="emaDecay">Default EMA decay.</param>
    protected OptimizationOptions(int batchSize, double weightDecay, double emaDecay)
    {
        BatchSize = batchSize;
        WeightDecay = weightDecay;
        EmaDecay = emaDecay;
    }

    /// <summary>Samples per step.</summary>
    public int BatchSize { get; set; }

    /// <summary>The default of <see cref="Steps"/>.</summary>
    public const int DefaultSteps = 1000;

    /// <summary>Total optimisation steps.</summary>
    public int Steps { get; set; } = DefaultSteps;

    /// <summary>Peak learning rate (the papers use 1e-4 at batch 256; small CPU runs tolerate more).</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Linear warm-up steps before the cosine decay.</summary>
    public int WarmupSteps { get; set; } = 50;

    /// <summary>Final learning rate as a fraction of the peak (1 keeps the rate constant after warm-up).</summary>
    public double MinLearningRateRatio { get; set; } = 0.1;

    /// <summary>AdamW β1.</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>AdamW β2.</summary>
    public double Beta2 { get; set; } = 0.99;

    /// <summary>AdamW decoupled weight decay on matrices and kernels.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Global gradient-norm clip (0 disables).</summary>
    public double GradientClip { get; set; } = 1.0;

    /// <summary>EMA decay of the weights; the effective decay ramps up as min(decay, (1+t)/(10+t)).</summary>
    public double EmaDecay { get; set; }

    /// <summary>Seed for weights, data order and every random draw of training.</summary>
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

    /// <summary>
    /// Whether the trainer tunes the C allocator for training (see <see cref="Runtime.TorchRuntime.TuneNativeAllocator"/>;
    /// Linux with glibc only, process-wide, once). True by default: it spares each step most of its page faults (a Tiny
    /// network's step ran 1.5–1.9 times as fast on a small virtual machine). Set false to leave the process's allocator as it is.
    /// </summary>
    public bool TuneNativeAllocator { get; set; } = true;

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
        Check(Threads is null or >= 1, nameof(Threads), Threads ?? 0);
        Check(CheckpointEvery >= 0, nameof(CheckpointEvery), CheckpointEvery);
        Check(LogEvery >= 1, nameof(LogEvery), LogEvery);
        ValidateSpecific();
    }

    /// <summary>The learning rate at <paramref name="step"/>: linear warm-up, then cosine decay to the floor.</summary>
    /// <param name="step">Zero-based step.</param>
    public double LearningRateAt(long step)
    {
        if (step < WarmupSteps)
        {
            return LearningRate * (step + 1) / WarmupSteps;
        }

        double progress = Steps <= WarmupSteps ? 1 : Math.Min(1.0, (double)(step - WarmupSteps) / (Steps - WarmupSteps));
        double floor = LearningRate * MinLearningRateRatio;
        return floor + ((LearningRate - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    /// <summary>Checks the options a derived trainer adds.</summary>
    protected abstract void ValidateSpecific();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for option <paramref name="name"/> unless <paramref name="ok"/>.</summary>
    /// <param name="ok">Whether the value is valid.</param>
    /// <param name="name">Option name.</param>
    /// <param name="value">Its value.</param>
    protected static void Check(bool ok, string name, double value)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Training option {name} is out of range: {value}.");
        }
    }
}
