using TexTok.ML.Torch.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests.Generation;

[TestClass]
public sealed class DiTTrainerTests
{
    public TestContext TestContext { get; set; } = null!;

    private string TempFile(string name) => Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");

    [TestMethod]
    public void ATinyDiTOverfitsFourTokenVectorsAndTheSamplerReturnsThem()
    {
        var config = DiTTestData.ClassConfig() with { ClassDropout = 0 };
        var tokens = DiTTestData.Tokens(config, 4, seed: 11);
        var data = TokenDataset.WithLabels(tokens, new[] { 0, 1, 2, 3 });
        var options = new DiTTrainingOptions
        {
            BatchSize = 16, Steps = 400, LearningRate = 3e-3, WarmupSteps = 20, Seed = 5, LogEvery = 100,
            TimestepSampling = TimestepSampling.Uniform,
        };
        var reports = new List<DiTTrainingProgress>();
        using var trainer = new DiTTrainer(config, LatentNormalization.Measure(data), options);
        var history = trainer.Train(data, new SynchronousProgress(reports));
        double first = history.Take(10).Average(h => h.Loss);
        double last = history.TakeLast(20).Average(h => h.Loss);
        Assert.IsTrue(last * 5 < first, $"loss fell from {first:G4} to {last:G4}, less than 5x");
        Assert.AreEqual(4, reports.Count);
        Assert.IsTrue(reports.All(r => r.SamplesPerSecond > 0));

        var samples = DiTSampler.SampleClasses(trainer.Model, new[] { 0, 1, 2, 3, 0, 1, 2, 3 },
            new DiTSamplerOptions { Steps = 20, Seed = 3 });
        double minApart = tokens.SelectMany((a, i) => tokens.Skip(i + 1).Select(b => DiTTestData.Distance(a, b))).Min();
        for (int i = 0; i < samples.Length; i++)
        {
            double own = DiTTestData.Distance(samples[i], tokens[i % 4]);
            Assert.IsTrue(own < 0.25 * minApart, $"sample {i} is {own:G3} from its class's training vector; vectors are ≥ {minApart:G3} apart");
        }
    }

    [TestMethod]
    public void ATinyTextToImageDiTLearnsTokensFromCaptions()
    {
        var config = DiTTestData.TextConfig() with { ClassDropout = 0 };
        var data = DiTTestData.TextDataset(config, 4, seed: 8);
        var options = new DiTTrainingOptions
        {
            BatchSize = 16, Steps = 250, LearningRate = 3e-3, WarmupSteps = 20, Seed = 6, TimestepSampling = TimestepSampling.Uniform,
        };
        using var trainer = new DiTTrainer(config, LatentNormalization.Measure(data), options);
        var history = trainer.Train(data);
        double first = history.Take(10).Average(h => h.Loss);
        double last = history.TakeLast(20).Average(h => h.Loss);
        Assert.IsTrue(last * 5 < first, $"loss fell from {first:G4} to {last:G4}, less than 5x");

        var samples = DiTSampler.SampleText(trainer.Model, data.Texts!, data.Masks!, new DiTSamplerOptions { Steps = 20, Seed = 2 });
        var tokens = data.Tokens;
        double minApart = tokens.SelectMany((a, i) => tokens.Skip(i + 1).Select(b => DiTTestData.Distance(a, b))).Min();
        for (int i = 0; i < samples.Length; i++)
        {
            double own = DiTTestData.Distance(samples[i], tokens[i]);
            Assert.IsTrue(own < 0.25 * minApart, $"sample {i} is {own:G3} from its caption's training vector; vectors are ≥ {minApart:G3} apart");
        }
    }

    [TestMethod]
    public void ATrainingStepLeaksNoTensors()
    {
        foreach (var config in new[] { DiTTestData.ClassConfig(), DiTTestData.TextConfig() })
        {
            var data = config.IsClassConditional
                ? TokenDataset.WithLabels(DiTTestData.Tokens(config, 4, 1), new[] { 0, 1, 2, 3 })
                : DiTTestData.TextDataset(config, 4, 1);
            using var trainer = new DiTTrainer(config, LatentNormalization.Identity, new DiTTrainingOptions { BatchSize = 4, Steps = 10 });
            trainer.TrainStep(data);
            trainer.TrainStep(data);
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            trainer.TrainStep(data);
            trainer.TrainStep(data);
            Assert.AreEqual(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount, config.ToJson());
        }
    }

    [TestMethod]
    public void AResumedRunMatchesTheUninterruptedRun()
    {
        set_num_threads(1);
        var config = DiTTestData.TextConfig();
        var data = DiTTestData.TextDataset(config, 6, seed: 2);
        var normalization = LatentNormalization.Measure(data, center: true);
        DiTTrainingOptions Options() => new() { BatchSize = 4, Steps = 6, WarmupSteps = 2, Seed = 7, EmaDecay = 0.9 };

        List<DiTTrainingProgress> straight;
        string straightModel = TempFile("straight.safetensors");
        using (var trainer = new DiTTrainer(config, normalization, Options()))
        {
            straight = trainer.Train(data).ToList();
            trainer.SaveModel(straightModel);
        }

        string checkpoint = TempFile("dit-resume.safetensors");
        var firstHalf = new List<DiTTrainingProgress>();
        using (var trainer = new DiTTrainer(config, normalization, Options()))
        {
            for (int i = 0; i < 3; i++)
            {
                firstHalf.Add(trainer.TrainStep(data));
            }

            trainer.SaveCheckpoint(checkpoint);
        }

        using var resumed = DiTTrainer.Resume(checkpoint, Options());
        Assert.AreEqual(3, resumed.Step);
        Assert.AreEqual(normalization, resumed.Normalization);
        var combined = firstHalf.Concat(resumed.Train(data)).ToList();
        CollectionAssert.AreEqual(straight.Select(s => s.Loss).ToList(), combined.Select(s => s.Loss).ToList());
        string resumedModel = TempFile("resumed.safetensors");
        resumed.SaveModel(resumedModel);
        CollectionAssert.AreEqual(File.ReadAllBytes(straightModel), File.ReadAllBytes(resumedModel), "the EMA weights differ");
    }

