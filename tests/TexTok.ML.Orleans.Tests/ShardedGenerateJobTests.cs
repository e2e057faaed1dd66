using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Tokenizer;
using static TorchSharp.torch;

namespace TexTok.ML.Orleans.Tests;

[TestClass]
public sealed class ShardedGenerateJobTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly GenerateRequest[] Requests =
    [
        new(0, "a small red square on a blue background", 5),
        new(1, "a large green circle at the top", 4),
    ];

    // DiTGenerate (a seeded random class-conditional DiT) → CaptionEmbed → Detokenize (a seeded tiny TexTok), saved.
    private static string SavePipeline(string folder)
    {
        manual_seed(5);
        var tokenizerConfig = new TexTokConfig
        {
            ImageSize = 16, PatchSize = 4, Width = 16, Depth = 1, Heads = 2, NumTokens = 4, TokenDim = 4,
            TextTokens = CaptionEmbedMapping.DefaultTokens, TextDim = CaptionEmbedMapping.DefaultDim, UseText = true,
        };
        using var tokenizer = new TexTokTrainedModel(new TexTokModel(tokenizerConfig));
        var ditConfig = DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 4, tokenDim: 4, numClasses: 2) with { FrequencyDim = 32 };
        using var dit = new DiTModel(ditConfig) { Normalization = new LatentNormalization(0.25, 1.6) };
        dit.eval();
        using (no_grad())
        {
            foreach (var parameter in dit.parameters())
            {
                parameter.normal_(0, 0.1);
            }
        }

        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(new[] { new GenerateRow { Label = 0, Seed = 1, Caption = "a square" } });
        var pipeline = ml.Transforms.DiTGenerate(new DiTGenerateOptions { Model = dit, Sampler = new DiTSamplerOptions { Steps = 3 } })
            .Append(ml.Transforms.CaptionEmbed())
            .Append(ml.Transforms.Detokenize(tokenizer))
            .Fit(rows);
        string path = Path.Combine(folder, "generator.zip");
        ml.Model.Save(pipeline, rows.Schema, path);
        return path;
    }

    private static (float[][] Tokens, float[][] Pixels) InOneProcess(GenerateJob job)
    {
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, job.RowCount).Select(job.RowAt).ToList());
        var scored = ml.Model.LoadTexTokPipeline(job.PipelinePath, out _).Transform(rows);
        float[][] Column(string name) => scored.GetColumn<VBuffer<float>>(name).Select(v => v.DenseValues().ToArray()).ToArray();
        return (Column(TexTokDefaults.TokensColumn), Column(TexTokDefaults.ReconstructionPixelsColumn));
    }

    [TestMethod]
    public async Task TwoSilosGenerateWhatOneProcessGeneratesWhateverTheShardingAndARerunRedoesNothing()
    {
        string folder = ShardedTokenizeJobTests.NewFolder(TestContext, "generate");
        var job = new GenerateJob { PipelinePath = SavePipeline(folder), Requests = Requests, OutputDirectory = Path.Combine(folder, "by3"), ShardSize = 3, Seed = 40 };
        await using var cluster = await ShardedTokenizeJobTests.TwoSilos();

        var report = await ShardedGenerateJob.RunAsync(cluster.Client, job);
        TestContext.WriteLine(string.Join(Environment.NewLine, report.Shards));
        CollectionAssert.AreEqual(new[] { 3, 3, 3 }, report.Shards.Select(s => s.Rows).ToArray(), "9 rows in shards of 3");
        Assert.AreEqual(3, report.Written);

        var joined = GeneratedShard.LoadAll(job.OutputDirectory);
        var (tokens, pixels) = InOneProcess(job);
        CollectionAssert.AreEqual(Enumerable.Range(0, 9).Select(i => (long)i).ToArray(), joined.Ids, "every row once, in order");
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 0, 0, 1, 1, 1, 1 }, joined.Labels);
        Assert.AreEqual(16, joined.ImageSize);
        for (int i = 0; i < 9; i++)
        {
            CollectionAssert.AreEqual(tokens[i], joined.Tokens[i], $"row {i}'s tokens");
            CollectionAssert.AreEqual(pixels[i], joined.Pixels![i], $"row {i}'s pixels");
        }

        Assert.AreEqual(9, tokens.Select(t => t[0]).Distinct().Count(), "each row has its own noise seed");
        Assert.AreEqual(16, joined.Image(8).Width);

        // Another cut of the same rows, and a rerun: the same images, nothing rewritten.
        var bigger = await ShardedGenerateJob.RunAsync(cluster.Client, job with { OutputDirectory = Path.Combine(folder, "by4"), ShardSize = 4 });
        Assert.AreEqual(3, bigger.Written);
        var other = GeneratedShard.LoadAll(Path.Combine(folder, "by4"));
        for (int i = 0; i < 9; i++)
        {
            CollectionAssert.AreEqual(joined.Pixels![i], other.Pixels![i], $"row {i} does not depend on its shard");
        }

        var written = Directory.GetFiles(job.OutputDirectory).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var again = await ShardedGenerateJob.RunAsync(cluster.Client, job);
        Assert.AreEqual(3, again.AlreadyDone);
        foreach (var (file, time) in written)
        {
            Assert.AreEqual(time, File.GetLastWriteTimeUtc(file), $"{file} was rewritten");
        }
    }

    [TestMethod]
    public void BadJobsAreRefusedWithTheirReason()
    {
        var job = new GenerateJob { PipelinePath = "g.zip", Requests = Requests, OutputDirectory = "out" };
        Assert.AreEqual(9, job.RowCount);
        Assert.AreEqual(new GenerateRow { Label = 1, Seed = 5, Caption = Requests[1].Caption }.Caption, job.RowAt(5).Caption);
        Assert.AreEqual(1, job.RowAt(5).Label);
        Assert.AreEqual(5, job.RowAt(5).Seed);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => job.RowAt(9));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => (job with { Requests = [] }).Validate()).Message, "at least one request");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => (job with { Requests = [new(0, "x", 0)] }).Validate()).Message, "Request 0");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (job with { ShardSize = 0 }).Validate());
    }
}
