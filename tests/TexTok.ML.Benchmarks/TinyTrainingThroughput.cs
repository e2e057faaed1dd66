using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// The training speed of the Tiny tokenizer QuickStart trains (32 px, N = 16, batch 16, text-conditioned, one libtorch
/// thread per trainer): steps per second with one trainer, and with one trainer per core side by side in this process.
/// Whether the trainers tune the C allocator is the <c>allocator</c> setting; the tuning is process-wide and cannot be
/// undone, so the two settings are compared in two runs of the program.
/// </summary>
internal static class TinyTrainingThroughput
{
    public static void Measure(BenchmarkReport report, bool quick, bool tuneAllocator)
    {
        var config = TexTokConfig.FromPreset(TexTokPreset.Tiny, 32, 16, 32, 64, useText: true);
        int warmup = quick ? 5 : 20, timed = quick ? 40 : 400, batch = 16;
        var data = TokenizerSuite.Synthetic(config, 4 * batch);
        foreach (int trainers in new[] { 1, Environment.ProcessorCount }.Distinct())
        {
            Console.WriteLine($"Timing {timed} Tiny training steps with {trainers} trainer(s) side by side (allocator {(tuneAllocator ? "tuned" : "default")})...");
            var rates = new double[trainers];
            var threads = Enumerable.Range(0, trainers).Select(k => new Thread(() =>
            {
                var options = new TexTokTrainingOptions
                {
                    BatchSize = batch, Steps = warmup + timed, WarmupSteps = 1, PerceptualWeight = 0, Seed = 5 + k, Threads = 1,
                    TuneNativeAllocator = tuneAllocator,
                };
                using var trainer = new TexTokTrainer(config, options);
                rates[k] = timed / TokenizerSuite.TimeSteps(trainer, data, warmup, timed);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Console.WriteLine($"  {rates.Average():F1} steps/s per trainer, {rates.Sum() * batch:F0} images/s in all");
            report.AddRow(new Dictionary<string, object>
            {
                ["part"] = "tiny",
                ["preset"] = "Tiny",
                ["resolution"] = config.ImageSize,
                ["tokens"] = config.NumTokens,
                ["batch"] = batch,
                ["trainers"] = trainers,
                ["threads_per_trainer"] = 1,
                ["allocator"] = tuneAllocator ? "tuned" : "default",
                ["steps_per_s_per_trainer"] = Math.Round(rates.Average(), 2),
                ["images_per_s"] = Math.Round(rates.Sum() * batch, 1),
            });
        }
    }
}
