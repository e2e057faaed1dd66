using TexTok.ML.Torch.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests.Generation;

[TestClass]
public sealed class DiTModelTests
{
    [TestMethod]
    [DataRow(DiTPreset.Tiny, 2, 64, 4)]
    [DataRow(DiTPreset.S, 12, 384, 6)]
    [DataRow(DiTPreset.B, 12, 768, 12)]
    [DataRow(DiTPreset.L, 24, 1024, 16)]
    [DataRow(DiTPreset.XL, 28, 1152, 16)]
    public void PresetsMatchDiTSizes(DiTPreset preset, int depth, int width, int heads)
    {
        var config = DiTConfig.FromPreset(preset, numTokens: 32);
        Assert.AreEqual((depth, width, heads), (config.Depth, config.Width, config.Heads));

        Assert.AreEqual(8, config.TokenDim);
        Assert.AreEqual(0.1, config.ClassDropout);
    }

    [TestMethod]
    [DataRow(DiTPreset.Tiny)]
    [DataRow(DiTPreset.S)]
    [DataRow(DiTPreset.B)]
    public void ForwardGivesOneVelocityPerTokenChannel(DiTPreset preset)
    {
        // Full width and heads; one block for the large presets keeps the test small (XL/L are covered by config only).
        var config = DiTConfig.FromPreset(preset, numTokens: 16, numClasses: 10) with { Depth = 1 };
        manual_seed(0);
        using var model = new DiTModel(config);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var v = model.forward(randn(3, 16, 8), rand(3), tensor(new long[] { 0, 9, 10 }));
        CollectionAssert.AreEqual(new long[] { 3, 16, 8 }, v.shape);
        Assert.IsTrue(v.isfinite().all().item<bool>());
    }

    [TestMethod]
    [DataRow(DiTPreset.L, 458.0)]
    [DataRow(DiTPreset.XL, 675.0)]
    public void LargePresetsHaveDiTsParameterCount(DiTPreset preset, double millions)
    {
        // Built on the meta device, which tracks shapes without storage, so the full-depth networks cost no memory.
        // (libtorch has no meta kernels for LayerNorm and embedding lookups, so forward shapes are tested on S and B.)
        set_default_device(META);
        try
        {
            using var model = new DiTModel(DiTConfig.FromPreset(preset, numTokens: 256, numClasses: 1000));
            Assert.AreEqual(DeviceType.META, model.Device.type);
            double parameters = model.parameters().Sum(p => p.numel()) / 1e6;
            Assert.AreEqual(millions, parameters, 0.01 * millions, $"{preset}: {parameters:F1}M parameters");
        }
        finally
        {
            set_default_device(CPU);
        }
    }

    [TestMethod]
    public void ComputeMatchesDiTsPublishedFigure()
    {
        // DiT-XL/2 at 256 px runs 256 tokens and is quoted at 118.64 Gflops (multiply-accumulates); the count differs
        // from DiT's only in the patch embedding and output layer (d = 8 channels here instead of 2·2·4).
        double xl256 = DiTConfig.FromPreset(DiTPreset.XL, numTokens: 256, numClasses: 1000).MultiplyAccumulates() / 1e9;
        Assert.AreEqual(118.64, xl256, 0.01 * 118.64);
        double xl32 = DiTConfig.FromPreset(DiTPreset.XL, numTokens: 32, numClasses: 1000).MultiplyAccumulates() / 1e9;
        Assert.IsTrue(xl32 is > 14.0 and < 15.0, $"XL with 32 tokens: {xl32:F2} GMACs");
    }

    [TestMethod]
    public void ZeroInitialisationMakesTheUntrainedModelOutputExactlyZero()
    {
        manual_seed(1);
        foreach (var config in new[] { DiTTestData.ClassConfig(), DiTTestData.TextConfig() })
        {
            using var model = new DiTModel(config);
            using var scope = NewDisposeScope();
            var x = randn(2, config.NumTokens, config.TokenDim);
            var t = rand(2);
            var v = config.IsClassConditional
                ? model.forward(x, t, tensor(new long[] { 1, 3 }))
                : model.forward(x, t, randn(2, config.TextTokens, config.TextDim), ones(2, config.TextTokens));
            Assert.AreEqual(0f, v.abs().max().item<float>());
        }
    }

