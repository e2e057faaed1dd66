using System.Diagnostics;
using TexTok.ML.Data;
using TexTok.ML.Text;
using TexTok.ML.Torch;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Data.Metrics;
using TexTok.ML.Torch.Modules;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// A generation-quality proxy on CaptionedShapes: TexTok and its no-text baseline are trained at equal budgets, a
/// class-conditional DiT is trained on each one's tokens at equal budgets, and the decoded samples are compared with
/// held-out real images by the Fréchet distance in the penultimate layer of a small classifier this suite trains on
/// the shape labels. It is a proxy gFID: the feature space is that classifier's, not Inception's, so the numbers are
/// comparable only with each other.
/// </summary>
internal static class GenerationQuality
{
    private const int GridColumns = 8;

    /// <summary>Runs the comparison on CaptionedShapes and/or Fashion-MNIST; Fashion-MNIST asked for alone and not installed is an error.</summary>
    public static void Run(BenchmarkReport report, BenchmarkSettings settings, bool shapes, bool fashion)
    {
        if (!shapes && !fashion)
        {
            return;
        }

        bool quick = settings.Quick;
        var plan = quick
            ? new Plan(Tokens: 16, TrainImages: 512, ReferenceImages: 240, BankImages: 240, TokenizerSteps: 120, DiTSteps: 400,
                ClassifierImages: 2048, ClassifierSteps: 400, SamplerSteps: 25)
            : new Plan(Tokens: 16, TrainImages: 2048, ReferenceImages: 600, BankImages: 600, TokenizerSteps: 1500, DiTSteps: 4000,
                ClassifierImages: 4096, ClassifierSteps: 1200, SamplerSteps: 25);
        var encoder = new FrozenBpeTextEncoder();
        report.Set("gfid_features", "proxy: 64-d penultimate layer of a small conv net (3 3x3 convolutions, global max+mean pooling, 64-wide layer) trained here on the dataset's labels (not Inception)");
        report.Set("gfid_tokenizer_preset", "Tiny");
        report.Set("gfid_tokenizer_steps", plan.TokenizerSteps);
        report.Set("gfid_dit_preset", "Tiny");
        report.Set("gfid_dit_steps", plan.DiTSteps);
        report.Set("gfid_sampler", $"euler, {plan.SamplerSteps} steps, no guidance, seed 7");
        report.Set("gfid_train_images", plan.TrainImages);
        report.Set("gfid_reference_images", plan.ReferenceImages);
        bool fashionInstalled = File.Exists(FashionMnist.FilePaths(DataSplit.Train).Images) && File.Exists(FashionMnist.FilePaths(DataSplit.Test).Images);
        if (shapes)
        {
            Evaluate(Shapes(plan, encoder), plan, encoder, report, settings.OutputDirectory);
        }

        if (!fashion)
        {
            report.Set("fashion_mnist", "not asked for");
        }
        else if (fashionInstalled || !shapes)
        {
            // Asked for alone, a missing dataset is an error: FashionMnist.Read names the file and the package.
            report.Set("fashion_mnist", "used");
            Evaluate(Fashion(plan, encoder), plan, encoder, report, settings.OutputDirectory);
        }
        else
        {
            report.Set("fashion_mnist", "skipped: dataset-fashion-mnist is not installed");
            Console.WriteLine("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); its part is skipped.");
        }
    }

