using TexTok.ML.Torch.Training;

namespace TexTok.ML.Torch.Generation;

/// <summary>Optimisation settings for <see cref="DiTTrainer"/>. Defaults suit small CPU runs; DiT's recipe is noted per field.</summary>
public sealed class DiTTrainingOptions() : OptimizationOptions(batchSize: 32, weightDecay: 0, emaDecay: 0.9999)
{
    /// <summary>How training draws the flow time.</summary>
    public TimestepSampling TimestepSampling { get; set; } = TimestepSampling.LogitNormal;

    /// <summary>Mean of the logit-normal time distribution's underlying normal.</summary>
    public double LogitNormalMean { get; set; }

    /// <summary>Standard deviation of the logit-normal time distribution's underlying normal.</summary>
    public double LogitNormalStd { get; set; } = 1.0;

    /// <inheritdoc/>
    protected override void ValidateSpecific()
    {
        Check(LogitNormalStd > 0 && double.IsFinite(LogitNormalStd), nameof(LogitNormalStd), LogitNormalStd);
        Check(double.IsFinite(LogitNormalMean), nameof(LogitNormalMean), LogitNormalMean);
    }
}