    [TestMethod]
    public void TheModelFileKeepsWeightsConfigurationAndNormalisation()
    {
        var config = DiTTestData.ClassConfig();
        var data = TokenDataset.WithLabels(DiTTestData.Tokens(config, 4, 3), new[] { 0, 1, 2, 3 });
        var normalization = LatentNormalization.Measure(data, center: true);
        string path = TempFile("dit.safetensors");
        using var trainer = new DiTTrainer(config, normalization, new DiTTrainingOptions { BatchSize = 4, Steps = 3, EmaDecay = 0.5 });
        trainer.Train(data);
        trainer.SaveModel(path);
        using var ema = trainer.CreateEmaModel();
        using var loaded = DiTModelFile.Load(path);
        Assert.AreEqual(config, loaded.Config);
        Assert.AreEqual(normalization, loaded.Normalization);
        var state = loaded.state_dict();
        foreach (var (name, value) in ema.state_dict())
        {
            using var difference = value.sub(state[name]);
            using var max = difference.abs().max();
            Assert.AreEqual(0f, max.item<float>(), name);
        }

        var options = new DiTSamplerOptions { Steps = 4, Seed = 1 };
        var a = DiTSampler.SampleClasses(ema, new[] { 1, 2 }, options);
        var b = DiTSampler.SampleClasses(loaded, new[] { 1, 2 }, options);
        for (int i = 0; i < a.Length; i++)
        {
            CollectionAssert.AreEqual(a[i], b[i]);
        }
    }

    [TestMethod]
    public void AForeignOrMismatchedFileIsRefusedByName()
    {
        string path = TempFile("not-dit.safetensors");
        Checkpoints.SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = zeros(2) }, new Dictionary<string, string> { ["format"] = "other" });
        var error = Assert.ThrowsExactly<InvalidDataException>(() => DiTModelFile.Load(path));
        StringAssert.Contains(error.Message, path);
        Assert.ThrowsExactly<InvalidDataException>(() => DiTTrainer.Resume(path, new DiTTrainingOptions()));
    }

    [TestMethod]
    public void DataThatDoesNotFitTheModelIsRefusedWithTheSampleIndex()
    {
        var config = DiTTestData.ClassConfig();
        var tokens = DiTTestData.Tokens(config, 3, 1);
        tokens[2] = new float[5];
        using var trainer = new DiTTrainer(config, LatentNormalization.Identity, new DiTTrainingOptions { BatchSize = 2, Steps = 1 });
        var error = Assert.ThrowsExactly<ArgumentException>(() => trainer.Train(TokenDataset.WithLabels(tokens, new[] { 0, 1, 2 })));
        StringAssert.Contains(error.Message, "Sample 2");
        error = Assert.ThrowsExactly<ArgumentException>(() => trainer.Train(TokenDataset.WithLabels(DiTTestData.Tokens(config, 2, 1), new[] { 0, 9 })));
        StringAssert.Contains(error.Message, "label 9");
        var poisoned = DiTTestData.Tokens(config, 2, 1);
        poisoned[1][3] = float.NaN;
        error = Assert.ThrowsExactly<ArgumentException>(() => trainer.Train(TokenDataset.WithLabels(poisoned, new[] { 0, 1 })));
        StringAssert.Contains(error.Message, "Sample 1: the tokens holds NaN at position 3");
    }

    [TestMethod]
    public void LatentNormalisationGivesUnitVariance()
    {
        var data = TokenDataset.Unconditional(new[] { new float[] { 1, 3 }, new float[] { 5, 7 } });
        var centred = LatentNormalization.Measure(data, center: true);
        Assert.AreEqual(4.0, centred.Shift, 1e-12);
        Assert.AreEqual(1 / Math.Sqrt(5), centred.Scale, 1e-12);
        var uncentred = LatentNormalization.Measure(data);
        Assert.AreEqual(0.0, uncentred.Shift);
        Assert.AreEqual(1 / Math.Sqrt(21), uncentred.Scale, 1e-12);
        Assert.AreEqual(centred, LatentNormalization.FromJson(centred.ToJson()));
        Assert.ThrowsExactly<ArgumentException>(() => LatentNormalization.Measure(TokenDataset.Unconditional(new[] { new float[] { 2, 2 } }), center: true));
    }

    private sealed class SynchronousProgress(List<DiTTrainingProgress> reports) : IProgress<DiTTrainingProgress>
    {
        public void Report(DiTTrainingProgress value) => reports.Add(value);
    }
}
