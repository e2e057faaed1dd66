using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML.Data;
using TexTok.ML.Text;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

namespace TexTok.ML.Samples;

/// <summary>The training steps the generation samples share: a TexTok tokenizer, its token cache and a DiT on it.</summary>
internal static class SampleTraining
{
    /// <summary>A caption embedder for <see cref="ImageSampleArrays.Create"/>.</summary>
    public static Func<string, (float[] Values, float[] Mask)> Embedder(ITextEncoder encoder) => caption =>
    {
        var embedding = encoder.Encode(caption);
        return (embedding.Values, embedding.Mask);
    };

    /// <summary>Trains a TexTok tokenizer on <paramref name="data"/> (captions included when the config uses text) and returns its EMA weights.</summary>
    public static TexTokModel TrainTokenizer(TexTokConfig config, ImageSampleArrays data, int steps, int threads, string label) =>
        SampleProgress.Run(label, progress => TrainTokenizer(config, data, steps, threads, progress.Add("TexTok", steps).For<TexTokTrainingProgress>(Describe)));

    /// <summary>A tokenizer trainer's report as a progress line shows it: steps done, then step, loss and throughput.</summary>
    public static (double Done, string Detail) Describe(TexTokTrainingProgress p) =>
        (p.Step, $"step {p.Step}/{p.TotalSteps}  loss {p.ReconstructionLoss:F4}  {p.ImagesPerSecond:F0} img/s");

