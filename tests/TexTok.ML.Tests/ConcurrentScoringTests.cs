using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using TexTok.ML.Data;

namespace TexTok.ML.Tests;

/// <summary>
/// One loaded pipeline scored from several threads at once, through a prediction engine per thread and through
/// cursors, gives what one thread gives: the components share no mutable state between rows or threads.
/// </summary>
[TestClass]
public sealed class ConcurrentScoringTests
{
    private const int RowCount = 12;
    private const int Threads = 4;

    // Rounds per thread: 3 in CI; TEXTOK_CONCURRENCY_ROUNDS sets more for a longer run under load.
    private static readonly int Rounds = int.TryParse(Environment.GetEnvironmentVariable("TEXTOK_CONCURRENCY_ROUNDS"), out int rounds) && rounds > 0 ? rounds : 3;

    public TestContext TestContext { get; set; } = null!;

    public sealed class ImageRow
    {
        [ImageType(ComponentTestData.ImageSize, ComponentTestData.ImageSize)]
        public MLImage Image { get; set; } = null!;

        public string Caption { get; set; } = string.Empty;
    }

    public sealed class ScoredRow
    {
        public float[] Tokens { get; set; } = [];

        public float[] ReconstructionPixels { get; set; } = [];
    }

    // A prediction engine per thread (created with OwnsTransformer = false: ML.NET's default engine owns the
    // transformer and disposes it with itself, see below) and cursors, side by side, a few rounds each.
    [TestMethod]
    public void ThreadsScoringOneLoadedPipelineGetWhatOneThreadGets()
    {
        using var pair = ComponentTestData.Model(useText: true);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        var loaded = SaveAndLoad(ml, pair, data);

        // One thread: the reference.
        var scored = loaded.Transform(data);
        var expectedTokens = ComponentTestData.Column(scored, "Tokens");
        var expectedPixels = ComponentTestData.Column(scored, "ReconstructionPixels");
        Assert.IsGreaterThan(0.0, expectedPixels.Max(p => p.Max()), "the reconstructions must not be blank for the comparison to mean anything");

        var mismatches = new List<string>();
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            var rows = Rows();
            using var engine = ml.Model.CreatePredictionEngine<ImageRow, ScoredRow>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
            for (int round = 0; round < Rounds; round++)
            {
                if (thread % 2 == 0)
                {
                    for (int i = 0; i < RowCount; i++)
                    {
                        int row = (i + thread + round) % RowCount;
                        var output = engine.Predict(rows[row]);
                        Check(mismatches, $"engine {thread} round {round} row {row}", expectedTokens[row], output.Tokens, expectedPixels[row], output.ReconstructionPixels);
                    }
                }
                else
                {
                    var view = loaded.Transform(ml.Data.LoadFromEnumerable(rows));
                    var tokens = ComponentTestData.Column(view, "Tokens");
                    var pixels = ComponentTestData.Column(view, "ReconstructionPixels");
                    for (int row = 0; row < RowCount; row++)
                    {
                        Check(mismatches, $"cursor {thread} round {round} row {row}", expectedTokens[row], tokens[row], expectedPixels[row], pixels[row]);
                    }
                }
            }
        });

        TestContext.WriteLine($"{Threads} threads x {Rounds} rounds x {RowCount} rows: {mismatches.Count} mismatches");
        Assert.IsEmpty(mismatches, string.Join("; ", mismatches.Take(5)));
    }

    // ML.NET's prediction engines own their transformer unless told otherwise: disposing one disposes the pipeline, as
    // it does ML.NET's own ONNX transformer. A fitted TexTok pipeline then refuses further use with a managed error.
    // (A pipeline loaded from a zip is ML.NET's own chain of built-in steps, whose ONNX transformer has no such guard:
    // see docs/reliability.md.)
    [TestMethod]
    public void DisposingAnEngineThatOwnsAFittedPipelineMakesItRefuseFurtherUse()
    {
        using var pair = ComponentTestData.Model(useText: true);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        var fitted = ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(pair)).Append(ml.Transforms.Detokenize(pair)).Fit(data);
        using (var borrowing = ml.Model.CreatePredictionEngine<ImageRow, ScoredRow>(fitted, new PredictionEngineOptions { OwnsTransformer = false }))
        {
            Assert.IsNotEmpty(borrowing.Predict(Rows()[0]).Tokens);
        }

        Assert.IsNotEmpty(ComponentTestData.Column(fitted.Transform(data), "Tokens"), "an engine that does not own the pipeline leaves it usable");
        using (var owning = ml.Model.CreatePredictionEngine<ImageRow, ScoredRow>(fitted))
        {
            Assert.IsNotEmpty(owning.Predict(Rows()[0]).Tokens);
        }

        Assert.ThrowsExactly<ObjectDisposedException>(() => ml.Model.CreatePredictionEngine<ImageRow, ScoredRow>(fitted));
    }

    private static List<ImageRow> Rows() =>
        CaptionedShapes.Enumerate(DataSplit.Test, RowCount, new CaptionedShapesOptions { ImageSize = ComponentTestData.ImageSize })
            .Select(s => new ImageRow { Image = ImagePixels.ToMLImage(s.Image), Caption = s.Caption }).ToList();

    private ITransformer SaveAndLoad(MLContext ml, TexTokTrainedModel pair, IDataView data)
    {
        var fitted = ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(pair)).Append(ml.Transforms.Detokenize(pair)).Fit(data);
        string zip = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-concurrent.zip");
        ml.Model.Save(fitted, data.Schema, zip);
        return new MLContext(seed: 1).Model.LoadTexTokPipeline(zip, out _);
    }

    private static void Check(List<string> mismatches, string where, float[] tokens, float[] actualTokens, float[] pixels, float[] actualPixels)
    {
        if (!tokens.AsSpan().SequenceEqual(actualTokens) || !pixels.AsSpan().SequenceEqual(actualPixels))
        {
            lock (mismatches)
            {
                mismatches.Add(where);
            }
        }
    }
}
