using System.Diagnostics;

namespace TexTok.ML.Torch.Training;

/// <summary>The step loop the trainers share: progress with throughput, periodic and final checkpoints, cancellation.</summary>
internal static class TrainingLoop
{
    /// <summary>Runs <paramref name="runStep"/> until <see cref="OptimizationOptions.Steps"/> or cancellation.</summary>
    /// <param name="options">Schedule, report and checkpoint settings.</param>
    /// <param name="currentStep">Steps completed so far.</param>
    /// <param name="runStep">Runs one step and describes it.</param>
    /// <param name="withThroughput">Returns the report with its samples per second set.</param>
    /// <param name="saveCheckpoint">Writes a checkpoint to the given path.</param>
    /// <param name="progress">Receives a report every <see cref="OptimizationOptions.LogEvery"/> steps and at the end.</param>
    /// <param name="cancellationToken">Stops after the current step (a checkpoint is still written when a path is set).</param>
    public static List<TReport> Run<TReport>(OptimizationOptions options, Func<long> currentStep, Func<TReport> runStep,
                                             Func<TReport, double, TReport> withThroughput, Action<string> saveCheckpoint,
                                             IProgress<TReport>? progress, CancellationToken cancellationToken)
    {
        var history = new List<TReport>();
        var clock = Stopwatch.StartNew();
        long lastStep = currentStep();
        double lastTime = 0;
        while (currentStep() < options.Steps && !cancellationToken.IsCancellationRequested)
        {
            var report = runStep();
            long step = currentStep();
            if (step % options.LogEvery == 0 || step == options.Steps)
            {
                double now = clock.Elapsed.TotalSeconds;
                report = withThroughput(report, (step - lastStep) * options.BatchSize / Math.Max(1e-9, now - lastTime));
                lastStep = step;
                lastTime = now;
                progress?.Report(report);
            }

            history.Add(report);
            if (options.CheckpointPath is { } path && options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0)
            {
                saveCheckpoint(path);
            }
        }

        if (options.CheckpointPath is { } finalPath)
        {
            saveCheckpoint(finalPath);
        }

        return history;
    }
}
