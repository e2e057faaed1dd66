using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Training;

namespace TexTok.ML.Tests;

/// <summary>What ML.NET users expect of estimators and transformers: no fitted state on estimators, disposal, one set of defaults.</summary>
[TestClass]
public sealed class TransformerLifetimeTests
{
    public TestContext TestContext { get; set; } = null!;

    private TexTokenizeEstimator TrainingTokenizer(MLContext ml, int steps) => ml.Transforms.TexTokenize(new TexTokenizeOptions
    {
        Network = ComponentTestData.TinyConfig(),
        Training = new TexTokTrainingOptions { Steps = steps, BatchSize = 4, WarmupSteps = 2, PerceptualWeight = 0, Seed = 5, Threads = 1 },
        CacheDirectory = TestContext.TestRunDirectory,
    });

    [TestMethod]
    public void TwoFitsOfOnePipelineRunTogetherAndEachDecodesWithItsOwnPair()
    {
        var ml = new MLContext(seed: 1);
        var data = ComponentTestData.Shapes(ml, 8, Data.DataSplit.Train);
        var tokenize = TrainingTokenizer(ml, steps: 6);
        var pipeline = ml.Transforms.CaptionEmbed().Append(tokenize).Append(ml.Transforms.Detokenize(tokenize));

        var fits = Enumerable.Range(0, 2).Select(_ => Task.Run(() => pipeline.Fit(data))).ToArray();
        Task.WaitAll(fits);
        using var first = fits[0].Result;
        using var second = fits[1].Result;

        var firstPair = ((TexTokenizeTransformer)first.ElementAt(1)).Model;
        var secondPair = ((TexTokenizeTransformer)second.ElementAt(1)).Model;
        Assert.IsNotNull(firstPair);
        Assert.IsNotNull(secondPair);
        Assert.AreNotSame(firstPair, secondPair, "each Fit trains its own pair");
        Assert.AreSame(firstPair, first.LastTransformer.Model, "the first pipeline's Detokenize decodes with the first pair");
        Assert.AreSame(secondPair, second.LastTransformer.Model, "the second pipeline's Detokenize decodes with the second pair");

        // Same seed, one thread each: the two runs are the same computation, so their images agree exactly.
        var a = ComponentTestData.Column(first.Transform(data), TexTokDefaults.ReconstructionPixelsColumn);
        var b = ComponentTestData.Column(second.Transform(data), TexTokDefaults.ReconstructionPixelsColumn);
        for (int row = 0; row < a.Length; row++)
        {
            CollectionAssert.AreEqual(a[row], b[row], $"row {row}");
        }
    }

