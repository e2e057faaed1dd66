using TexTok.ML.Data;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// The tokenizer recipe the benchmark suites share: ℓ2 + KL only (no perceptual or GAN term), a warm-up of a twentieth
/// of the steps, the loss printed <paramref name="logs"/> times, and the EMA weights returned.
/// </summary>
internal static class BenchmarkTokenizerTraining
{
    /// <summary>Trains <paramref name="config"/> on <paramref name="train"/> (with its captions when the config uses text).</summary>
    public static TexTokModel Train(TexTokConfig config, ImageSampleArrays train, int batchSize, int steps, double learningRate, int seed, int threads, int logs, string name = "", Action<TexTokTrainingOptions>? adjust = null)
    {
        var options = new TexTokTrainingOptions
        {
            BatchSize = batchSize,
            Steps = steps,
            LearningRate = learningRate,
            WarmupSteps = Math.Max(10, steps / 20),
            PerceptualWeight = 0,
            Seed = seed,
            Threads = threads,
            LogEvery = Math.Max(1, steps / logs),
        };
        adjust?.Invoke(options);
        using var trainer = new TexTokTrainer(config, options);
        var source = config.UseText ? new InMemorySampleSource(train.Images, train.Texts!, train.Masks!) : new InMemorySampleSource(train.Images);
        trainer.Train(source, new ActionProgress<TexTokTrainingProgress>(p =>
            Console.WriteLine($"  {name}{(name.Length > 0 ? ": " : "")}step {p.Step,5}/{p.TotalSteps}  rec {p.ReconstructionLoss:F5}  {p.ImagesPerSecond,6:F1} img/s")));
        return trainer.CreateEmaModel();
    }
}
