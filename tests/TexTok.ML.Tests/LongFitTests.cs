using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML.Data;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Training;

namespace TexTok.ML.Tests;

/// <summary>Long training Fits: stopping them, carrying on from their checkpoint, and bad images among good ones.</summary>
[TestClass]
public sealed class LongFitTests
{
    public TestContext TestContext { get; set; } = null!;

    private string TempPath(string suffix) => Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-{suffix}");

    private TexTokTrainingOptions Training(int steps, string? checkpoint = null) => new()
    {
        Steps = steps, BatchSize = 4, WarmupSteps = 2, PerceptualWeight = 0, Seed = 5, Threads = 1, LogEvery = 5, CheckpointPath = checkpoint,
    };

    [TestMethod]
    public void ACancelledFitThrowsKeepsItsCheckpointAndTheNextFitCarriesOn()
    {
        var ml = new MLContext(seed: 1);
        var data = ComponentTestData.Shapes(ml, 8, DataSplit.Train);
        string checkpoint = TempPath("run.ckpt");
        using var stop = new CancellationTokenSource();
        var options = new TexTokenizeOptions
        {
            Network = ComponentTestData.TinyConfig(),
            Training = Training(40, checkpoint),
            CacheDirectory = TestContext.TestRunDirectory,
            CancellationToken = stop.Token,
            Progress = new Reporter<TexTokTrainingProgress>(p =>
            {
                if (p.Step >= 10)
                {
                    stop.Cancel();
                }
            }),
        };
        var pipeline = ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(options));
        var cancelled = Assert.ThrowsExactly<OperationCanceledException>(() => pipeline.Fit(data));
        TestContext.WriteLine(cancelled.Message);
        StringAssert.Contains(cancelled.Message, "TexTokenize: Fit was cancelled after step 10 of 40");
        StringAssert.Contains(cancelled.Message, checkpoint);

        using (var resumed = TexTokTrainer.Resume(checkpoint, Training(40)))
        {
            Assert.AreEqual(10, resumed.Step, "the checkpoint holds the step the Fit stopped at");
        }