    [TestMethod]
    public void TheTokenColumnNamesThePairThatWroteIt()
    {
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model();
        var data = ComponentTestData.Shapes(ml, 2);
        using var tokenize = ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(model)).Fit(data);
        var tokens = tokenize.Transform(data);
        var source = TexTokTokenSource.Find(tokens.Schema[TexTokDefaults.TokensColumn]);
        Assert.IsNotNull(source);
        Assert.AreSame(model, source.Model);
        Assert.IsTrue(tokens.Schema[TexTokDefaults.TokensColumn].Annotations.Schema.GetColumnOrNull(TexTokTokenSource.AnnotationName).HasValue);
        Assert.AreSame(model, TexTokTokenSource.Find(tokenize.GetOutputSchema(data.Schema)[TexTokDefaults.TokensColumn])?.Model, "the output schema says the same before any row is read");
        Assert.IsNull(TexTokTokenSource.Find(tokens.Schema[TexTokDefaults.TextMaskColumn]));
    }

    [TestMethod]
    public void DisposingReleasesTheSessionsAndTheTrainedPairButNotAModelPassedIn()
    {
        var ml = new MLContext(seed: 1);
        var data = ComponentTestData.Shapes(ml, 4, Data.DataSplit.Train);
        var fitted = ml.Transforms.CaptionEmbed().Append(TrainingTokenizer(ml, steps: 2)).Fit(data);
        var tokenize = (TexTokenizeTransformer)fitted.LastTransformer;
        var trainedWeight = tokenize.Model!.Model.parameters().First();
        var sessions = OnnxSessionsOf(tokenize.Inner);
        Assert.AreEqual(1, sessions.Count, "the tokenizer's chain holds one ONNX Runtime session");
        Assert.IsFalse(trainedWeight.IsInvalid);

        fitted.Dispose();
        Assert.IsTrue(trainedWeight.IsInvalid, "the pair that Fit trained is released with its transformer");
        Assert.IsTrue(sessions.All(IsDisposed), "the ONNX Runtime session is released");
        Assert.ThrowsExactly<ObjectDisposedException>(() => tokenize.Transform(data));
        tokenize.Dispose();

        using var given = ComponentTestData.Model();
        var givenWeight = given.Model.parameters().First();
        var wrapped = ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(given)).Append(ml.Transforms.Detokenize(given)).Fit(data);
        Assert.AreEqual(2, wrapped.Skip(1).Sum(t => OnnxSessionsOf(((TexTokChainTransformer)t).Inner).Count));
        wrapped.Dispose();
        Assert.IsFalse(givenWeight.IsInvalid, "a model passed in stays the caller's");
        Assert.AreEqual(4, ComponentTestData.Column(ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(given)).Fit(data).Transform(data), "Tokens").Length);
    }

    [TestMethod]
    public void CatalogMethodsAndOptionsShareTheirDefaults()
    {
        var ml = new MLContext(seed: 1);
        var fromCatalog = ml.Transforms.TexTokenize().Options;
        var fromOptions = new TexTokenizeOptions();
        Assert.AreEqual(TexTokDefaults.TrainingSteps, fromCatalog.Training!.Steps);
        Assert.AreEqual(TexTokDefaults.TrainingSteps, new TexTokTrainingOptions().Steps, "Options without Training train this many steps");
        Assert.IsNull(fromOptions.Network);
        Assert.AreEqual(TexTokenizeEstimator.DefaultNetwork, fromCatalog.Network);

        using var dit = new DiTModel(new DiTConfig { NumTokens = 2, TokenDim = 2, Width = 8, Depth = 1, Heads = 1, NumClasses = 2 });
        var generateFromCatalog = ml.Transforms.DiTGenerate(dit).Options;
        var generateFromOptions = new DiTGenerateOptions();
        Assert.AreEqual(TexTokDefaults.SamplerSteps, generateFromCatalog.Sampler.Steps);
        Assert.AreEqual(generateFromCatalog.Sampler.Steps, generateFromOptions.Sampler.Steps);
        Assert.AreEqual(generateFromCatalog.Sampler.GuidanceScale, generateFromOptions.Sampler.GuidanceScale);
        Assert.AreEqual(generateFromCatalog.LabelColumnName, generateFromOptions.LabelColumnName);
        Assert.AreEqual(generateFromCatalog.SeedColumnName, generateFromOptions.SeedColumnName);

        var trainFromCatalog = ml.Transforms.DiTGenerate().Options;
        Assert.IsNull(trainFromCatalog.Model);
        Assert.IsNull(trainFromCatalog.Network, "the network follows the data, as Options without Network");
        Assert.AreEqual(TexTokDefaults.TrainingSteps, trainFromCatalog.Training!.Steps);
        Assert.AreEqual(TexTokDefaults.TrainingSteps, new DiTTrainingOptions().Steps, "Options without Training train this many steps");
        Assert.AreEqual(generateFromOptions.TokensColumnName, trainFromCatalog.TokensColumnName);
        Assert.AreEqual(generateFromOptions.Sampler.Steps, trainFromCatalog.Sampler.Steps);
        Assert.AreEqual(generateFromOptions.Sampler.GuidanceScale, trainFromCatalog.Sampler.GuidanceScale);
    }

    [TestMethod]
    public void ACudaRequestFallsBackToTheCpuWhenAllowed()
    {
        // On this project's CPU-only test machines; where CUDA starts, the fallback is simply not needed.
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model();
        var data = ComponentTestData.Shapes(ml, 2);
        IEstimator<ITransformer> Pipeline(int? gpu, bool fallback) => ml.Transforms.CaptionEmbed()
            .Append(ml.Transforms.TexTokenize(new TexTokenizeOptions { Model = model, GpuDeviceId = gpu, FallbackToCpu = fallback }))
            .Append(ml.Transforms.Detokenize(new DetokenizeOptions { Model = model, GpuDeviceId = gpu, FallbackToCpu = fallback }));

        using var cpu = (IDisposable)Pipeline(null, fallback: false).Fit(data);
        using var fallen = (IDisposable)Pipeline(0, fallback: true).Fit(data);
        var expected = ComponentTestData.Column(((ITransformer)cpu).Transform(data), TexTokDefaults.ReconstructionPixelsColumn);
        var actual = ComponentTestData.Column(((ITransformer)fallen).Transform(data), TexTokDefaults.ReconstructionPixelsColumn);
        for (int row = 0; row < expected.Length; row++)
        {
            for (int i = 0; i < expected[row].Length; i++)
            {
                Assert.AreEqual(expected[row][i], actual[row][i], 0.5f, $"row {row}, value {i}");
            }
        }

#if !TEXTOK_ONNXRUNTIME_GPU
        // The CPU build of ONNX Runtime has no CUDA provider: without the fallback the request fails, naming the package.
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Pipeline(0, fallback: false).Fit(data));
        StringAssert.Contains(error.Message, "TexTokenize: GpuDeviceId = 0 asks for CUDA, but the application's ONNX Runtime is the CPU build");
        StringAssert.Contains(error.Message, "Microsoft.ML.OnnxRuntime.Gpu");
#endif
    }

    /// <summary>The ONNX Runtime sessions held by the OnnxTransformers of a chain (ML.NET keeps them internal).</summary>
    private static List<object> OnnxSessionsOf(ITransformer transformer)
    {
        var found = new List<object>();
        void Walk(ITransformer t)
        {
            if (t is OnnxTransformer onnx)
            {
                found.Add(Member(Member(onnx, "Model"), "_session"));
            }
            else if (t is IEnumerable<ITransformer> chain)
            {
                foreach (var inner in chain)
                {
                    Walk(inner);
                }
            }
        }

        Walk(transformer);
        return found;
    }

    private static bool IsDisposed(object session) => (bool)Member(session, "_disposed");

    private static object Member(object owner, string name)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var type = owner.GetType();
        object? value = type.GetField(name, Any)?.GetValue(owner) ?? type.GetProperty(name, Any)?.GetValue(owner);
        return value ?? throw new MissingMemberException(type.FullName, name);
    }
}
