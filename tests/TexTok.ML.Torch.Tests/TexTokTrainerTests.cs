using TexTok.ML.Torch.Checkpoints;
using TexTok.ML.Torch.Modules;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests;

[TestClass]
public sealed class TexTokTrainerTests
{
    public TestContext TestContext { get; set; } = null!;

    private string TempFile(string name) => Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");

    [TestMethod]
    public void ATinyModelOverfitsEightImages()
    {
        var config = TestData.TinyConfig(imageSize: 32, numTokens: 16);
        var data = TestData.Samples(config, 8, seed: 5);
        var options = new TexTokTrainingOptions { BatchSize = 8, Steps = 300, LearningRate = 3e-3, WarmupSteps = 10, Seed = 3, LogEvery = 50 };
        using var trainer = new TexTokTrainer(config, options);
        var history = trainer.Train(data);
        double first = history.Take(3).Average(h => h.ReconstructionLoss);
        double last = history.TakeLast(10).Average(h => h.ReconstructionLoss);
        Assert.IsTrue(last * 10 < first, $"loss fell from {first:G4} to {last:G4}, less than 10x");
        Assert.AreEqual(300, trainer.Step);
    }

    [TestMethod]
    public void HeldOutPsnrIsMeasuredOnScheduleWithoutChangingTheTraining()
    {
        var config = TestData.TinyConfig();
        var data = TestData.Samples(config, 6, seed: 2);
        var heldOut = TestData.Samples(config, 5, seed: 9); // 5 samples in batches of 4: a full and a partial batch
        TexTokTrainingOptions Options() => new() { BatchSize = 4, Steps = 12, WarmupSteps = 2, LearningRate = 3e-3, Seed = 7, ValidateEvery = 5 };
        static float[] Weights(TexTokModel model) => model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

        List<TexTokTrainingProgress> plain, measured;
        float[] plainWeights, measuredWeights;
        double again;
        using (var trainer = new TexTokTrainer(config, Options()))
        {
            plain = trainer.Train(data).ToList();
            using var ema = trainer.CreateEmaModel();
            plainWeights = Weights(ema);
        }

        using (var trainer = new TexTokTrainer(config, Options()))
        {
            measured = trainer.Train(data, heldOut: heldOut).ToList();
            using var ema = trainer.CreateEmaModel();
            measuredWeights = Weights(ema);
            again = trainer.HeldOutPsnr(heldOut);

            // The same figure computed here from the EMA model's outputs: clamp to [-1, 1], MSE on the [0, 1] scale.
            int imageLength = 3 * config.ImageSize * config.ImageSize, textLength = config.TextTokens * config.TextDim;
            var images = new float[5 * imageLength];
            var text = new float[5 * textLength];
            var mask = new float[5 * config.TextTokens];
            for (int i = 0; i < 5; i++)
            {
                heldOut.Read(i, images.AsSpan(i * imageLength, imageLength), text.AsSpan(i * textLength, textLength), mask.AsSpan(i * config.TextTokens, config.TextTokens));
            }

            using var noGrad = torch.no_grad();
            ema.eval();
            var textTensor = torch.tensor(text, new long[] { 5, config.TextTokens, config.TextDim });
            var maskTensor = torch.tensor(mask, new long[] { 5, config.TextTokens });
            var (mean, _) = ema.Encode(torch.tensor(images, new long[] { 5, 3, config.ImageSize, config.ImageSize }), textTensor, maskTensor);
            var output = ema.Decode(mean, textTensor, maskTensor).data<float>().ToArray();
            double expected = Enumerable.Range(0, 5).Average(i =>
            {
                double sum = 0;
                for (int k = 0; k < imageLength; k++)
                {
                    double d = (Math.Clamp(output[(i * imageLength) + k], -1f, 1f) - images[(i * imageLength) + k]) / 2.0;
                    sum += d * d;
                }

                return 10 * Math.Log10(imageLength / sum);
            });
            Assert.AreEqual(expected, again, 1e-3, "the held-out PSNR is the mean over images of each image's PSNR");
        }

        CollectionAssert.AreEqual(new long[] { 5, 10, 12 }, measured.Where(p => p.HeldOutPsnr is not null).Select(p => p.Step).ToArray());
        Assert.IsTrue(plain.All(p => p.HeldOutPsnr is null), "nothing is measured without held-out samples");
        CollectionAssert.AreEqual(plain.Select(p => p.TotalLoss).ToArray(), measured.Select(p => p.TotalLoss).ToArray(), "measuring changed the losses");
        CollectionAssert.AreEqual(plainWeights, measuredWeights, "measuring changed the trained weights");
        Assert.AreEqual(again, measured[^1].HeldOutPsnr!.Value, 1e-9, "the last step's figure is that of the final EMA weights");
        Assert.ThrowsExactly<ArgumentException>(() => new TexTokTrainer(config, Options()).Train(data, heldOut: TestData.Samples(config, 0, seed: 1)));
    }

