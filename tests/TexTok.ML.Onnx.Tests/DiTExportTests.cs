using TexTok.ML.Torch;
using TexTok.ML.Torch.Generation;
using static TorchSharp.torch;

namespace TexTok.ML.Onnx.Tests;

[TestClass]
public sealed class DiTExportTests
{
    private const double VelocityTolerance = 1e-4;
    private const double SamplerTolerance = 1e-3;

    private static readonly OnnxScoringOptions OneThread = new() { IntraOpNumThreads = 1 };

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("class", 1)]
    [DataRow("class", 3)]
    [DataRow("text", 1)]
    [DataRow("text", 3)]
    [DataRow("none", 2)]
    public void VelocityMatchesTorchSharp(string kind, int batch)
    {
        var config = DiTParityData.Config(kind);
        using var model = DiTParityData.RandomModel(config, seed: 31);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(7 + batch);
        var x = randn(batch, config.NumTokens, config.TokenDim);
        var t = rand(batch);
        var floats = new Dictionary<string, OnnxFloatTensor>
        {
            [DiTOnnxExport.TokensInput] = DiTParityData.ToOnnx(x),
            [DiTOnnxExport.TimeInput] = DiTParityData.ToOnnx(t),
        };
        var int64 = new Dictionary<string, OnnxInt64Tensor>();
        DiTCondition condition = DiTCondition.None;
        if (config.IsClassConditional)
        {
            // The last sample takes the null class (the unconditional branch) when the batch has more than one.
            var labels = Enumerable.Range(0, batch).Select(i => i == batch - 1 && batch > 1 ? (long)config.NumClasses : (2 * i + 1) % config.NumClasses).ToArray();
            condition = DiTCondition.ForClasses(tensor(labels));
            int64[DiTOnnxExport.LabelsInput] = new OnnxInt64Tensor(labels, batch);
        }
        else if (config.IsTextConditional)
        {
            var (texts, masks) = DiTParityData.Captions(config, batch, seed: 3);
            var text = tensor(texts.SelectMany(v => v).ToArray(), new long[] { batch, config.TextTokens, config.TextDim });
            var mask = tensor(masks.SelectMany(v => v).ToArray(), new long[] { batch, config.TextTokens });
            var drop = Enumerable.Range(0, batch).Select(i => i == 1).ToArray();
            condition = DiTCondition.ForText(text, mask, tensor(drop));
            floats[DiTOnnxExport.TextInput] = DiTParityData.ToOnnx(text);
            floats[DiTOnnxExport.TextMaskInput] = DiTParityData.ToOnnx(mask);
            floats[DiTOnnxExport.TextDropInput] = new OnnxFloatTensor(drop.Select(d => d ? 1f : 0f).ToArray(), batch);
        }

        var expected = model.forward(x, t, condition);
        using var session = new OnnxScoringSession(DiTOnnxExport.ExportVelocity(model), OneThread);
        var actual = session.Run(floats, int64)[DiTOnnxExport.VelocityOutput];
        CollectionAssert.AreEqual(expected.shape, actual.Shape.ToArray());
        var e = expected.contiguous().data<float>().ToArray();
        double error = e.Zip(actual.Data, (a, b) => (double)Math.Abs(a - b)).Max();
        TestContext.WriteLine($"parity dit-velocity {kind} batch={batch}: max|Δ|={error:E2}, |v|max={e.Max(Math.Abs):F3}");
        Assert.IsLessThanOrEqualTo(VelocityTolerance, error, $"velocity max |ONNX − TorchSharp| = {error}");
    }

    [TestMethod]
    [DataRow("class", DiTSamplerMethod.Euler, 1.0, 1.0)]
    [DataRow("class", DiTSamplerMethod.Euler, 2.5, 1.0)]
    [DataRow("class", DiTSamplerMethod.Heun, 1.0, 3.0)]
    [DataRow("class", DiTSamplerMethod.Heun, 2.5, 3.0)]
    [DataRow("text", DiTSamplerMethod.Euler, 1.0, 3.0)]
    [DataRow("text", DiTSamplerMethod.Euler, 2.5, 3.0)]
    [DataRow("text", DiTSamplerMethod.Heun, 1.0, 1.0)]
    [DataRow("text", DiTSamplerMethod.Heun, 2.5, 1.0)]
    [DataRow("none", DiTSamplerMethod.Heun, 1.0, 2.0)]
    public void SamplerMatchesTorchSharp(string kind, DiTSamplerMethod method, double guidance, double timeShift)
    {
        var config = DiTParityData.Config(kind);
        using var model = DiTParityData.RandomModel(config, seed: 41);
        // A guidance interval that leaves some evaluations unguided, so both graph paths are exercised.
        var options = new DiTSamplerOptions
        {
            Method = method, Steps = 6, TimeShift = timeShift, GuidanceScale = guidance,
            GuidanceIntervalLow = 0.2, GuidanceIntervalHigh = 0.8, Seed = 12, BatchSize = 2,
        };
        const int count = 3;
        var (texts, masks) = config.IsTextConditional ? DiTParityData.Captions(config, count, seed: 5) : ([], []);
        var labels = config.IsClassConditional ? DiTParityData.Labels(config, count) : [];
        float[][] Torch() => kind switch
        {
            "class" => DiTSampler.SampleClasses(model, labels, options),
            "text" => DiTSampler.SampleText(model, texts, masks, options),
            _ => DiTSampler.SampleUnconditional(model, count, options),
        };

        var expected = Torch();
        var bytes = DiTOnnxExport.ExportSampler(model, options);
        using var sampler = new DiTOnnxSampler(bytes, OneThread);
        Assert.AreEqual(config.IsClassConditional || config.IsTextConditional ? guidance != 1.0 : false, sampler.HasGuidanceInput);
        var actual = kind switch
        {
            "class" => sampler.SampleClasses(labels, options.Seed),
            "text" => sampler.SampleText(texts, masks, options.Seed),
            _ => sampler.SampleUnconditional(count, options.Seed),
        };

        double error = DiTParityData.MaxAbsDifference(expected, actual);
        double magnitude = expected.SelectMany(v => v).Max(Math.Abs);
        TestContext.WriteLine($"parity dit-sampler {kind} {method} steps={options.Steps} w={guidance} shift={timeShift} batch={count}: " +
                              $"max|Δ|={error:E2}, |tokens|max={magnitude:F3}, {bytes.Length / 1024.0:F0} KiB");
        Assert.IsLessThanOrEqualTo(SamplerTolerance, error, $"sampler max |ONNX − TorchSharp| = {error}");
    }

    [TestMethod]
    public void GuidanceScaleInputMatchesAnotherExportedScale()
    {
        // A guided export run with guidance_scale w' equals the TorchSharp sampler at w'.
        var config = DiTParityData.Config("class");
        using var model = DiTParityData.RandomModel(config, seed: 43);
        var options = new DiTSamplerOptions { Method = DiTSamplerMethod.Euler, Steps = 4, GuidanceScale = 2, Seed = 3 };
        var labels = DiTParityData.Labels(config, 2);
        using var sampler = new DiTOnnxSampler(DiTOnnxExport.ExportSampler(model, options), OneThread);
        var actual = sampler.SampleClasses(labels, seed: 3, guidanceScale: 4.0);
        options.GuidanceScale = 4;
        var expected = DiTSampler.SampleClasses(model, labels, options);
        Assert.IsLessThanOrEqualTo(SamplerTolerance, DiTParityData.MaxAbsDifference(expected, actual));
        var atTwo = sampler.SampleClasses(labels, seed: 3);
        Assert.IsGreaterThan(1e-3, DiTParityData.MaxAbsDifference(expected, atTwo), "the guidance scale input must change the samples");
    }

    [TestMethod]
    public void MetadataAndSignatureRoundTrip()
    {
        var dir = Directory.CreateTempSubdirectory("textok-dit-onnx-");
        try
        {
            foreach (var kind in new[] { "class", "text" })
            {
                var config = DiTParityData.Config(kind);
                using var model = DiTParityData.RandomModel(config, seed: 2);
                var options = new DiTSamplerOptions
                {
                    Method = DiTSamplerMethod.Heun, Steps = 3, TimeShift = 2.5, GuidanceScale = 1.75, GuidanceIntervalLow = 0.1, GuidanceIntervalHigh = 0.9, Seed = 8, BatchSize = 16,
                };
                string velocityPath = Path.Combine(dir.FullName, $"velocity-{kind}.onnx");
                string samplerPath = Path.Combine(dir.FullName, $"sampler-{kind}.onnx");
                DiTOnnxExport.ExportVelocity(model, velocityPath);
                DiTOnnxExport.ExportSampler(model, options, samplerPath);

                using var velocity = new OnnxScoringSession(velocityPath);
                Assert.AreEqual(DiTOnnxExport.VelocityNetwork, velocity.Network);
                Assert.AreEqual("textok-onnx/1", velocity.Metadata[OnnxScoringSession.FormatKey]);
                Assert.AreEqual(config, DiTConfig.FromJson(velocity.Metadata[OnnxScoringSession.ConfigKey]));
                Assert.AreEqual(model.Normalization, LatentNormalization.FromJson(velocity.Metadata[DiTOnnxExport.NormalizationKey]));
                Assert.IsFalse(string.IsNullOrEmpty(velocity.Metadata[OnnxScoringSession.VersionKey]));
                string[] condition = kind == "class" ? ["labels"] : ["text", "text_mask", "text_drop"];
                CollectionAssert.AreEqual(new[] { "x", "t" }.Concat(condition).ToArray(), velocity.InputNames.ToArray());
                CollectionAssert.AreEqual(new[] { "velocity" }, velocity.OutputNames.ToArray());
                CollectionAssert.AreEqual(new[] { -1, config.NumTokens, config.TokenDim }, velocity.InputShapes["x"].ToArray());
                CollectionAssert.AreEqual(new[] { -1 }, velocity.InputShapes["t"].ToArray());
                CollectionAssert.AreEqual(kind == "class" ? new[] { "labels" } : Array.Empty<string>(), velocity.Int64InputNames.ToArray());

                using var sampler = new DiTOnnxSampler(samplerPath);
                Assert.AreEqual(DiTOnnxExport.SamplerNetwork, sampler.Session.Network);
                Assert.AreEqual(config, sampler.Config);
                Assert.AreEqual(model.Normalization, sampler.Normalization);
                Assert.AreEqual(options.ToJson(), sampler.Sampler.ToJson());
                Assert.IsTrue(sampler.HasGuidanceInput);
                string[] samplerCondition = kind == "class" ? ["labels"] : ["text", "text_mask"];
                CollectionAssert.AreEqual(new[] { "noise" }.Concat(samplerCondition).Append("guidance_scale").ToArray(), sampler.Session.InputNames.ToArray());
                CollectionAssert.AreEqual(new[] { "tokens" }, sampler.Session.OutputNames.ToArray());
                Assert.IsEmpty(sampler.Session.InputShapes["guidance_scale"]);

                var error = Assert.ThrowsExactly<InvalidDataException>(() => new DiTOnnxSampler(velocityPath));
                StringAssert.Contains(error.Message, "dit-velocity");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void WrongInputsAreRejectedNamingTheInput()
    {
        var config = DiTParityData.Config("class");
        using var model = DiTParityData.RandomModel(config, seed: 4);
        using var velocity = new OnnxScoringSession(DiTOnnxExport.ExportVelocity(model), OneThread);
        var x = new OnnxFloatTensor(new float[2 * config.TokenLength], 2, config.NumTokens, config.TokenDim);
        var t = new OnnxFloatTensor(new float[2], 2);
        var labels = new OnnxInt64Tensor([0, 1], 2);
        Dictionary<string, OnnxFloatTensor> Floats(OnnxFloatTensor xs, OnnxFloatTensor ts) => new() { ["x"] = xs, ["t"] = ts };
        Dictionary<string, OnnxInt64Tensor> Labels(OnnxInt64Tensor l) => new() { ["labels"] = l };

        var wrongTokens = new OnnxFloatTensor(new float[2 * config.TokenLength], 2, config.TokenDim, config.NumTokens);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => velocity.Run(Floats(wrongTokens, t), Labels(labels))).Message, "'x'");
        var wrongTimes = new OnnxFloatTensor(new float[2], 2, 1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => velocity.Run(Floats(x, wrongTimes), Labels(labels))).Message, "'t'");
        var wrongLabels = new OnnxInt64Tensor([0, 1, 2], 3);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => velocity.Run(Floats(x, t), Labels(wrongLabels))).Message, "'labels'");
        var floatLabels = Floats(x, t);
        floatLabels["labels"] = new OnnxFloatTensor([0f, 1f], 2);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => velocity.Run(floatLabels)).Message, "'labels'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => velocity.Run(Floats(x, t))).Message, "'labels'");

        using var sampler = new DiTOnnxSampler(DiTOnnxExport.ExportSampler(model, new DiTSamplerOptions { Steps = 2 }), OneThread);
        var badNoise = new Dictionary<string, OnnxFloatTensor> { ["noise"] = new OnnxFloatTensor(new float[config.TokenLength], 1, config.TokenLength) };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => sampler.Session.Run(badNoise, Labels(new OnnxInt64Tensor([0], 1)))).Message, "'noise'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => sampler.SampleClasses([config.NumClasses], seed: 0));
        Assert.ThrowsExactly<ArgumentException>(() => sampler.SampleClasses([0], seed: 0, guidanceScale: 2.0));
        Assert.ThrowsExactly<InvalidOperationException>(() => sampler.SampleText([new float[1]], [new float[1]], seed: 0));

        var textConfig = DiTParityData.Config("text");
        using var textModel = DiTParityData.RandomModel(textConfig, seed: 5);
        using var textSampler = new DiTOnnxSampler(DiTOnnxExport.ExportSampler(textModel, new DiTSamplerOptions { Steps = 2 }), OneThread);
        var (texts, masks) = DiTParityData.Captions(textConfig, 2, seed: 1);
        var shortCaption = new[] { texts[0], texts[1].AsSpan(1).ToArray() };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => textSampler.SampleText(shortCaption, masks, seed: 0)).Message, "Caption 1");
    }

    [TestMethod]
    public void UnrolledStepsShareTheWeights()
    {
        // Each extra step adds graph nodes but no weights: the file grows by far less than the weights per step.
        var config = DiTParityData.Config("text");
        using var model = DiTParityData.RandomModel(config, seed: 6);
        long weightBytes = model.parameters().Sum(p => p.numel()) * sizeof(float);
        int Size(int steps, DiTSamplerMethod method) =>
            DiTOnnxExport.ExportSampler(model, new DiTSamplerOptions { Steps = steps, Method = method, GuidanceScale = 2 }).Length;
        int velocity = DiTOnnxExport.ExportVelocity(model).Length;
        int euler4 = Size(4, DiTSamplerMethod.Euler), euler16 = Size(16, DiTSamplerMethod.Euler), heun16 = Size(16, DiTSamplerMethod.Heun);
        double perEvaluation = (euler16 - euler4) / 12.0;
        TestContext.WriteLine($"sizes: weights {weightBytes / 1024.0:F0} KiB, velocity {velocity / 1024.0:F0} KiB, euler×4 {euler4 / 1024.0:F0} KiB, " +
                              $"euler×16 {euler16 / 1024.0:F0} KiB, heun×16 {heun16 / 1024.0:F0} KiB, {perEvaluation / 1024.0:F1} KiB per evaluation");
        Assert.IsLessThan(weightBytes / 4.0, perEvaluation, "every step must reuse the stored weights");
    }

    [TestMethod]
    public void UnoptimizedSessionGivesTheSameTokens()
    {
        var config = DiTParityData.Config("text");
        using var model = DiTParityData.RandomModel(config, seed: 9);
        var bytes = DiTOnnxExport.ExportSampler(model, new DiTSamplerOptions { Steps = 4, Method = DiTSamplerMethod.Heun, GuidanceScale = 2 });
        var (texts, masks) = DiTParityData.Captions(config, 3, seed: 2);
        using var optimized = new DiTOnnxSampler(bytes, OneThread);
        using var plain = new DiTOnnxSampler(bytes, OneThread with { OptimizeGraph = false });
        double difference = DiTParityData.MaxAbsDifference(optimized.SampleText(texts, masks, seed: 5), plain.SampleText(texts, masks, seed: 5));
        Assert.IsLessThanOrEqualTo(1e-5, difference);
    }

    [TestMethod]
    public void ConcurrentSamplingGivesIdenticalResults()
    {
        var config = DiTParityData.Config("class");
        using var model = DiTParityData.RandomModel(config, seed: 8);
        using var sampler = new DiTOnnxSampler(
            DiTOnnxExport.ExportSampler(model, new DiTSamplerOptions { Steps = 3, GuidanceScale = 1.5 }), OneThread);
        var labels = DiTParityData.Labels(config, 5);
        var reference = sampler.SampleClasses(labels, seed: 4);
        var results = new float[6][][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 3 }, i => results[i] = sampler.SampleClasses(labels, seed: 4, batchSize: 1 + (i % 3)));
        foreach (var r in results)
        {
            Assert.IsLessThanOrEqualTo(1e-6, DiTParityData.MaxAbsDifference(reference, r));
        }
    }
}
