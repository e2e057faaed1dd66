using System.Diagnostics;
using TexTok.ML.Data;
using TexTok.ML.Text;
using TexTok.ML.Torch;
using TexTok.ML.Torch.Runtime;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// TexTok against its no-text baseline at equal training budgets on CaptionedShapes, for several token counts:
/// held-out PSNR/SSIM, a reconstruction grid, and the training step's GFLOP/s against a matrix-multiply peak.
/// </summary>
internal static class TokenizerSuite
{
    private static readonly int[] DefaultTokenCounts = [8, 16, 32];

    public static BenchmarkReport Run(BenchmarkSettings settings)
    {
        if (settings.Parameters.TryGetValue("replot", out string? earlier))
        {
            return Replot(settings, earlier);
        }

        bool quick = settings.Quick;
        var plan = quick
            ? new Plan(TexTokPreset.Tiny, ImageSize: 32, TrainImages: 512, TestImages: 64, Steps: 150, BatchSize: 16, LearningRate: 1e-3)
            : new Plan(TexTokPreset.Tiny, ImageSize: 64, TrainImages: 4096, TestImages: 256, Steps: 2000, BatchSize: 16, LearningRate: 1e-3);
        plan = plan with
        {
            Preset = Enum.Parse<TexTokPreset>(settings.Names("preset", Enum.GetNames<TexTokPreset>(), [plan.Preset.ToString()])[0]),
            ImageSize = settings.Int("size", plan.ImageSize),
            Steps = settings.Int("steps", plan.Steps),
            LearningRate = settings.Double("lr", plan.LearningRate),
            BatchSize = settings.Int("batch", plan.BatchSize),
        };
        int[] tokenCounts = settings.Ints("tokens", DefaultTokenCounts);
        string[] variants = settings.Names("variants", ["baseline", "textok"], ["baseline", "textok"]);
        int? patch = settings.OptionalInt("patch");
        int maxShapes = settings.Int("shapes", 3);
        int[] seeds = settings.Ints("seeds", [settings.Int("seed", 17)]);
        int workers = settings.Int("workers", 1);
        if (workers < 1 || seeds.Distinct().Count() != seeds.Length)
        {
            throw new BenchmarkSettingException($"--set workers must be at least 1 and --set seeds distinct; got workers={workers}, seeds={string.Join(",", seeds)}.");
        }

        bool? mixing = settings.Parameters.ContainsKey("mixing") ? settings.Names("mixing", ["yes", "no"], ["yes"])[0] == "yes" : null;
        double? qkStd = settings.OptionalDouble("qkstd");
        int? stem = settings.OptionalInt("stem");
        int? head = settings.OptionalInt("head");
        int? width = settings.OptionalInt("width");
        int? depth = settings.OptionalInt("depth");
        int? heads = settings.OptionalInt("heads");
        int? mlpRatio = settings.OptionalInt("mlp");
        double? emaDecay = settings.OptionalDouble("ema");
        double? klWeight = settings.OptionalDouble("kl");
        int tokenDim = settings.Int("tokendim", 8);
        int threads = settings.Int("threads", Environment.ProcessorCount);
        string dataset = settings.Names("dataset", ["shapes", "fashion"], ["shapes"])[0];
        bool measureThroughput = settings.Names("throughput", ["yes", "no"], ["yes"])[0] == "yes";
        torch.set_num_threads(threads);
        var report = new BenchmarkReport("tokenizer", quick, "dotnet run -c Release --project tests/TexTok.ML.Benchmarks -- tokenizer" + (quick ? " --quick" : "") + settings.SetArguments + " --out DIR");
        report.Set("preset", plan.Preset.ToString());
        report.Set("resolution", plan.ImageSize);
        report.Set("train_images", plan.TrainImages);
        report.Set("test_images", plan.TestImages);
        report.Set("steps", plan.Steps);
        report.Set("batch_size", plan.BatchSize);
        report.Set("threads", threads);
        report.Set("seeds", seeds);
        report.Set("workers", workers);
        report.Set("token_dim", tokenDim);
        report.Set("max_shapes", maxShapes);
        report.Set("learning_rate", plan.LearningRate);
        report.Set("ema_decay", emaDecay ?? new TexTokTrainingOptions().EmaDecay);
        report.Set("kl_weight", klWeight ?? new TexTokTrainingOptions().KlWeight);

        var encoder = new FrozenBpeTextEncoder();
        Console.WriteLine($"Preparing {plan.ImageSize} px data: {plan.TrainImages} training and {plan.TestImages} held-out images...");
        report.Set("dataset", dataset == "shapes" ? "CaptionedShapes" : "Fashion-MNIST");
        ImageSampleArrays train, test;
        if (dataset == "shapes")
        {
            var shapesOptions = new CaptionedShapesOptions { ImageSize = plan.ImageSize, MaxShapes = maxShapes };
            train = Prepare(CaptionedShapes.Enumerate(DataSplit.Train, plan.TrainImages, shapesOptions), encoder);
            test = Prepare(CaptionedShapes.Enumerate(DataSplit.Test, plan.TestImages, shapesOptions), encoder);
        }
        else
        {
            // Fashion-MNIST's 28 px images centred on a black canvas of the plan's size; captions name the class.
            if (plan.ImageSize < FashionMnist.ImageSize)
            {
                throw new BenchmarkSettingException($"--set dataset=fashion needs size >= {FashionMnist.ImageSize}; got {plan.ImageSize}.");
            }

            train = Prepare(FashionMnist.Read(DataSplit.Train).Samples(0, plan.TrainImages, plan.ImageSize), encoder);
            test = Prepare(FashionMnist.Read(DataSplit.Test).Samples(0, plan.TestImages, plan.ImageSize), encoder);
        }
        report.Set("text_encoder", encoder.Identity);
        report.Set("example_caption", test.Samples[0].Caption);
        float[] testImages = test.ConcatenatedImages(), testTexts = test.ConcatenatedTexts()!, testMasks = test.ConcatenatedMasks()!;

        // Each held-out image's text replaced by another image's: if a TexTok model uses its caption, it scores worse.
        var (wrongTexts, wrongMasks) = MismatchedCaptions(test);
        var reconstructions = new Dictionary<(int Tokens, string Variant), float[]>();
        var jobs = (from tokens in tokenCounts from variant in variants from s in seeds select (Tokens: tokens, Variant: variant, Seed: s)).ToList();
        var rows = new Dictionary<string, object>[jobs.Count];
        int threadsPerJob = Math.Max(1, threads / workers);
        // Jobs run side by side, one per worker; each result is the one a run alone gives (the trainers draw their
        // random numbers under a lock), so the worker count changes the time, not the figures.
        Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = workers }, j =>
        {
            var (tokens, variant, jobSeed) = jobs[j];
            bool useText = variant == "textok";
            var config = TexTokConfig.FromPreset(plan.Preset, plan.ImageSize, tokens, encoder.MaxTokens, encoder.EmbeddingDim, useText);
            config = patch is { } p ? config with { PatchSize = p } : config;
            config = config with
            {
                TokenDim = tokenDim,
                TokenMixing = mixing ?? config.TokenMixing,
                QueryKeyInitStd = qkStd ?? config.QueryKeyInitStd,
                ConvStemChannels = stem ?? config.ConvStemChannels,
                ConvHeadChannels = head ?? config.ConvHeadChannels,
                Width = width ?? config.Width,
                Depth = depth ?? config.Depth,
                Heads = heads ?? config.Heads,
                MlpRatio = mlpRatio ?? config.MlpRatio,
            };
            config.Validate();
            string name = $"{variant} N={tokens} seed {jobSeed}";
            Console.WriteLine($"Training {name} ({plan.Preset}, {plan.Steps} steps of {plan.BatchSize})...");
            var clock = Stopwatch.StartNew();
            using var model = BenchmarkTokenizerTraining.Train(config, train, plan.BatchSize, plan.Steps, plan.LearningRate, jobSeed, threadsPerJob, logs: 10, name, options =>
            {
                options.EmaDecay = emaDecay ?? options.EmaDecay;
                options.KlWeight = klWeight ?? options.KlWeight;
            });
            double trainSeconds = clock.Elapsed.TotalSeconds;
            var output = TexTokInference.Reconstruct(model, testImages, useText ? testTexts : null, useText ? testMasks : null, test.Count);
            if (jobSeed == seeds[0])
            {
                lock (reconstructions)
                {
                    reconstructions[(tokens, variant)] = output;
                }
            }

            var (psnr, ssim) = test.Score(output);
            Console.WriteLine($"  {name}: held-out PSNR {psnr:F2} dB, SSIM {ssim:F4} ({trainSeconds:F0} s)");
            var row = new Dictionary<string, object>
            {
                ["tokens"] = tokens,
                ["variant"] = variant,
                ["seed"] = jobSeed,
                ["psnr"] = Math.Round(psnr, 3),
                ["ssim"] = Math.Round(ssim, 4),
                ["train_seconds"] = Math.Round(trainSeconds, 1),
                ["parameters"] = model.parameters().Sum(p => p.numel()),
            };
            if (useText)
            {
                var (wrongPsnr, wrongSsim) = test.Score(TexTokInference.Reconstruct(model, testImages, wrongTexts, wrongMasks, test.Count));
                Console.WriteLine($"  {name} with mismatched captions: PSNR {wrongPsnr:F2} dB, SSIM {wrongSsim:F4}");
                row["psnr_mismatched_captions"] = Math.Round(wrongPsnr, 3);
                row["ssim_mismatched_captions"] = Math.Round(wrongSsim, 4);
            }

            rows[j] = row;
        });
        foreach (var row in rows)
        {
            report.AddRow(row);
        }

        SaveGrid(settings.OutputDirectory, tokenCounts, variants, test, reconstructions, rows: 6);
        if (measureThroughput)
        {
            MeasureThroughput(report, quick, threads, tuneAllocator: true);
        }
        string table = report.MarkdownTable([("tokens", "N", ""), ("variant", "variant", ""), ("seed", "seed", ""), ("psnr", "PSNR (dB)", "F2"), ("ssim", "SSIM", "F4"), ("psnr_mismatched_captions", "PSNR, wrong captions (dB)", "F2"), ("train_seconds", "train s", "F0")]);
        if (seeds.Length > 1)
        {
            table += Environment.NewLine + Environment.NewLine + SeedSummary(report, tokenCounts, variants, tokenDim, settings.OutputDirectory,
                $"{(dataset == "shapes" ? "CaptionedShapes" : "Fashion-MNIST")} {plan.ImageSize} px, {plan.Steps} steps");
        }

        File.WriteAllText(Path.Combine(settings.OutputDirectory, "table.md"), table + Environment.NewLine);
        Console.WriteLine(table);
        return report;
    }

    /// <summary>
    /// Mean ± sample standard deviation over the seeds of each (N, variant), also written to the report as
    /// <c>summary</c> rows, with TexTok's gain over the baseline (paired by seed), and plotted against the numbers per
    /// image (N·d) in rate_distortion.svg.
    /// </summary>
    private static string SeedSummary(BenchmarkReport report, int[] tokenCounts, string[] variants, int tokenDim, string directory, string title)
    {
        static (double Mean, double Std) Stats(IEnumerable<double> values)
        {
            var v = values.ToArray();
            double mean = v.Average();
            double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
            return (mean, std);
        }

        IEnumerable<Dictionary<string, object>> Cell(int tokens, string variant) =>
            report.Rows.Where(r => (int)r["tokens"] == tokens && (string)r["variant"] == variant);

        // TexTok's PSNR at one budget minus the baseline's at another, paired by seed (both variants of one seed see the
        // same data order); seeds without a baseline row are left out.
        List<double> PairedDifferences(int textokTokens, int baselineTokens)
        {
            var baseline = Cell(baselineTokens, "baseline").ToDictionary(r => (int)r["seed"], r => (double)r["psnr"]);
            return Cell(textokTokens, "textok").Where(r => baseline.ContainsKey((int)r["seed"]))
                .Select(r => (double)r["psnr"] - baseline[(int)r["seed"]]).ToList();
        }

        var summary = new List<Dictionary<string, object>>();
        var lines = new List<string>
        {
            "| N | variant | seeds | PSNR (dB), mean ± std | PSNR, wrong captions (dB) | TexTok − baseline (dB) |",
            "|---|---|---|---|---|---|",
        };
        foreach (int tokens in tokenCounts)
        {
            foreach (string variant in variants)
            {
                var cell = Cell(tokens, variant).ToList();
                var (mean, std) = Stats(cell.Select(r => (double)r["psnr"]));
                var entry = new Dictionary<string, object>
                {
                    ["tokens"] = tokens, ["variant"] = variant, ["seeds"] = cell.Count,
                    ["psnr_mean"] = Math.Round(mean, 3), ["psnr_std"] = Math.Round(std, 3),
                };
                string wrong = "", gain = "";
                if (cell.All(r => r.ContainsKey("psnr_mismatched_captions")))
                {
                    var (wrongMean, wrongStd) = Stats(cell.Select(r => (double)r["psnr_mismatched_captions"]));
                    entry["psnr_mismatched_captions_mean"] = Math.Round(wrongMean, 3);
                    entry["psnr_mismatched_captions_std"] = Math.Round(wrongStd, 3);
                    wrong = $"{wrongMean:F2} ± {wrongStd:F2}";
                }

                if (variant == "textok" && variants.Contains("baseline"))
                {
                    var (gainMean, gainStd) = Stats(PairedDifferences(tokens, tokens));
                    entry["gain_mean"] = Math.Round(gainMean, 3);
                    entry["gain_std"] = Math.Round(gainStd, 3);
                    gain = $"{gainMean:+0.00;-0.00} ± {gainStd:F2}";
                }

                summary.Add(entry);
                lines.Add($"| {tokens} | {variant} | {cell.Count} | {mean:F2} ± {std:F2} | {wrong} | {gain} |");
            }
        }

        report.Set("summary", summary);

        // The paper's halving claim: TexTok with N/2 tokens against the baseline with N, paired by seed.
        var halving = new List<Dictionary<string, object>>();
        foreach (int tokens in tokenCounts.Where(n => n % 2 == 0 && tokenCounts.Contains(n / 2)))
        {
            var pairs = PairedDifferences(tokens / 2, tokens);
            if (pairs.Count > 0)
            {
                var (mean, std) = Stats(pairs);
                halving.Add(new Dictionary<string, object>
                {
                    ["textok_tokens"] = tokens / 2, ["baseline_tokens"] = tokens, ["seeds"] = pairs.Count,
                    ["difference_mean"] = Math.Round(mean, 3), ["difference_std"] = Math.Round(std, 3),
                });
            }
        }

        if (halving.Count > 0)
        {
            report.Set("halving", halving);
            lines.Add("");
            lines.Add("| TexTok at N | baseline at 2N | seeds | TexTok − baseline (dB), mean ± std |");
            lines.Add("|---|---|---|---|");
            lines.AddRange(halving.Select(h => $"| {h["textok_tokens"]} | {h["baseline_tokens"]} | {h["seeds"]} | {(double)h["difference_mean"]:+0.00;-0.00} ± {(double)h["difference_std"]:F2} |"));
        }

        var series = new List<(string Name, string Colour, IReadOnlyList<RateDistortionSvg.Point> Points)>();
        foreach (var (variant, key, name, colour) in new[]
                 {
                     ("baseline", "psnr", "baseline", "#808080"), ("textok", "psnr", "TexTok", "#1f5fbf"),
                     ("textok", "psnr_mismatched_captions", "TexTok, wrong caption", "#e08a2c"),
                 })
        {
            var points = summary.Where(e => (string)e["variant"] == variant && e.ContainsKey(key + "_mean"))
                .Select(e => new RateDistortionSvg.Point((int)e["tokens"] * tokenDim, (double)e[key + "_mean"], (double)e[key + "_std"])).ToList();
            if (points.Count > 0)
            {
                series.Add((name, colour, points));
            }
        }

        RateDistortionSvg.Write(Path.Combine(directory, "rate_distortion.svg"),
            $"{title}: {report.Rows.Select(r => (int)r["seed"]).Distinct().Count()} seeds, mean ± std", $"numbers per image (N × d, d = {tokenDim}, log scale)", series);
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// The seed summary, table and rate_distortion.svg of an earlier run's report.json, without training: for runs made
    /// before the plot existed, or to redraw one.
    /// </summary>
    private static BenchmarkReport Replot(BenchmarkSettings settings, string path)
    {
        if (!File.Exists(path))
        {
            throw new BenchmarkSettingException($"--set replot= names a report.json that does not exist: '{path}'.");
        }

        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var report = new BenchmarkReport("tokenizer", false, root.GetProperty("command").GetString() + $" (summary redrawn from {Path.GetFileName(path)})");
        foreach (var row in root.GetProperty("rows").EnumerateArray())
        {
            var values = new Dictionary<string, object>();
            foreach (var property in row.EnumerateObject())
            {
                values[property.Name] = property.Value.ValueKind switch
                {
                    System.Text.Json.JsonValueKind.String => property.Value.GetString()!,
                    System.Text.Json.JsonValueKind.Number when property.Name is "tokens" or "seed" => property.Value.GetInt32(),
                    System.Text.Json.JsonValueKind.Number => property.Value.GetDouble(),
                    _ => property.Value.ToString(),
                };
            }

            values.TryAdd("seed", root.TryGetProperty("seed", out var seed) ? seed.GetInt32() : 0);
            report.AddRow(values);
        }

        int tokenDim = root.TryGetProperty("token_dim", out var dim) ? dim.GetInt32() : 8;
        int[] tokenCounts = report.Rows.Select(r => (int)r["tokens"]).Distinct().ToArray();
        string[] variants = report.Rows.Select(r => (string)r["variant"]).Distinct().ToArray();
        string title = $"{root.GetProperty("dataset").GetString()} {root.GetProperty("resolution").GetInt32()} px, {root.GetProperty("steps").GetInt32()} steps";
        string table = SeedSummary(report, tokenCounts, variants, tokenDim, settings.OutputDirectory, title);
        File.WriteAllText(Path.Combine(settings.OutputDirectory, "table.md"), table + Environment.NewLine);
        Console.WriteLine(table);
        return report;
    }

    /// <summary>Only the S preset's training-step throughput part of <see cref="Run"/>.</summary>
    /// <param name="settings">Suite settings.</param>
    public static BenchmarkReport RunTrainingStep(BenchmarkSettings settings)
    {
        int threads = Environment.ProcessorCount;
        string[] parts = settings.Names("parts", ["tiny", "s"], ["tiny", "s"]);
        bool tune = settings.Names("allocator", ["tuned", "default"], ["tuned"])[0] == "tuned";
        var report = new BenchmarkReport("training-step", settings.Quick,
            "dotnet run -c Release --project tests/TexTok.ML.Benchmarks -- training-step" + (settings.Quick ? " --quick" : "") + settings.SetArguments + " --out DIR");
        report.Set("threads", threads);
        report.Set("allocator", tune ? "tuned" : "default");
        if (parts.Contains("tiny"))
        {
            TinyTrainingThroughput.Measure(report, settings.Quick, tune);
        }

        if (parts.Contains("s"))
        {
            torch.set_num_threads(threads);
            MeasureThroughput(report, settings.Quick, threads, tune);
        }

        // TuneNativeAllocator would apply the tuning: ask only when the run used it.
        report.Set("allocator_tuning_in_effect", tune && TorchRuntime.TuneNativeAllocator());
        return report;
    }

    private static void MeasureThroughput(BenchmarkReport report, bool quick, int threads, bool tuneAllocator)
    {
        // The S preset's training step, timed end to end (batch assembly, forward, backward, AdamW, EMA).
        int imageSize = quick ? 64 : 256, batch = quick ? 8 : 4, timedSteps = quick ? 3 : 3;
        var config = TexTokConfig.FromPreset(TexTokPreset.S, imageSize, 32, 32, 64, useText: true);
        Console.WriteLine($"Measuring the matrix-multiply peak and the S-preset training step at {imageSize} px, batch {batch}...");
        double peak = MatmulPeak.Measure(quick ? 1024 : 2048, repeats: 5);
        var data = Synthetic(config, batch * 2);
        var options = new TexTokTrainingOptions { BatchSize = batch, Steps = timedSteps + 1, WarmupSteps = 1, PerceptualWeight = 0, Seed = 5, Threads = threads, TuneNativeAllocator = tuneAllocator };
        using var trainer = new TexTokTrainer(config, options);
        double seconds = TimeSteps(trainer, data, warmup: 1, timedSteps);
        double flops = TexTokFlops.TrainingStepPerImage(config) * batch * timedSteps;
        double achieved = flops / seconds / 1e9;
        Console.WriteLine($"  matmul peak {peak:F1} GFLOP/s; S training step {achieved:F1} GFLOP/s ({100 * achieved / peak:F0}% of peak), {seconds / timedSteps:F2} s/step");
        report.Set("matmul_peak_gflops_per_s", Math.Round(peak, 2));
        report.Set("train_gflops_per_s", Math.Round(achieved, 2));
        report.Set("train_peak_ratio", Math.Round(achieved / peak, 3));
        report.Set("train_preset", "S");
        report.Set("train_resolution", imageSize);
        report.Set("train_batch", batch);
        report.Set("train_seconds_per_step", Math.Round(seconds / timedSteps, 3));
        report.Set("train_gflop_per_image", Math.Round(TexTokFlops.TrainingStepPerImage(config) / 1e9, 3));
    }

    /// <summary>Runs <paramref name="warmup"/> untimed steps, then returns the seconds <paramref name="timed"/> more steps take.</summary>
    internal static double TimeSteps(TexTokTrainer trainer, InMemorySampleSource data, int warmup, int timed)
    {
        for (int i = 0; i < warmup; i++)
        {
            trainer.TrainStep(data);
        }

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < timed; i++)
        {
            trainer.TrainStep(data);
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Random images (and random text embeddings with full masks) for timing: speed does not depend on content.</summary>
    internal static InMemorySampleSource Synthetic(TexTokConfig config, int count)
    {
        var random = new Random(3);
        var images = new List<float[]>();
        var texts = new List<float[]>();
        var masks = new List<float[]>();
        for (int i = 0; i < count; i++)
        {
            images.Add(Enumerable.Range(0, 3 * config.ImageSize * config.ImageSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
            texts.Add(Enumerable.Range(0, config.TextTokens * config.TextDim).Select(_ => (float)random.NextDouble()).ToArray());
            masks.Add(Enumerable.Repeat(1f, config.TextTokens).ToArray());
        }

        return new InMemorySampleSource(images, texts, masks);
    }

    /// <summary>Each held-out image's text replaced by that of the next image (cyclically) whose caption differs.</summary>
    private static (float[] Texts, float[] Masks) MismatchedCaptions(ImageSampleArrays test)
    {
        var texts = new List<float>();
        var masks = new List<float>();
        for (int i = 0; i < test.Count; i++)
        {
            int j = (i + 1) % test.Count;
            while (j != i && test.Samples[j].Caption == test.Samples[i].Caption)
            {
                j = (j + 1) % test.Count;
            }

            texts.AddRange(test.Texts![j]);
            masks.AddRange(test.Masks![j]);
        }

        return (texts.ToArray(), masks.ToArray());
    }

    private static ImageSampleArrays Prepare(IEnumerable<ImageSample> samples, ITextEncoder encoder) =>
        ImageSampleArrays.Create(samples,
            caption => { var e = encoder.Encode(caption); return (e.Values, e.Mask); });

    private static void SaveGrid(string directory, int[] tokenCounts, string[] variants, ImageSampleArrays test, Dictionary<(int, string), float[]> reconstructions, int rows)
    {
        foreach (int tokens in tokenCounts)
        {
            var cells = new List<RgbImage>();
            for (int i = 0; i < rows; i++)
            {
                cells.Add(test.Samples[i].Image);
                cells.AddRange(variants.Select(variant => test.ToImage(reconstructions[(tokens, variant)], i)));
            }

            // Enlarged 4x (nearest neighbour) so that the shapes can be seen.
            ImagePixels.SavePng(ImagePixels.Grid(cells.Select(c => c.Enlarge(4)).ToList(), columns: 1 + variants.Length, spacing: 4),
                                Path.Combine(directory, $"reconstructions-n{tokens}.png"));
        }
    }

    private sealed record Plan(TexTokPreset Preset, int ImageSize, int TrainImages, int TestImages, int Steps, int BatchSize, double LearningRate);

}

/// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
internal sealed class ActionProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
