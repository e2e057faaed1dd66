using TexTok.ML.Torch.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests.Generation;

[TestClass]
public sealed class DiTSamplerTests
{
    [TestMethod]
    public void GuidanceScaleOneEqualsTheConditionalPrediction()
    {
        foreach (var config in new[] { DiTTestData.ClassConfig(), DiTTestData.TextConfig() })
        {
            using var model = new DiTModel(config);
            DiTTestData.Randomize(model, 4);
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = randn(3, config.NumTokens, config.TokenDim);
            var condition = config.IsClassConditional
                ? DiTCondition.ForClasses(tensor(new long[] { 0, 1, 3 }))
                : DiTCondition.ForText(randn(3, config.TextTokens, config.TextDim), ones(3, config.TextTokens));
            var conditional = model.forward(x, full(new long[] { 3 }, 0.4f.ToScalar()), condition);
            var guided = DiTSampler.GuidedVelocity(model, x, 0.4, condition, 1.0);
            Assert.AreEqual(0f, (guided - conditional).abs().max().item<float>());
            var strong = DiTSampler.GuidedVelocity(model, x, 0.4, condition, 4.0);
            Assert.IsTrue((strong - conditional).abs().max().item<float>() > 1e-4, "guidance 4 should move away from the conditional prediction");
        }
    }

    [TestMethod]
    public void GuidanceMatchesTheTwoSeparatePredictions()
    {
        var config = DiTTestData.ClassConfig();
        using var model = new DiTModel(config);
        DiTTestData.Randomize(model, 5);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(2, config.NumTokens, config.TokenDim);
        var labels = tensor(new long[] { 2, 1 });
        var t = full(new long[] { 2 }, 0.7f.ToScalar());
        var conditional = model.forward(x, t, labels);
        var unconditional = model.forward(x, t, tensor(new long[] { config.NumClasses, config.NumClasses }));
        var expected = unconditional + (conditional - unconditional) * 3.0;
        var guided = DiTSampler.GuidedVelocity(model, x, 0.7, DiTCondition.ForClasses(labels), 3.0);
        Assert.AreEqual(0f, (guided - expected).abs().max().item<float>(), 1e-5f);
    }

    [TestMethod]
    public void SeededSamplingIsReproducibleAndIndependentOfTheBatchSize()
    {
        set_num_threads(1);
        var config = DiTTestData.ClassConfig();
        using var model = new DiTModel(config);
        DiTTestData.Randomize(model, 6);
        var labels = new[] { 0, 1, 2, 3, 1 };
        var options = new DiTSamplerOptions { Steps = 5, Seed = 9, Method = DiTSamplerMethod.Heun, GuidanceScale = 2, GuidanceIntervalLow = 0.2, GuidanceIntervalHigh = 0.8 };
        var a = DiTSampler.SampleClasses(model, labels, options);
        var b = DiTSampler.SampleClasses(model, labels, options);
        for (int i = 0; i < a.Length; i++)
        {
            CollectionAssert.AreEqual(a[i], b[i]);
        }

        var oneByOne = DiTSampler.SampleClasses(model, labels, new DiTSamplerOptions
        {
            Steps = 5, Seed = 9, Method = DiTSamplerMethod.Heun, GuidanceScale = 2, GuidanceIntervalLow = 0.2, GuidanceIntervalHigh = 0.8, BatchSize = 1,
        });
        for (int i = 0; i < a.Length; i++)
        {
            Assert.IsTrue(DiTTestData.Distance(a[i], oneByOne[i]) < 1e-4, $"sample {i} depends on the batch it was drawn in");
        }

        var other = DiTSampler.SampleClasses(model, labels, new DiTSamplerOptions { Steps = 5, Seed = 10, Method = DiTSamplerMethod.Heun });
        Assert.IsTrue(DiTTestData.Distance(a[0], other[0]) > 1e-3, "another seed should give another sample");
    }

    [TestMethod]
    public void AnUntrainedModelReturnsItsNoiseMappedBackToLatentUnits()
    {
        // The untrained model predicts v = 0, so both integrators keep the initial noise; the sampler then applies
        // the inverse normalisation x = z / scale + shift.
        var config = DiTTestData.ClassConfig();
        using var model = new DiTModel(config) { Normalization = new LatentNormalization(Shift: 0.5, Scale: 4) };
        foreach (var method in new[] { DiTSamplerMethod.Euler, DiTSamplerMethod.Heun })
        {
            var samples = DiTSampler.SampleClasses(model, new[] { 1, 2 }, new DiTSamplerOptions { Steps = 3, Seed = 2, Method = method, GuidanceScale = 1.5 });
            using var noise = DiTSampler.Noise(config, 2, 0, 2, CPU);
            var expected = noise.data<float>().ToArray().Select(z => z / 4 + 0.5f).ToArray();
            CollectionAssert.AreEqual(expected.Take(config.TokenLength).ToArray(), samples[0]);
            CollectionAssert.AreEqual(expected.Skip(config.TokenLength).ToArray(), samples[1]);
        }
    }

    [TestMethod]
    public void TextConditionalSamplingGivesOneSequencePerCaption()
    {
        var config = DiTTestData.TextConfig();
        using var model = new DiTModel(config);
        DiTTestData.Randomize(model, 7);
        var data = DiTTestData.TextDataset(config, 3, 4);
        var samples = DiTSampler.SampleText(model, data.Texts!, data.Masks!, new DiTSamplerOptions { Steps = 3, GuidanceScale = 2 });
        Assert.AreEqual(3, samples.Length);
        Assert.IsTrue(samples.All(s => s.Length == config.TokenLength && s.All(float.IsFinite)));
        Assert.ThrowsExactly<InvalidOperationException>(() => DiTSampler.SampleClasses(model, new[] { 0 }, new DiTSamplerOptions()));
    }

    [TestMethod]
    public void TheTimeGridRunsFromNoiseToDataAndShiftsTowardsNoise()
    {
        CollectionAssert.AreEqual(new[] { 1.0, 0.75, 0.5, 0.25, 0.0 }, DiTSampler.TimeGrid(new DiTSamplerOptions { Steps = 4 }));
        var shifted = DiTSampler.TimeGrid(new DiTSamplerOptions { Steps = 4, TimeShift = 3 });
        Assert.AreEqual(1.0, shifted[0], 1e-12);
        Assert.AreEqual(3 * 0.5 / (1 + 2 * 0.5), shifted[2], 1e-12);
        Assert.AreEqual(0.0, shifted[4], 1e-12);
    }

    [TestMethod]
    public void BadSamplerOptionsNameTheOption()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DiTSamplerOptions { GuidanceIntervalLow = 0.8, GuidanceIntervalHigh = 0.5 }.Validate());
        Assert.AreEqual("GuidanceIntervalHigh", error.ParamName);
        error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DiTSamplerOptions { Steps = 0 }.Validate());
        Assert.AreEqual("Steps", error.ParamName);
    }
}