    /// <summary>
    /// Trains several tokenizers side by side through ML.NET's <c>Fit</c>, one job per core (each with an equal share of
    /// libtorch threads, at least one), taking the jobs in the order given as cores come free, with one progress line per
    /// job. Each job fits the pipeline a user writes, CaptionEmbed → TexTokenize (trains) → Detokenize, on its rows;
    /// the fitted pipelines come back in the order of <paramref name="jobs"/> (see <see cref="Tokenizer"/> for the
    /// trained pair inside). The trainers draw their random numbers under a lock, so a job's result does not depend on
    /// what runs beside it. Tiny networks keep one core busy each far better than they share two, so list the longest
    /// job first and let shorter ones fill the other cores.
    /// </summary>
    public static TransformerChain<DetokenizeTransformer>[] FitTokenizers(MLContext ml, IReadOnlyList<TokenizerJob> jobs, string label)
    {
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, jobs.Count));
        int threads = Math.Max(1, Environment.ProcessorCount / workers);
        var fitted = new TransformerChain<DetokenizeTransformer>[jobs.Count];
        try
        {
            return SampleProgress.Run(label, progress =>
            {
                var lines = jobs.Select(job => progress.Add(job.Name, job.Steps)).ToList();
                var order = Partitioner.Create(Enumerable.Range(0, jobs.Count), EnumerablePartitionerOptions.NoBuffering);
                Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = workers }, i =>
                    fitted[i] = FitTokenizer(ml, jobs[i], threads, lines[i].For<TexTokTrainingProgress>(Describe)));
                return fitted;
            });
        }
        catch
        {
            foreach (var chain in fitted)
            {
                chain?.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Fits CaptionEmbed → TexTokenize → Detokenize on <paramref name="job"/>'s rows, TexTokenize training the job's
    /// network with the samples' recipe (batch 16, the job's learning rate with a warm-up of a twentieth of the steps,
    /// ℓ2 + KL, seed 7).
    /// </summary>
    public static TransformerChain<DetokenizeTransformer> FitTokenizer(MLContext ml, TokenizerJob job, int threads, IProgress<TexTokTrainingProgress>? progress)
    {
        var training = TokenizerTraining(job.Steps, threads, job.LearningRate);
        training.ValidateEvery = Math.Max(1, job.Steps / 10);
        var tokenize = ml.Transforms.TexTokenize(new TexTokenizeOptions
        {
            Network = job.Network,
            Training = training,
            Progress = progress,
            // CaptionEmbed is frozen, so fitting it on the held-out rows gives the columns the training rows get.
            HeldOutData = job.HeldOut is { } heldOut ? ml.Transforms.CaptionEmbed().Fit(heldOut).Transform(heldOut) : null,
        });
        return ml.Transforms.CaptionEmbed().Append(tokenize).Append(ml.Transforms.Detokenize(tokenize)).Fit(job.Data);
    }

    /// <summary>The trained tokenizer/detokenizer pair inside a pipeline <see cref="FitTokenizer"/> returned (owned by it).</summary>
    public static TexTokTrainedModel Tokenizer(TransformerChain<DetokenizeTransformer> pipeline) =>
        ((TexTokenizeTransformer)pipeline.ElementAt(1)).Model!;

    /// <summary>The token column of <paramref name="rows"/> as the tokenizer of a fitted pipeline writes it (no decoding).</summary>
    public static IDataView Tokens(TransformerChain<DetokenizeTransformer> pipeline, IDataView rows) =>
        pipeline.ElementAt(1).Transform(pipeline.ElementAt(0).Transform(rows));

    private static TexTokModel TrainTokenizer(TexTokConfig config, ImageSampleArrays data, int steps, int threads, IProgress<TexTokTrainingProgress> progress)
    {
        using var trainer = new TexTokTrainer(config, TokenizerTraining(steps, threads));
        var source = config.UseText ? new InMemorySampleSource(data.Images, data.Texts!, data.Masks!) : new InMemorySampleSource(data.Images);
        trainer.Train(source, progress);
        return trainer.CreateEmaModel();
    }

    /// <summary>The samples' peak learning rate for tokenizers, where a job does not give its own.</summary>
    private const double TokenizerLearningRate = 1e-3;

    private static TexTokTrainingOptions TokenizerTraining(int steps, int threads, double learningRate = TokenizerLearningRate) => new()
    {
        BatchSize = 16, Steps = steps, LearningRate = learningRate, WarmupSteps = Math.Max(1, steps / 20), PerceptualWeight = 0,
        Seed = 7, Threads = threads, LogEvery = 10,
    };

    /// <summary>
    /// One tokenizer for <see cref="FitTokenizers"/>: a name for the progress line, its network, training rows and steps,
    /// optionally held-out rows whose PSNR the training history records ten times along the run, and the peak learning
    /// rate (10⁻³ unless given).
    /// </summary>
    public sealed record TokenizerJob(string Name, TexTokConfig Network, IDataView Data, int Steps, IDataView? HeldOut = null, double LearningRate = TokenizerLearningRate);

    /// <summary>
    /// Trains a tokenizer (see <see cref="TrainTokenizer"/>), scores it on <paramref name="test"/>, saves it as
    /// textok.safetensors in <paramref name="outputDirectory"/> and prints the score; <paramref name="report"/> holds
    /// PSNR, SSIM, the held-out count and the seconds taken.
    /// </summary>
    public static TexTokTrainedModel TrainScoredTokenizer(
        TexTokConfig config, ImageSampleArrays train, ImageSampleArrays test, int steps, int threads, string outputDirectory, out object report)
    {
        var clock = Stopwatch.StartNew();
        var pair = new TexTokTrainedModel(TrainTokenizer(config, train, steps, threads, "Training TexTok"));
        var (psnr, ssim) = test.Score(Reconstruct(pair.Model, test));
        double seconds = clock.Elapsed.TotalSeconds;
        pair.Save(Path.Combine(outputDirectory, "textok.safetensors"));
        Console.WriteLine($"  tokenizer: held-out PSNR {psnr:F2} dB, SSIM {ssim:F4}  ({seconds:F0} s)");
        report = new { psnr = Math.Round(psnr, 3), ssim = Math.Round(ssim, 4), held_out_images = test.Count, seconds = Math.Round(seconds, 1) };
        return pair;
    }

    /// <summary>Held-out reconstructions of <paramref name="data"/> (concatenated CHW in [−1, 1]); captions only for a text model.</summary>
    public static float[] Reconstruct(TexTokModel model, ImageSampleArrays data)
    {
        bool text = model.Config.UseText;
        return TexTokInference.Reconstruct(model, data.ConcatenatedImages(), text ? data.ConcatenatedTexts() : null, text ? data.ConcatenatedMasks() : null, data.Count);
    }

    /// <summary>The tokens (posterior means, N·d floats) of every image of <paramref name="data"/>, one array per image.</summary>
    public static List<float[]> EncodeTokens(TexTokModel model, ImageSampleArrays data)
    {
        bool text = model.Config.UseText;
        var tokens = TexTokInference.Encode(model, data.ConcatenatedImages(), text ? data.ConcatenatedTexts() : null, text ? data.ConcatenatedMasks() : null, data.Count);
        int length = model.Config.NumTokens * model.Config.TokenDim;
        return Enumerable.Range(0, data.Count).Select(i => tokens.AsSpan(i * length, length).ToArray()).ToList();
    }

    /// <summary>Trains a DiT on cached tokens, writes its model file to <paramref name="modelPath"/> and returns its EMA weights.</summary>
    public static DiTModel TrainDiT(DiTConfig config, TokenDataset data, int steps, int threads, string modelPath, string label)
    {
        using var trainer = new DiTTrainer(config, LatentNormalization.Measure(data), DiTTraining(steps, threads));
        SampleProgress.Run(label, progress =>
            trainer.Train(data, progress.Add("DiT", steps).For<DiTTrainingProgress>(Describe)));

        trainer.SaveModel(modelPath);
        return trainer.CreateEmaModel();
    }

    /// <summary>The samples' DiT recipe: batch 32, lr 10⁻³ with a warm-up of a twentieth of the steps, seed 11.</summary>
    public static DiTTrainingOptions DiTTraining(int steps, int threads) => new()
    {
        Steps = steps, BatchSize = 32, LearningRate = 1e-3, WarmupSteps = Math.Max(1, steps / 20), Seed = 11, Threads = threads, LogEvery = 10,
    };

    /// <summary>A DiT trainer's report as a progress line shows it.</summary>
    public static (double Done, string Detail) Describe(DiTTrainingProgress p) => (p.Step, $"step {p.Step}/{p.TotalSteps}  loss {p.Loss:F4}");

    /// <summary>
    /// Class-conditional generation as an ML.NET pipeline (DiTGenerate → CaptionEmbed → Detokenize):
    /// <paramref name="perClass"/> images for each of <paramref name="classes"/> labels, seeds 0, 1, …, each decoded with a
    /// caption drawn (seeded) from <paramref name="bank"/>. Returns the rows and their images, class by class.
    /// </summary>
    public static (List<GenerationRow> Rows, List<RgbImage> Images) GenerateByClass(
        TexTokTrainedModel tokenizer, DiTModel dit, CaptionBank bank, int classes, int perClass, DiTSamplerOptions sampler)
    {
        var labels = Enumerable.Range(0, classes).SelectMany(label => Enumerable.Repeat(label, perClass)).ToList();
        var drawn = bank.Sample(labels, seed: 5);
        var rows = labels.Select((label, i) => new GenerationRow { Label = label, Seed = i, Caption = drawn[i] }).ToList();
        var ml = new MLContext(seed: 1);
        var input = ml.Data.LoadFromEnumerable(rows);
        var generate = ml.Transforms.DiTGenerate(new DiTGenerateOptions { Model = dit, Sampler = sampler })
            .Append(ml.Transforms.CaptionEmbed())
            .Append(ml.Transforms.Detokenize(tokenizer))
            .Fit(input);
        int size = tokenizer.Config.ImageSize;
        var images = SampleProgress.Collect("Generating", "DiTGenerate → Detokenize", "images", rows.Count,
            generate.Transform(input).GetColumn<float[]>(TexTokDefaults.ReconstructionPixelsColumn).Select(p => ImagePixels.FromChwPixelValues(p, size, size)));
        return (rows, images);
    }

}
