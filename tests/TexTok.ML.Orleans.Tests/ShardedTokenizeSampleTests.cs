using System.Text.Json;
using TexTok.ML.Testing;

namespace TexTok.ML.Orleans.Tests;

/// <summary>The ShardedTokenize sample end to end: train, save, a silo in its process, one job per worker count.</summary>
[TestClass]
public sealed class ShardedTokenizeSampleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void TheSampleWritesEveryRowOnceForEachWorkerCount()
    {
        string output = ShardedTokenizeJobTests.NewFolder(TestContext, "sample");
        var (code, log) = RunSample(["--quick", "--rows", "40", "--shard", "8", "--steps", "5", "--workers", "1,2", "--out", output]);
        Assert.AreEqual(0, code, log);
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json"))).RootElement;
        var runs = report.GetProperty("runs").EnumerateArray().ToList();
        CollectionAssert.AreEqual(new[] { 1, 2 }, runs.Select(r => r.GetProperty("workers").GetInt32()).ToArray());
        foreach (var run in runs)
        {
            Assert.AreEqual(5, run.GetProperty("shards").GetInt32());
            Assert.IsGreaterThan(0.0, run.GetProperty("images_per_second").GetDouble());
            var tokens = TokenShard.LoadAll(Path.Combine(output, run.GetProperty("folder").GetString()!));
            CollectionAssert.AreEqual(Enumerable.Range(0, 40).Select(i => (long)i).ToArray(), tokens.Ids);
        }

        StringAssert.Contains(log, "tokens equal to the first run's: True");
    }

    [TestMethod]
    public void AMissingPipelineIsNamed()
    {
        var (code, log) = RunSample(["--pipeline", "/nonexistent/tokenizer.zip", "--out", ShardedTokenizeJobTests.NewFolder(TestContext, "missing")]);
        Assert.AreEqual(1, code, log);
        StringAssert.Contains(log, "--pipeline names a file that does not exist: '/nonexistent/tokenizer.zip'");
    }

    private (int Code, string Log) RunSample(string[] arguments) =>
        ChildProgram.Run(TestContext, "dotnet", [ChildProgram.BuiltAssembly("samples/ShardedTokenize", "ShardedTokenize"), .. arguments], TimeSpan.FromMinutes(3));
}