    [TestMethod]
    public void ATrainingStepLeaksNoTensors()
    {
        var config = TestData.TinyConfig();
        var data = TestData.Samples(config, 4, seed: 1);
        var options = new TexTokTrainingOptions { BatchSize = 2, Steps = 10, DiscriminatorStartStep = 1, Seed = 1 };
        using var trainer = new TexTokTrainer(config, options);
        trainer.TrainStep(data);
        trainer.TrainStep(data);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        trainer.TrainStep(data);
        trainer.TrainStep(data);
        Assert.IsTrue(trainer.AdversarialActive);
        Assert.AreEqual(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [TestMethod]
    public void AResumedRunMatchesTheUninterruptedRun()
    {
        var config = TestData.TinyConfig();
        var data = TestData.Samples(config, 6, seed: 2);
        TexTokTrainingOptions Options(string? path) => new()
        {
            BatchSize = 4, Steps = 6, WarmupSteps = 2, DiscriminatorStartStep = 2, Seed = 7, CheckpointPath = path,
        };

        List<TexTokTrainingProgress> straight;
        using (var trainer = new TexTokTrainer(config, Options(null)))
        {
            straight = trainer.Train(data).ToList();
        }

        string checkpoint = TempFile("resume.safetensors");
        var interrupted = Options(checkpoint);
        using var cancel = new CancellationTokenSource();
        var firstHalf = new List<TexTokTrainingProgress>();
        using (var trainer = new TexTokTrainer(config, interrupted))
        {
            for (int i = 0; i < 3; i++)
            {
                firstHalf.Add(trainer.TrainStep(data));
            }

            trainer.SaveCheckpoint(checkpoint);
        }

        using var resumed = TexTokTrainer.Resume(checkpoint, Options(null));
        Assert.AreEqual(3, resumed.Step);
        var secondHalf = resumed.Train(data);
        var combined = firstHalf.Concat(secondHalf).ToList();
        Assert.AreEqual(straight.Count, combined.Count);
        for (int i = 0; i < straight.Count; i++)
        {
            Assert.AreEqual(straight[i].TotalLoss, combined[i].TotalLoss, $"step {i + 1}");
            Assert.AreEqual(straight[i].DiscriminatorLoss, combined[i].DiscriminatorLoss, $"step {i + 1}");
        }

        Assert.IsTrue(straight[^1].DiscriminatorLoss != 0, "the GAN should have been active in the last steps");
    }

    [TestMethod]
    public void TrainersOnTwoThreadsMatchTheSameTrainersRunOneAfterTheOther()
    {
        // Both draw initial weights and posterior noise from torch's one global generator; each must still get the
        // numbers of its own seed when their steps interleave.
        var config = TestData.TinyConfig();
        var data = TestData.Samples(config, 6, seed: 4);
        const int steps = 30;
        TexTokTrainingOptions Options(int seed) => new() { BatchSize = 2, Steps = steps, WarmupSteps = 2, Seed = seed, Threads = 1 };
        double[] Alone(int seed)
        {
            using var trainer = new TexTokTrainer(config, Options(seed));
            return trainer.Train(data).Select(p => p.TotalLoss).ToArray();
        }

        var expected = new[] { Alone(11), Alone(12) };
        var actual = new double[2][];
        using var lockstep = new Barrier(2);
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            lockstep.SignalAndWait();
            using var trainer = new TexTokTrainer(config, Options(11 + i));
            var losses = new double[steps];
            for (int s = 0; s < steps; s++)
            {
                lockstep.SignalAndWait();
                losses[s] = trainer.TrainStep(data).TotalLoss;
            }

            actual[i] = losses;
        });

        CollectionAssert.AreNotEqual(expected[0], expected[1], "the two seeds should train differently");
        CollectionAssert.AreEqual(expected[0], actual[0], "seed 11");
        CollectionAssert.AreEqual(expected[1], actual[1], "seed 12");
    }