        options.CancellationToken = CancellationToken.None;
        options.Progress = null;
        using var fitted = pipeline.Fit(data);
        var history = ((TexTokenizeTransformer)fitted.LastTransformer).TrainingHistory;
        Assert.AreEqual(30, history.Count, "the second Fit runs the 30 steps that were left");
        Assert.AreEqual(11, history[0].Step);
        Assert.AreEqual(40, history[^1].Step);
    }

    [TestMethod]
    public void HeldOutDataPutsItsPsnrIntoTheHistoryOnScheduleAndBadColumnsAreNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = ComponentTestData.Shapes(ml, 8, DataSplit.Train);
        var embed = ml.Transforms.CaptionEmbed();
        var heldOut = embed.Fit(data).Transform(ComponentTestData.Shapes(ml, 3, DataSplit.Test));
        var training = Training(10);
        training.ValidateEvery = 4;
        var reported = new List<TexTokTrainingProgress>();
        var options = new TexTokenizeOptions
        {
            Network = ComponentTestData.TinyConfig(),
            Training = training,
            CacheDirectory = TestContext.TestRunDirectory,
            HeldOutData = heldOut,
            Progress = new Reporter<TexTokTrainingProgress>(reported.Add),
        };
        using var fitted = embed.Append(ml.Transforms.TexTokenize(options)).Fit(data);
        var history = ((TexTokenizeTransformer)fitted.LastTransformer).TrainingHistory;
        CollectionAssert.AreEqual(new long[] { 4, 8, 10 }, history.Where(h => h.HeldOutPsnr is not null).Select(h => h.Step).ToArray());
        Assert.IsTrue(history.Where(h => h.HeldOutPsnr is not null).All(h => h.HeldOutPsnr is > 3 and < 60), string.Join(", ", history.Select(h => h.HeldOutPsnr)));
        Assert.AreEqual(history[^1].HeldOutPsnr, reported.Single(r => r.Step == 10).HeldOutPsnr, "progress reports carry the figure too");

        options.HeldOutData = ComponentTestData.Shapes(ml, 3, DataSplit.Test); // no text columns: CaptionEmbed was not applied
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => embed.Append(ml.Transforms.TexTokenize(options)).Fit(data));
        TestContext.WriteLine(error.Message);
        StringAssert.Contains(error.Message, "HeldOutData");
    }

    [TestMethod]
    public void ACancelledDiTGenerateFitThrowsKeepsItsCheckpointAndTheNextFitCarriesOn()
    {
        var ml = new MLContext(seed: 1);
        using var tokenizer = ComponentTestData.Model(useText: false);
        var tokens = ComponentTestData.TokenRows(ml, tokenizer, rows: 8);
        string checkpoint = TempPath("dit.ckpt");
        DiTTrainingOptions DiTTraining() => new() { Steps = 40, BatchSize = 4, WarmupSteps = 2, Seed = 5, Threads = 1, LogEvery = 5, CheckpointPath = checkpoint };
        using var stop = new CancellationTokenSource();
        var options = new DiTGenerateOptions
        {
            Network = ComponentTestData.TinyGenerator(numClasses: 6),
            Training = DiTTraining(),
            Sampler = new DiTSamplerOptions { Steps = 2 },
            CancellationToken = stop.Token,
            Progress = new Reporter<DiTTrainingProgress>(p =>
            {
                if (p.Step >= 10)
                {
                    stop.Cancel();
                }
            }),
        };
        var cancelled = Assert.ThrowsExactly<OperationCanceledException>(() => ml.Transforms.DiTGenerate(options).Fit(tokens));
        TestContext.WriteLine(cancelled.Message);
        StringAssert.Contains(cancelled.Message, "DiTGenerate: Fit was cancelled after step 10 of 40");
        StringAssert.Contains(cancelled.Message, checkpoint);

        using (var resumed = DiTTrainer.Resume(checkpoint, DiTTraining()))
        {
            Assert.AreEqual(10, resumed.Step, "the checkpoint holds the step the Fit stopped at");
            Assert.AreEqual(16, resumed.Config.TokenLength);
        }

        options.CancellationToken = CancellationToken.None;
        options.Progress = null;
        using var fitted = ml.Transforms.DiTGenerate(options).Fit(tokens);
        Assert.HasCount(30, fitted.TrainingHistory, "the second Fit runs the 30 steps that were left");
        Assert.AreEqual(11, fitted.TrainingHistory[0].Step);
        Assert.AreEqual(40, fitted.TrainingHistory[^1].Step);

        options.Network = ComponentTestData.TinyGenerator(numClasses: 7);
        var other = Assert.ThrowsExactly<InvalidDataException>(() => ml.Transforms.DiTGenerate(options).Fit(tokens));
        StringAssert.Contains(other.Message, "is of another network than this trainer's");
    }

    [TestMethod]
    public void TheContextsCancelExecutionStopsAFit()
    {
        var ml = new MLContext(seed: 1);
        var data = ComponentTestData.Shapes(ml, 8, DataSplit.Train);
        // MLContext.CancelExecution is public through Microsoft.ML.Experimental; the test calls it directly.
        var cancelExecution = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
        long lastStep = 0;
        var tokenize = ml.Transforms.TexTokenize(new TexTokenizeOptions
        {
            Network = ComponentTestData.TinyConfig(),
            Training = Training(100_000),
            CacheDirectory = TestContext.TestRunDirectory,
            Progress = new Reporter<TexTokTrainingProgress>(p =>
            {
                lastStep = p.Step;
                if (p.Step == 10)
                {
                    cancelExecution.Invoke(ml, null);
                }
            }),
        });
        var error = Assert.ThrowsExactly<OperationCanceledException>(() => ml.Transforms.CaptionEmbed().Append(tokenize).Fit(data));
        TestContext.WriteLine(error.Message);
        StringAssert.Contains(error.Message, "TexTokenize: Fit was cancelled after step");
        Assert.IsLessThan(100_000L, lastStep, "training stopped soon after the flag was set");
    }

    [TestMethod]
    public void ATruncatedJpegIsSkippedWhenAskedAndFailsFitOtherwise()
    {
        var ml = new MLContext(seed: 1);
        string folder = Directory.CreateDirectory(TempPath("images")).FullName;
        var lines = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            ImagePixels.SavePng(CaptionedShapes.Render(null, DataSplit.Train, i).Image, Path.Combine(folder, $"good{i}.png"));
            lines.Add($"good{i}.png\tshape {i}");
        }

        string jpeg = Path.Combine(folder, "broken.jpg");
        var pixels = new byte[32 * 32 * 4];
        new Random(3).NextBytes(pixels);
        using (var image = MLImage.CreateFromPixels(32, 32, MLPixelFormat.Rgba32, pixels))
        {
            image.Save(jpeg);
        }

        byte[] whole = File.ReadAllBytes(jpeg);
        Assert.IsTrue(whole.Length > 200 && whole[0] == 0xFF && whole[1] == 0xD8, "a JPEG file was written");
        // Cut inside its headers: ML.NET's decoder (Skia) reads a JPEG cut after its headers as a partly grey image
        // without an error, so only a cut this early makes the file unreadable.
        File.WriteAllBytes(jpeg, whole[..(whole.Length / 10)]);
        lines.Insert(2, "broken.jpg\ta truncated photo");
        string captions = Path.Combine(folder, "captions.tsv");
        File.WriteAllLines(captions, lines);
        var rows = CaptionedImageFolder.Load(ml, captions);

        TexTokenizeEstimator Tokenize(bool skip) => ml.Transforms.TexTokenize(new TexTokenizeOptions
        {
            Network = ComponentTestData.TinyConfig(useText: false),
            Training = Training(3),
            CacheDirectory = TestContext.TestRunDirectory,
            SkipInvalidImages = skip,
        });

        var error = Assert.Throws<Exception>(() => Tokenize(skip: false).Fit(rows));
        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        TestContext.WriteLine(messages);
        StringAssert.Contains(messages, "captions.tsv, line 3: the image");
        StringAssert.Contains(messages, "broken.jpg");

        using var fitted = Tokenize(skip: true).Fit(rows);
        TestContext.WriteLine(fitted.SkippedImages.ToString());
        Assert.AreEqual(1, fitted.SkippedImages.Count);
        Assert.HasCount(1, fitted.SkippedImages.FirstReasons);
        StringAssert.Contains(fitted.SkippedImages.FirstReasons[0], "row 2: ");
        StringAssert.Contains(fitted.SkippedImages.FirstReasons[0], "broken.jpg");
        Assert.HasCount(3, fitted.TrainingHistory);
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }

    /// <summary>Reports on the training thread, as the test needs to act at an exact step (Progress&lt;T&gt; posts later).</summary>
    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
