using Microsoft.ML;
using Microsoft.ML.Data;
using Orleans.TestingHost;
using TexTok.ML.Data;
using TexTok.ML.Torch.Tokenizer;
using static TorchSharp.torch;

namespace TexTok.ML.Orleans.Tests;

[TestClass]
public sealed class ShardedTokenizeJobTests
{
    private const int Rows = 20;

    public TestContext TestContext { get; set; } = null!;

    internal static string NewFolder(TestContext context, string name)
    {
        string path = Path.Combine(context.TestRunDirectory ?? Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    // A tiny text-conditioned tokenizer (seeded weights) saved as CaptionEmbed → TexTokenize, fitted on 32 px scenes.
    private static string SavePipeline(string folder)
    {
        var ml = new MLContext(seed: 1);
        manual_seed(3);
        var config = new TexTokConfig
        {
            ImageSize = 16, PatchSize = 4, Width = 16, Depth = 1, Heads = 2, NumTokens = 4, TokenDim = 4,
            TextTokens = CaptionEmbedMapping.DefaultTokens, TextDim = CaptionEmbedMapping.DefaultDim, UseText = true,
        };
        using var model = new TexTokTrainedModel(new TexTokModel(config));
        var rows = ShardSource.FromScenes(4, imageSize: 32).Load(ml);
        var pipeline = ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(model)).Fit(rows);
        string path = Path.Combine(folder, "tokenizer.zip");
        ml.Model.Save(pipeline, rows.Schema, path);
        return path;
    }

    private (string Folder, TokenizeJob Job) NewJob(string name, int shardSize, int rows = Rows) => NewJob(TestContext, name, shardSize, rows);

    internal static (string Folder, TokenizeJob Job) NewJob(TestContext context, string name, int shardSize, int rows = Rows)
    {
        string folder = NewFolder(context, name);
        return (folder, new TokenizeJob
        {
            PipelinePath = SavePipeline(folder), Source = ShardSource.FromScenes(rows, imageSize: 32),
            OutputDirectory = Path.Combine(folder, "tokens"), ShardSize = shardSize,
        });
    }

    internal static async Task<InProcessTestCluster> TwoSilos()
    {
        var cluster = new InProcessTestClusterBuilder(2).Build();
        await cluster.DeployAsync();
        return cluster;
    }

    internal static float[][] TokensInOneProcess(string pipelinePath, ShardSource source)
    {
        var ml = new MLContext(seed: 1);
        var scored = ml.Model.LoadTexTokPipeline(pipelinePath, out _).Transform(source.Load(ml));
        return scored.GetColumn<VBuffer<float>>(TexTokDefaults.TokensColumn).Select(v => v.DenseValues().ToArray()).ToArray();
    }

    [TestMethod]
    public async Task TwoSilosWriteTheTokensOneProcessComputesAndARerunRedoesNothing()
    {
        var (_, job) = NewJob("job", shardSize: 6);
        await using var cluster = await TwoSilos();

        var report = await ShardedTokenizeJob.RunAsync(cluster.Client, job);
        TestContext.WriteLine(string.Join(Environment.NewLine, report.Shards));
        Assert.AreEqual(4, report.Shards.Count, "20 rows in shards of 6");
        Assert.AreEqual(4, report.Written);
        CollectionAssert.AreEqual(new[] { 6, 6, 6, 2 }, report.Shards.Select(s => s.Rows).ToArray());

        var joined = TokenShard.LoadAll(job.OutputDirectory);
        var expected = TokensInOneProcess(job.PipelinePath, job.Source);
        CollectionAssert.AreEqual(Enumerable.Range(0, Rows).Select(i => (long)i).ToArray(), joined.Ids, "every row once, in order");
        for (int i = 0; i < Rows; i++)
        {
            CollectionAssert.AreEqual(expected[i], joined.Tokens[i], $"row {i}");
        }

        Assert.IsGreaterThan(0.0, expected.Select(t => t[0]).Distinct().Count() - 1.0, "the rows' tokens differ from each other");
        var written = Directory.GetFiles(job.OutputDirectory).ToDictionary(f => f, File.GetLastWriteTimeUtc);

        var again = await ShardedTokenizeJob.RunAsync(cluster.Client, job);
        Assert.AreEqual(4, again.AlreadyDone, "a rerun finds every shard done");
        foreach (var (file, time) in written)
        {
            Assert.AreEqual(time, File.GetLastWriteTimeUtc(file), $"{file} was rewritten");
        }

        Assert.IsEmpty(Directory.GetFiles(job.OutputDirectory, "*.tmp*"), "no temporary files left");
    }

    [TestMethod]
    public async Task ASiloKilledMidJobLosesAndDuplicatesNothing()
    {
        const int rows = 60;
        var (_, job) = NewJob("kill", shardSize: 2, rows: rows);
        await using var cluster = await TwoSilos();
        var victim = cluster.Silos[1];
        Task? kill = null;
        int ended = 0;
        var progress = new Reporter(result =>
        {
            if (Interlocked.Increment(ref ended) == 3)
            {
                kill = cluster.KillSiloAsync(victim);
            }
        });

        var report = await ShardedTokenizeJob.RunAsync(cluster.Client, job, maxConcurrentShards: 2, progress: progress);
        Assert.IsNotNull(kill, "the silo was killed during the job");
        await kill;
        TestContext.WriteLine(string.Join(Environment.NewLine, report.Shards));
        Assert.IsEmpty(report.Failed, "every shard ends written after retries on the survivor");
        Assert.HasCount(1, cluster.Silos, "one silo left");
        var joined = TokenShard.LoadAll(job.OutputDirectory); // throws if a row appears twice
        CollectionAssert.AreEqual(Enumerable.Range(0, rows).Select(i => (long)i).ToArray(), joined.Ids, "every row once");
        var expected = TokensInOneProcess(job.PipelinePath, job.Source);
        for (int i = 0; i < rows; i++)
        {
            CollectionAssert.AreEqual(expected[i], joined.Tokens[i], $"row {i}");
        }
    }

    private sealed class Reporter(Action<ShardResult> report) : IProgress<ShardResult>
    {
        public void Report(ShardResult value) => report(value);
    }

    [TestMethod]
    public async Task AMissingShardIsRedoneAndABadPipelineFailsItsShardsWithTheReason()
    {
        var (folder, job) = NewJob("resume", shardSize: 8);
        await using var cluster = await TwoSilos();
        await ShardedTokenizeJob.RunAsync(cluster.Client, job);
        File.Delete(Path.Combine(job.OutputDirectory, TokenShard.FileName(1)));

        var resumed = await ShardedTokenizeJob.RunAsync(cluster.Client, job);
        CollectionAssert.AreEqual(new[] { ShardStatus.AlreadyDone, ShardStatus.Written, ShardStatus.AlreadyDone }, resumed.Shards.Select(s => s.Status).ToArray());
        CollectionAssert.AreEqual(TokensInOneProcess(job.PipelinePath, job.Source)[8..16], TokenShard.Load(Path.Combine(job.OutputDirectory, TokenShard.FileName(1))).Tokens,
            "the redone shard equals the one-process tokens");

        string notAPipeline = Path.Combine(folder, "not-a-pipeline.zip");
        File.WriteAllText(notAPipeline, "not a zip");
        var broken = job with { PipelinePath = notAPipeline, OutputDirectory = Path.Combine(folder, "broken") };
        var failed = await ShardedTokenizeJob.RunAsync(cluster.Client, broken, attempts: 2);
        Assert.HasCount(3, failed.Failed);
        TestContext.WriteLine(failed.Failed[0].Error);
        StringAssert.Contains(failed.Failed[0].Error, "not-a-pipeline.zip");
        Assert.IsFalse(Directory.Exists(broken.OutputDirectory) && Directory.GetFiles(broken.OutputDirectory).Length > 0, "a failed shard writes no file");

        File.Copy(job.PipelinePath, notAPipeline, overwrite: true); // the file mended: the silos read it again
        Assert.AreEqual(3, (await ShardedTokenizeJob.RunAsync(cluster.Client, broken)).Written);

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (job with { ShardSize = 0 }).Validate());
        Assert.ThrowsExactly<FileNotFoundException>(() => (job with { Source = ShardSource.FromCaptionsFile(Path.Combine(folder, "missing.tsv")) }).Validate());
    }
}