    [TestMethod]
    public void ACheckpointFromAnotherConfigurationIsRefusedByName()
    {
        var small = TestData.TinyConfig(numTokens: 8);
        string checkpoint = TempFile("small.safetensors");
        using (var trainer = new TexTokTrainer(small, new TexTokTrainingOptions { BatchSize = 2, Steps = 1 }))
        {
            trainer.SaveCheckpoint(checkpoint);
        }

        using var other = new TexTokTrainer(TestData.TinyConfig(numTokens: 16), new TexTokTrainingOptions { BatchSize = 2, Steps = 1 });
        var error = Assert.ThrowsExactly<InvalidDataException>(() => other.LoadCheckpoint(checkpoint));
        StringAssert.Contains(error.Message, "'encoder.token_mix' has shape [8, 64] in the checkpoint but [16, 64] in the model");
        StringAssert.Contains(error.Message, checkpoint);
    }

    [TestMethod]
    public void ModelFileRoundTripsTheEmaWeights()
    {
        var config = TestData.TinyConfig();
        var data = TestData.Samples(config, 4, seed: 2);
        string path = TempFile("model.safetensors");
        using var trainer = new TexTokTrainer(config, new TexTokTrainingOptions { BatchSize = 2, Steps = 3 });
        trainer.Train(data);
        trainer.SaveModel(path);
        using var ema = trainer.CreateEmaModel();
        using var loaded = TexTokModelFile.Load(path);
        Assert.AreEqual(config, loaded.Config);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (image, text, mask) = TestData.Batch(config, 2, seed: 9);
        // Equal weights in different buffers may take differently vectorised paths: allow float rounding only.
        Assert.AreEqual(0f, (ema.forward(image, text, mask) - loaded.forward(image, text, mask)).abs().max().item<float>(), 1e-5f);
        var loadedState = loaded.state_dict();
        foreach (var (name, value) in ema.state_dict())
        {
            Assert.AreEqual(0f, (value - loadedState[name]).abs().max().item<float>(), name);
        }
    }

    [TestMethod]
    public void LearningRateWarmsUpThenDecaysToTheFloor()
    {
        var options = new TexTokTrainingOptions { LearningRate = 1.0, WarmupSteps = 10, Steps = 110, MinLearningRateRatio = 0.1 };
        Assert.AreEqual(0.1, options.LearningRateAt(0), 1e-12);
        Assert.AreEqual(1.0, options.LearningRateAt(9), 1e-12);
        Assert.AreEqual(1.0, options.LearningRateAt(10), 1e-12);
        Assert.AreEqual(0.55, options.LearningRateAt(60), 1e-12);
        Assert.AreEqual(0.1, options.LearningRateAt(110), 1e-12);
    }