    /// <summary>
    /// CaptionedShapes at 32 px with one shape per image (at 32 px the second and third shapes are a few pixels wide and
    /// the class, the main shape's kind, would be close to invisible). The feature network learns three things per
    /// image (the kind and colour of the main shape and the background colour) so that its features respond to colour
    /// and layout as well as to the class.
    /// </summary>
    private static GfidDataset Shapes(Plan plan, ITextEncoder encoder)
    {
        var shapes = new CaptionedShapesOptions { ImageSize = 32, MaxShapes = 1 };
        Console.WriteLine($"Preparing CaptionedShapes 32 px: {plan.TrainImages} training, {plan.ReferenceImages} held-out reference images...");
        var train = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Train, plan.TrainImages, shapes), Embed(encoder));
        var reference = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Test, plan.ReferenceImages, shapes), Embed(encoder));
        // Decoding captions come from held-out scenes that are not in the reference set.
        var bank = CaptionBank.FromPairs(CaptionedShapes.Enumerate(DataSplit.Test, plan.BankImages, shapes, start: 100_000).Select(s => (s.Label, s.Caption)));
        var scenes = Enumerable.Range(0, plan.ClassifierImages).Select(i => CaptionedShapes.Describe(shapes, DataSplit.Train, i)).ToList();
        var referenceScenes = Enumerable.Range(0, reference.Count).Select(i => CaptionedShapes.Describe(shapes, DataSplit.Test, i)).ToList();
        var floor = CaptionedShapes.Enumerate(DataSplit.Train, plan.ReferenceImages, shapes, start: plan.TrainImages)
            .Select(s => Scale(ImagePixels.ToChw(s.Image))).ToList();
        int colors = CaptionedShapes.Palette.Count;
        return new GfidDataset(
            "captioned-shapes-32-one-shape", "", "", train, reference, bank, CaptionedShapes.ClassNames.Count,
            scenes.Select(s => Scale(ImagePixels.ToChw(CaptionedShapes.Render(s, shapes.ImageSize)))).ToArray(),
            scenes.Select(Targets).ToArray(),
            referenceScenes.Select(Targets).ToArray(),
            [("class", CaptionedShapes.ClassNames.Count), ("color", colors), ("background", colors)],
            floor);
    }

    /// <summary>
    /// Fashion-MNIST, 28 px centred on a 32 px canvas, captions naming the class; the decoding captions come from the
    /// test images after the reference set. The feature network learns the class only.
    /// </summary>
    private static GfidDataset Fashion(Plan plan, ITextEncoder encoder)
    {
        Console.WriteLine($"Preparing Fashion-MNIST on 32 px: {plan.TrainImages} training, {plan.ReferenceImages} held-out reference images...");
        var trainSplit = FashionMnist.Read(DataSplit.Train);
        var testSplit = FashionMnist.Read(DataSplit.Test);
        var train = ImageSampleArrays.Create(trainSplit.Samples(0, plan.TrainImages, 32), Embed(encoder));
        var reference = ImageSampleArrays.Create(testSplit.Samples(0, plan.ReferenceImages, 32), Embed(encoder));
        var bank = CaptionBank.FromPairs(testSplit.Samples(plan.ReferenceImages, plan.BankImages, 32).Select(s => (s.Label, s.Caption)));
        // The feature network trains on images after the tokenizers' training images; the floor uses the next ones.
        var classifierSamples = trainSplit.Samples(plan.TrainImages, plan.ClassifierImages, 32).ToList();
        var floor = trainSplit.Samples(plan.TrainImages + plan.ClassifierImages, plan.ReferenceImages, 32)
            .Select(s => Scale(ImagePixels.ToChw(s.Image))).ToList();
        return new GfidDataset(
            "fashion-mnist-32", "fashion_", "fashion-", train, reference, bank, FashionMnist.ClassNames.Count,
            classifierSamples.Select(s => Scale(ImagePixels.ToChw(s.Image))).ToArray(),
            classifierSamples.Select(s => new long[] { s.Label }).ToArray(),
            reference.Samples.Select(s => new long[] { s.Label }).ToArray(),
            [("class", FashionMnist.ClassNames.Count)],
            floor);
    }

    private static void Evaluate(GfidDataset data, Plan plan, ITextEncoder encoder, BenchmarkReport report, string outputDirectory)
    {
        int threads = Environment.ProcessorCount;
        var reference = data.Reference;
        var referenceLabels = reference.Samples.Select(s => s.Label).ToArray();
        report.Set(data.KeyPrefix + "gfid_dataset", data.Name);

        using var classifier = TrainClassifier(plan, data, report);
        var referenceFeatures = Features(classifier, reference.Images);
        double floor = FrechetDistance.Compute(referenceFeatures, Features(classifier, data.FloorImages));
        report.Set(data.KeyPrefix + "gfid_real_train_vs_reference", Math.Round(floor, 4));
        Console.WriteLine($"  proxy FID of {data.FloorImages.Count} real training images against the reference: {floor:F3} (the floor)");
        SaveGrid(outputDirectory, $"generation-{data.FilePrefix}real.png", reference.Images, referenceLabels, data.Classes, 32);

        foreach (string variant in new[] { "baseline", "textok" })
        {
            bool useText = variant == "textok";
            var clock = Stopwatch.StartNew();
            using var tokenizer = TrainTokenizer(plan, encoder, data.Train, useText, threads);
            double tokenizerSeconds = clock.Elapsed.TotalSeconds;

            var reconstructions = TexTokInference.Reconstruct(tokenizer, reference.ConcatenatedImages(),
                useText ? reference.ConcatenatedTexts() : null, useText ? reference.ConcatenatedMasks() : null, reference.Count);
            var (psnr, _) = reference.Score(reconstructions);
            double reconstructionFid = FrechetDistance.Compute(referenceFeatures, Features(classifier, Split(reconstructions, 3 * 32 * 32)));

            var train = data.Train;
            var latents = TexTokInference.Encode(tokenizer, train.ConcatenatedImages(), useText ? train.ConcatenatedTexts() : null,
                useText ? train.ConcatenatedMasks() : null, train.Count);
            var tokens = TokenDataset.WithLabels(Split(latents, plan.Tokens * 8), train.Samples.Select(s => s.Label).ToArray());
            clock.Restart();
            using var dit = TrainDiT(plan, tokens, data.Classes, threads);
            double ditSeconds = clock.Elapsed.TotalSeconds;

            Console.WriteLine($"  sampling {referenceLabels.Length} token sequences ({plan.SamplerSteps} Euler steps) and decoding...");
            var generatedTokens = DiTSampler.SampleClasses(dit, referenceLabels, new DiTSamplerOptions { Steps = plan.SamplerSteps, Seed = 7 });
            var captions = data.Bank.Sample(referenceLabels, seed: 7);
            var generated = Decode(tokenizer, generatedTokens, useText ? captions : null, encoder);
            double gfid = FrechetDistance.Compute(referenceFeatures, Features(classifier, generated));
            double agreement = Accuracy(classifier, generated, referenceLabels);
            Console.WriteLine($"  {variant}: proxy gFID {gfid:F3}, classifier agrees with the requested class on {100 * agreement:F1} %, reconstruction proxy FID {reconstructionFid:F3}, PSNR {psnr:F2} dB");
            SaveGrid(outputDirectory, $"generation-{data.FilePrefix}samples-{variant}-n{plan.Tokens}.png", generated, referenceLabels, data.Classes, 32);
            report.AddRow(new Dictionary<string, object>
            {
                ["part"] = "gfid",
                ["variant"] = variant,
                ["tokens"] = plan.Tokens,
                ["dataset"] = data.Name,
                ["gfid"] = Math.Round(gfid, 4),
                ["samples"] = generated.Count,
                ["class_agreement"] = Math.Round(agreement, 4),
                ["reconstruction_fid"] = Math.Round(reconstructionFid, 4),
                ["reconstruction_psnr"] = Math.Round(psnr, 3),
                ["tokenizer_seconds"] = Math.Round(tokenizerSeconds, 1),
                ["dit_seconds"] = Math.Round(ditSeconds, 1),
            });
        }
    }

    private static Func<string, (float[] Values, float[] Mask)> Embed(ITextEncoder encoder) =>
        caption => { var e = encoder.Encode(caption); return (e.Values, e.Mask); };

    private static float[] Scale(float[] unit)
    {
        for (int i = 0; i < unit.Length; i++)
        {
            unit[i] = (unit[i] * 2) - 1;
        }

        return unit;
    }

    private static List<float[]> Split(float[] flat, int length) =>
        Enumerable.Range(0, flat.Length / length).Select(i => flat.AsSpan(i * length, length).ToArray()).ToList();

    private static TexTokModel TrainTokenizer(Plan plan, ITextEncoder encoder, ImageSampleArrays train, bool useText, int threads)
    {
        var config = TexTokConfig.FromPreset(TexTokPreset.Tiny, 32, plan.Tokens, encoder.MaxTokens, encoder.EmbeddingDim, useText);
        Console.WriteLine($"Training the {(useText ? "textok" : "baseline")} tokenizer N={plan.Tokens} (Tiny, {plan.TokenizerSteps} steps of 16)...");
        return BenchmarkTokenizerTraining.Train(config, train, batchSize: 16, plan.TokenizerSteps, learningRate: 1e-3, seed: 17, threads, logs: 4);
    }

    private static DiTModel TrainDiT(Plan plan, TokenDataset tokens, int classes, int threads)
    {
        var config = DiTConfig.FromPreset(DiTPreset.Tiny, plan.Tokens, 8, classes);
        var options = new DiTTrainingOptions
        {
            BatchSize = 32,
            Steps = plan.DiTSteps,
            LearningRate = 1e-3,
            WarmupSteps = Math.Max(10, plan.DiTSteps / 20),
            Seed = 23,
            Threads = threads,
            LogEvery = Math.Max(1, plan.DiTSteps / 4),
        };
        Console.WriteLine($"Training a class-conditional DiT-Tiny on {tokens.Count} token sequences ({plan.DiTSteps} steps of 32)...");
        using var trainer = new DiTTrainer(config, LatentNormalization.Measure(tokens), options);
        trainer.Train(tokens, new ActionProgress<DiTTrainingProgress>(p =>
            Console.WriteLine($"  step {p.Step,5}/{p.TotalSteps}  loss {p.Loss:F4}  {p.SamplesPerSecond,7:F0} samples/s")));
        return trainer.CreateEmaModel();
    }

    private static List<float[]> Decode(TexTokModel tokenizer, float[][] tokens, IReadOnlyList<string>? captions, ITextEncoder encoder)
    {
        var config = tokenizer.Config;
        int length = 3 * config.ImageSize * config.ImageSize, batch = 32;
        var images = new List<float[]>();
        tokenizer.eval();
        using var noGrad = no_grad();
        for (int start = 0; start < tokens.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            int b = Math.Min(batch, tokens.Length - start);
            var x = torch.tensor(tokens.Skip(start).Take(b).SelectMany(t => t).ToArray(), new long[] { b, config.NumTokens, config.TokenDim });
            Tensor? text = null, mask = null;
            if (captions is not null)
            {
                var embeddings = captions.Skip(start).Take(b).Select(encoder.Encode).ToList();
                text = torch.tensor(embeddings.SelectMany(e => e.Values).ToArray(), new long[] { b, config.TextTokens, config.TextDim });
                mask = torch.tensor(embeddings.SelectMany(e => e.Mask).ToArray(), new long[] { b, config.TextTokens });
            }

            var decoded = tokenizer.Decode(x, text, mask).ClampTo(-1, 1).contiguous();
            images.AddRange(Split(decoded.data<float>().ToArray(), length));
        }

        return images;
    }

    private static ProxyClassifier TrainClassifier(Plan plan, GfidDataset data, BenchmarkReport report)
    {
        var images = data.ClassifierImages;
        var targets = data.ClassifierTargets;
        int heads = data.Heads.Count;
        Console.WriteLine($"Training the proxy feature network for {data.Name} (3-layer conv net, {images.Length} labelled images, {plan.ClassifierSteps} steps of 64)...");
        int size = 32, length = images[0].Length, batch = 64;
        manual_seed(29);
        var model = new ProxyClassifier(data.Heads.Select(h => h.Size).ToArray());
        using var optimizer = new TexTok.ML.Torch.Training.AdamW(model.named_parameters().Select(p => (p.name, p.parameter)), 0.9, 0.999, 1e-8, 1e-4);
        var random = new Random(31);
        var order = Enumerable.Range(0, images.Length).ToArray();
        int position = order.Length;
        double lastLoss = 0;
        for (int step = 0; step < plan.ClassifierSteps; step++)
        {
            using var scope = NewDisposeScope();
            var batchImages = new float[batch * length];
            var batchTargets = new long[heads][];
            for (int head = 0; head < heads; head++)
            {
                batchTargets[head] = new long[batch];
            }

            for (int i = 0; i < batch; i++)
            {
                if (position == order.Length)
                {
                    random.Shuffle(order);
                    position = 0;
                }

                int index = order[position++];
                images[index].CopyTo(batchImages, i * length);
                for (int head = 0; head < heads; head++)
                {
                    batchTargets[head][i] = targets[index][head];
                }
            }

            var logits = model.Heads(torch.tensor(batchImages, new long[] { batch, 3, size, size }));
            var loss = nn.functional.cross_entropy(logits[0], torch.tensor(batchTargets[0]));
            for (int head = 1; head < heads; head++)
            {
                loss = loss.add(nn.functional.cross_entropy(logits[head], torch.tensor(batchTargets[head])));
            }

            optimizer.ZeroGrad();
            loss.backward();
            double progress = (double)step / plan.ClassifierSteps;
            optimizer.Step(2e-3 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
            lastLoss = loss.item<float>();
        }

        model.eval();
        var reference = data.Reference;
        var accuracies = new List<string>();
        for (int head = 0; head < heads; head++)
        {
            int h = head;
            double accuracy = Accuracy(model, reference.Images, data.ReferenceTargets.Select(t => (int)t[h]).ToArray(), head);
            string name = data.Heads[head].Name;
            report.Set(data.KeyPrefix + (name == "class" ? "classifier_accuracy" : $"classifier_{name}_accuracy"), Math.Round(accuracy, 4));
            accuracies.Add($"{name} {100 * accuracy:F1} %");
        }

        double chance = reference.Samples.GroupBy(s => s.Label).Max(g => g.Count()) / (double)reference.Count;
        Console.WriteLine($"  final training loss {lastLoss:F3}; held-out accuracy: {string.Join(", ", accuracies)} (majority class {100 * chance:F1} %)");
        report.Set(data.KeyPrefix + "classifier_majority_rate", Math.Round(chance, 4));
        report.Set(data.KeyPrefix + "classifier_train_images", images.Length);
        report.Set(data.KeyPrefix + "classifier_steps", plan.ClassifierSteps);
        return model;
    }

    private static long[] Targets(ShapeScene scene) =>
        [(long)scene.Label, PaletteIndex(scene.Shapes[0].Color), PaletteIndex(scene.Background)];

    private static int PaletteIndex(PaletteColor color)
    {
        for (int i = 0; i < CaptionedShapes.Palette.Count; i++)
        {
            if (CaptionedShapes.Palette[i].Name == color.Name)
            {
                return i;
            }
        }

        throw new ArgumentException($"Colour '{color.Name}' is not in the CaptionedShapes palette.", nameof(color));
    }

    private static List<float[]> Features(ProxyClassifier model, IReadOnlyList<float[]> images) =>
        Apply(model, images, model.Features);

    private static double Accuracy(ProxyClassifier model, IReadOnlyList<float[]> images, IReadOnlyList<int> labels, int head = 0)
    {
        var logits = Apply(model, images, x => model.Heads(x)[head]);
        int correct = 0;
        for (int i = 0; i < logits.Count; i++)
        {
            int best = Array.IndexOf(logits[i], logits[i].Max());
            correct += best == labels[i] ? 1 : 0;
        }

        return (double)correct / logits.Count;
    }

    private static List<float[]> Apply(ProxyClassifier model, IReadOnlyList<float[]> images, Func<Tensor, Tensor> compute)
    {
        using var noGrad = no_grad();
        int size = (int)Math.Round(Math.Sqrt(images[0].Length / 3.0));
        var results = new List<float[]>();
        for (int start = 0; start < images.Count; start += 256)
        {
            using var scope = NewDisposeScope();
            int b = Math.Min(256, images.Count - start);
            var batch = torch.tensor(images.Skip(start).Take(b).SelectMany(x => x).ToArray(), new long[] { b, 3, size, size });
            var output = compute(batch).contiguous();
            results.AddRange(Split(output.data<float>().ToArray(), (int)output.shape[1]));
        }

        return results;
    }

    private static void SaveGrid(string directory, string name, IReadOnlyList<float[]> images, IReadOnlyList<int> labels, int classes, int size)
    {
        var cells = new List<RgbImage>();
        for (int label = 0; label < classes; label++)
        {
            var row = Enumerable.Range(0, images.Count).Where(i => labels[i] == label).Take(GridColumns).ToList();
            for (int column = 0; column < GridColumns; column++)
            {
                cells.Add(column < row.Count ? ImagePixels.FromChwSigned(images[row[column]], size, size) : new RgbImage(size, size));
            }
        }

        ImagePixels.SavePng(ImagePixels.Grid(cells, columns: GridColumns, spacing: 2), Path.Combine(directory, name));
    }

    private sealed record Plan(int Tokens, int TrainImages, int ReferenceImages, int BankImages, int TokenizerSteps, int DiTSteps,
                               int ClassifierImages, int ClassifierSteps, int SamplerSteps);

    /// <summary>What the quality part needs of one dataset.</summary>
    /// <param name="Name">Dataset name in the report.</param>
    /// <param name="KeyPrefix">Prefix of the dataset's top-level report keys ("" for CaptionedShapes).</param>
    /// <param name="FilePrefix">Prefix of the dataset's PNG names after "generation-".</param>
    /// <param name="Train">Tokenizer and DiT training images with captions.</param>
    /// <param name="Reference">Held-out reference images (one generated sample per reference label).</param>
    /// <param name="Bank">Per-class captions for decoding, not from the reference set.</param>
    /// <param name="Classes">Number of classes.</param>
    /// <param name="ClassifierImages">Feature-network training images, CHW in [−1, 1].</param>
    /// <param name="ClassifierTargets">Their targets, one per head.</param>
    /// <param name="ReferenceTargets">The reference images' targets, one per head.</param>
    /// <param name="Heads">The feature network's heads (the first is the class) and their sizes.</param>
    /// <param name="FloorImages">Real training images not seen by the tokenizers, for the floor of the distance.</param>
    private sealed record GfidDataset(string Name, string KeyPrefix, string FilePrefix, ImageSampleArrays Train, ImageSampleArrays Reference,
                                      CaptionBank Bank, int Classes, float[][] ClassifierImages, long[][] ClassifierTargets,
                                      long[][] ReferenceTargets, IReadOnlyList<(string Name, int Size)> Heads, IReadOnlyList<float[]> FloorImages);

    /// <summary>
    /// Three 3×3 convolutions (3 → 32 → 64 → 64 channels, 32 → 32 → 16 → 8 px) with ReLUs, global max and mean pooling
    /// (so an object is recognised wherever it sits), a 64-wide layer (the proxy feature space) and one linear head per
    /// target (for CaptionedShapes: the class, i.e. the kind of the main shape, its colour and the background colour).
    /// </summary>
    private sealed class ProxyClassifier : nn.Module<Tensor, Tensor>
    {
        private readonly UnfoldConv2d _conv1;
        private readonly UnfoldConv2d _conv2;
        private readonly UnfoldConv2d _conv3;
        private readonly Linear _features;
        private readonly ModuleList<Linear> _heads;

        public ProxyClassifier(int[] headSizes)
            : base(nameof(ProxyClassifier))
        {
            _conv1 = new UnfoldConv2d(3, 32, 3, stride: 1, padding: 1);
            _conv2 = new UnfoldConv2d(32, 64, 3, stride: 2, padding: 1);
            _conv3 = new UnfoldConv2d(64, 64, 3, stride: 2, padding: 1);
            _features = nn.Linear(128, 64);
            _heads = nn.ModuleList(headSizes.Select(size => nn.Linear(64, size)).ToArray());
            RegisterComponents();
        }

        /// <summary>Images [B, 3, H, W] in [−1, 1] to features [B, 64].</summary>
        public Tensor Features(Tensor x)
        {
            using var scope = NewDisposeScope();
            var h = nn.functional.relu(_conv1.forward(x));
            h = nn.functional.relu(_conv2.forward(h));
            h = nn.functional.relu(_conv3.forward(h));
            var pooled = torch.cat(new[] { h.amax(new long[] { 2, 3 }), h.mean(new long[] { 2, 3 }) }, 1);
            return nn.functional.relu(_features.forward(pooled)).MoveToOuterDisposeScope();
        }

        /// <summary>Logits of every head.</summary>
        public Tensor[] Heads(Tensor x)
        {
            var features = Features(x);
            return _heads.Select(head => head.forward(features)).ToArray();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            return _heads[0].forward(Features(x)).MoveToOuterDisposeScope();
        }
    }
}