    [TestMethod]
    public void DroppingALabelEqualsPassingTheNullClass()
    {
        var config = DiTTestData.ClassConfig();
        using var model = new DiTModel(config);
        DiTTestData.Randomize(model, 2);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(2, config.NumTokens, config.TokenDim);
        var t = rand(2);
        var labels = tensor(new long[] { 1, 2 });
        var dropped = model.forward(x, t, DiTCondition.ForClasses(labels, tensor(new[] { true, false })));
        var nullClass = model.forward(x, t, tensor(new long[] { config.NumClasses, 2 }));
        var conditional = model.forward(x, t, labels);
        Assert.AreEqual(0f, (dropped - nullClass).abs().max().item<float>());
        Assert.IsTrue((dropped[0] - conditional[0]).abs().max().item<float>() > 1e-4, "the null class should differ from class 1");
        Assert.AreEqual(0f, (dropped[1] - conditional[1]).abs().max().item<float>());
    }

    [TestMethod]
    public void PaddedTextPositionsDoNotChangeTheOutput()
    {
        var config = DiTTestData.TextConfig();
        using var model = new DiTModel(config);
        DiTTestData.Randomize(model, 3);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(2, config.NumTokens, config.TokenDim);
        var t = rand(2);
        var text = randn(2, config.TextTokens, config.TextDim);
        var mask = tensor(new float[] { 1, 1, 0, 0, 0, 1, 1, 1, 1, 0 }, new long[] { 2, config.TextTokens });
        var junk = text.clone();
        junk[0, 3] = randn(config.TextDim).Times(50);
        junk[1, 4] = randn(config.TextDim).Times(50);
        var a = model.forward(x, t, text, mask);
        var b = model.forward(x, t, junk, mask);
        Assert.AreEqual(0f, (a - b).abs().max().item<float>(), 1e-6f);
        var unmasked = model.forward(x, t, junk, ones(2, config.TextTokens));
        Assert.IsTrue((a - unmasked).abs().max().item<float>() > 1e-4, "real text positions should change the output");
    }

    [TestMethod]
    public void ConfigurationRoundTripsThroughJsonAndNamesBadOptions()
    {
        var config = DiTTestData.TextConfig() with { ClassDropout = 0.2 };
        Assert.AreEqual(config, DiTConfig.FromJson(config.ToJson()));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (config with { Heads = 5 }).Validate());
        Assert.AreEqual("Heads", error.ParamName);
        error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (config with { NumClasses = 3 }).Validate());
        Assert.AreEqual("TextTokens", error.ParamName);
        error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (config with { TextDim = 0 }).Validate());
        Assert.AreEqual("TextDim", error.ParamName);
        Assert.ThrowsExactly<InvalidDataException>(() => DiTConfig.FromJson("{not json"));
    }

    [TestMethod]
    public void WrongInputShapesAreRefusedWithTheExpectedShape()
    {
        var config = DiTTestData.ClassConfig();
        using var model = new DiTModel(config);
        using var scope = NewDisposeScope();
        var error = Assert.ThrowsExactly<ArgumentException>(() => model.forward(randn(2, 7, 4), rand(2), tensor(new long[] { 0, 1 })));
        StringAssert.Contains(error.Message, "[B, 8, 4]");
        Assert.ThrowsExactly<ArgumentException>(() => model.forward(randn(2, 8, 4), rand(2), DiTCondition.None));
        error = Assert.ThrowsExactly<ArgumentException>(() => model.forward(randn(2, 8, 4), rand(2), tensor(new[] { 0, 1 })));
        StringAssert.Contains(error.Message, "int64");
    }

    [TestMethod]
    public void SinCosPositionsFollowTheClosedForm()
    {
        var table = SinCosPositionEmbedding.Values(3, 4);
        // Row p: [sin(p), sin(p/100), cos(p), cos(p/100)].
        Assert.AreEqual(0f, table[0]);
        Assert.AreEqual(1f, table[2]);
        Assert.AreEqual((float)Math.Sin(2), table[8], 1e-7f);
        Assert.AreEqual((float)Math.Sin(2 / 100.0), table[9], 1e-7f);
        Assert.AreEqual((float)Math.Cos(2 / 100.0), table[11], 1e-7f);
    }
}