    [TestMethod]
    public void BadOptionsNameTheOption()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TexTokTrainingOptions { BatchSize = 0 }.Validate());
        Assert.AreEqual("BatchSize", error.ParamName);
    }

    [TestMethod]
    public void TheDiscriminatorGivesOneLogitPerImage()
    {
        using var discriminator = new StyleGanDiscriminator(32, 8, 32);
        using var scope = NewDisposeScope();
        var logits = discriminator.forward(randn(3, 3, 32, 32));
        CollectionAssert.AreEqual(new long[] { 3 }, logits.shape);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new StyleGanDiscriminator(48));
    }

    [TestMethod]
    public void PerceptualLossIsZeroForIdenticalImagesAndDifferentiable()
    {
        manual_seed(4);
        // UnfoldConv2d rather than nn.Conv2d: this build of libtorch's CPU convolution backward sporadically returns NaN
        // input gradients (see UnfoldConv2d), which made this check fail now and then.
        using var conv = new UnfoldConv2d(3, 8, 3, padding: 1);
        var loss = new FeatureNetworkPerceptualLoss(x => new[] { conv.forward(x), conv.forward(x).relu() });
        using var scope = NewDisposeScope();
        var target = randn(2, 3, 16, 16);
        Assert.AreEqual(0f, loss.Compute(target, target).item<float>(), 1e-6f);
        var reconstruction = randn(2, 3, 16, 16).requires_grad_(true);
        var value = loss.Compute(reconstruction, target);
        Assert.IsTrue(value.item<float>() > 0);
        value.backward();
        Assert.IsTrue(reconstruction.grad!.abs().sum().item<float>() > 0);
    }
    [TestMethod]
    public void AModelFileFromBeforeTheRecipeLoadsAsTheOldNetwork()
    {
        // The configuration JSON as files written before the recipe options existed carry it: none of their keys.
        const string oldJson = "{\"ImageSize\":32,\"PatchSize\":4,\"Width\":64,\"Depth\":2,\"Heads\":4,\"MlpRatio\":4,\"NumTokens\":8," +
                               "\"TokenDim\":8,\"TextTokens\":6,\"TextDim\":16,\"UseText\":true,\"RefineConv\":true}";
        manual_seed(8);
        using var original = new TexTokModel(TexTokConfig.FromJson(oldJson));
        string path = TempFile("old-model.safetensors");
        SafeTensors.Save(path, original.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value),
                         new Dictionary<string, string> { ["format"] = "textok-model/1", ["config"] = oldJson });
        using var loaded = TexTokModelFile.Load(path);
        Assert.IsFalse(loaded.Config.TokenMixing);
        Assert.IsFalse(loaded.named_parameters().Any(p => p.name.EndsWith("token_mix", StringComparison.Ordinal)));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        original.eval();
        var (image, text, mask) = TestData.Batch(loaded.Config, 2, seed: 1);
        Assert.AreEqual(0f, (original.forward(image, text, mask) - loaded.forward(image, text, mask)).abs().max().item<float>(), 1e-5f);

        // The same weights under a configuration that asks for the recipe fail by name rather than load half a network.
        string mismatched = TempFile("mismatched.safetensors");
        SafeTensors.Save(mismatched, original.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value),
                         new Dictionary<string, string> { ["format"] = "textok-model/1", ["config"] = (loaded.Config with { TokenMixing = true }).ToJson() });
        var error = Assert.ThrowsExactly<InvalidDataException>(() => TexTokModelFile.Load(mismatched));
        StringAssert.Contains(error.Message, "'encoder.token_mix'");
        StringAssert.Contains(error.Message, mismatched);
    }

    [TestMethod]
    public void TheRecipeLearnsScenesFasterThanTheOldNetwork()
    {
        // 64 scenes (a flat background and two small squares each): the old network first learns the background
        // colours and is slow to place the squares; the token-axis path and the q/k start place them sooner.
        var legacy = TestData.TinyConfig(useText: false, imageSize: 32, numTokens: 16) with { TokenMixing = false, QueryKeyInitStd = 0.02 };
        var recipe = TestData.TinyConfig(useText: false, imageSize: 32, numTokens: 16);
        Assert.IsTrue(recipe.TokenMixing);
        var data = TestData.Scenes(32, 64, seed: 5);
        double[] Curve(TexTokConfig config)
        {
            var options = new TexTokTrainingOptions
            {
                BatchSize = 16, Steps = 300, LearningRate = 1e-3, WarmupSteps = 10, MinLearningRateRatio = 1, Seed = 3, LogEvery = 1000,
            };
            using var trainer = new TexTokTrainer(config, options);
            return trainer.Train(data).Select(h => h.ReconstructionLoss).ToArray();
        }

        var withRecipe = Curve(recipe);
        var without = Curve(legacy);
        static string Pick(double[] c) => string.Join(" / ", new[] { 49, 99, 199, 299 }.Select(i => c[i].ToString("G3")));
        double recipeLoss = withRecipe.TakeLast(20).Average(), legacyLoss = without.TakeLast(20).Average();
        TestContext.WriteLine($"loss at 50/100/200/300 steps: recipe {Pick(withRecipe)}, without {Pick(without)}; last 20 steps {recipeLoss:G4} against {legacyLoss:G4}");
        // Measured: 0.0183 against 0.0398 (seeded, one thread). On scenes this easy the old network is not stuck for long;
        // on CaptionedShapes it is (docs/tokenizer.md), which this test is too short to show.
        Assert.IsLessThan(0.6 * legacyLoss, recipeLoss, "with the recipe the loss after 300 steps should be at least 40 % lower");
    }

    [TestMethod]
    public void WithTheRecipeATinyModelOverfitsEightImagesTenTimesFaster()
    {
        // Eight scenes in one batch at lr 3e-3: the old network sits on the background-colour plateau for all 300 steps,
        // the recipe passes that loss within its first 30. (At lr 1e-3 the old network leaves the plateau on eight images
        // and the recipe is about 2x faster in steps; docs/tokenizer.md.)
        var legacy = TestData.TinyConfig(useText: false, imageSize: 32, numTokens: 16) with { TokenMixing = false, QueryKeyInitStd = 0.02 };
        var recipe = TestData.TinyConfig(useText: false, imageSize: 32, numTokens: 16);
        var data = TestData.Scenes(32, 8, seed: 5);
        double[] Curve(TexTokConfig config, int steps)
        {
            var options = new TexTokTrainingOptions
            {
                BatchSize = 8, Steps = steps, LearningRate = 3e-3, WarmupSteps = 10, MinLearningRateRatio = 1, Seed = 3, LogEvery = 1000,
            };
            using var trainer = new TexTokTrainer(config, options);
            return trainer.Train(data).Select(h => h.ReconstructionLoss).ToArray();
        }

        // Losses averaged over five steps, so one lucky batch does not decide.
        static double[] Smoothed(double[] c) => Enumerable.Range(4, c.Length - 4).Select(i => c[(i - 4)..(i + 1)].Average()).ToArray();
        var without = Smoothed(Curve(legacy, 300));
        var with = Smoothed(Curve(recipe, 30));
        double target = without[^1];
        int index = Array.FindIndex(with, l => l <= target);
        TestContext.WriteLine($"old network after 300 steps: {target:G4}; the recipe after 30: {with[^1]:G4}, at or below the old network's loss from step {(index < 0 ? "(never)" : (index + 5).ToString())}");
        // Measured: the old network 0.149 after 300 steps (five-step mean); the recipe is below it from step 7.
        Assert.IsGreaterThanOrEqualTo(0, index, "the recipe should reach the old network's 300-step loss within 30 steps (10x fewer)");
        Assert.IsGreaterThan(0.1, target, "the old network should still be on the plateau after 300 steps at this learning rate");
    }

}
