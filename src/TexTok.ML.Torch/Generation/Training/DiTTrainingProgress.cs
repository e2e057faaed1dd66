namespace TexTok.ML.Torch.Generation;

/// <summary>Loss and speed of one DiT training step.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="Loss">Velocity mean-squared error of the batch.</param>
/// <param name="SamplesPerSecond">Throughput since the previous report (0 between reports).</param>
public sealed record DiTTrainingProgress(long Step, long TotalSteps, double LearningRate, double Loss, double SamplesPerSecond);
