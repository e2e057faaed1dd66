using Microsoft.ML;
using TexTok.ML.Data;
using TexTok.ML.Text;
using TexTok.ML.Torch.Tokenizer;

namespace TexTok.ML.Samples.Tests;

[TestClass]
public sealed class SampleTrainingTests
{
    private const int Steps = 6;
    private const int Rows = 24;

    // QuickStart trains its tokenizers through ML.NET's Fit, several side by side: each pipeline must hold the network
    // that the same training gives on its own, and that network must be the one the trainer gives on arrays.
    [TestMethod]
    public void TokenizersFittedSideBySideEqualTheTrainerRunAloneOnTheSameImages()
    {
        var ml = new MLContext(seed: 1);
        var shapes = new CaptionedShapesOptions { ImageSize = 32 };
        var rows = CaptionedShapes.Load(ml, DataSplit.Train, Rows, shapes);
        var encoder = new FrozenBpeTextEncoder();
        var arrays = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Train, Rows, shapes), SampleTraining.Embedder(encoder));
        var heldOut = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Test, 4, shapes), SampleTraining.Embedder(encoder));
        TexTokConfig Network(bool useText) => TexTokConfig.FromPreset(TexTokPreset.Tiny, 32, 4, encoder.MaxTokens, encoder.EmbeddingDim, useText);

        var jobs = new List<SampleTraining.TokenizerJob> { new("text", Network(true), rows, Steps), new("no text", Network(false), rows, Steps) };
        var fitted = SampleTraining.FitTokenizers(ml, jobs, "Training");
        try
        {
            int threads = Math.Max(1, Environment.ProcessorCount / Math.Min(Environment.ProcessorCount, jobs.Count));
            for (int i = 0; i < jobs.Count; i++)
            {
                var sideBySide = SampleTraining.Reconstruct(SampleTraining.Tokenizer(fitted[i]).Model, heldOut);
                using var alone = SampleTraining.TrainTokenizer(jobs[i].Network, arrays, Steps, threads, "Training alone");
                var expected = SampleTraining.Reconstruct(alone, heldOut);
                Assert.HasCount(expected.Length, sideBySide);
                double gap = expected.Zip(sideBySide, (a, b) => Math.Abs(a - b)).Max();
                Assert.IsLessThan(1e-4, gap, $"{jobs[i].Name}: the fitted pipeline's network differs from the trainer's by {gap}");
            }

            // The two variants are different networks (the text changes the result), so the comparison above has teeth.
            var text = SampleTraining.Reconstruct(SampleTraining.Tokenizer(fitted[0]).Model, heldOut);
            var noText = SampleTraining.Reconstruct(SampleTraining.Tokenizer(fitted[1]).Model, heldOut);
            Assert.IsGreaterThan(1e-3, text.Zip(noText, (a, b) => Math.Abs(a - b)).Max());
        }
        finally
        {
            foreach (var pipeline in fitted)
            {
                pipeline.Dispose();
            }
        }
    }

    // QuickStart gives its jobs their own learning rate: it must reach the trainer (the peak of the schedule the
    // training history records) and change the network, while a job without one keeps the samples' 10⁻³.
    [TestMethod]
    public void AJobsLearningRateIsThePeakOfItsSchedule()
    {
        var ml = new MLContext(seed: 1);
        var rows = CaptionedShapes.Load(ml, DataSplit.Train, Rows, new CaptionedShapesOptions { ImageSize = 32 });
        var encoder = new FrozenBpeTextEncoder();
        var network = TexTokConfig.FromPreset(TexTokPreset.Tiny, 32, 4, encoder.MaxTokens, encoder.EmbeddingDim, useText: false) with { Depth = 1, MlpRatio = 2 };
        var jobs = new List<SampleTraining.TokenizerJob> { new("default", network, rows, Steps), new("2e-3", network, rows, Steps, LearningRate: 2e-3) };
        var fitted = SampleTraining.FitTokenizers(ml, jobs, "Training");
        try
        {
            var histories = fitted.Select(f => ((TexTokenizeTransformer)f.ElementAt(1)).TrainingHistory).ToList();
            Assert.AreEqual(1e-3, histories[0].Max(p => p.LearningRate), 1e-12);
            Assert.AreEqual(2e-3, histories[1].Max(p => p.LearningRate), 1e-12);
            var heldOut = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Test, 4, new CaptionedShapesOptions { ImageSize = 32 }), SampleTraining.Embedder(encoder));
            var outputs = fitted.Select(f => SampleTraining.Reconstruct(SampleTraining.Tokenizer(f).Model, heldOut)).ToList();
            Assert.IsGreaterThan(1e-4, outputs[0].Zip(outputs[1], (a, b) => Math.Abs(a - b)).Max());
        }
        finally
        {
            foreach (var pipeline in fitted)
            {
                pipeline.Dispose();
            }
        }
    }
}
