// ShardedTokenize: a captioned image set tokenized as an Orleans job, one grain call and one file per shard.
//   dotnet run -c Release --project samples/ShardedTokenize [-- --quick] [--workers 1,2] [--rows R] [--shard S]
//                                                            [--pipeline FILE] [--out DIR]
// Trains a small TexTok tokenizer (or takes --pipeline), saves it as a CaptionEmbed → TexTokenize pipeline, starts an
// Orleans silo in this process (localhost clustering), and runs the job once per --workers value (shards in flight at
// once), each into its own folder. Checks that every run wrote the same tokens for every row once, and writes
// report.json with each run's seconds and images per second. On a cluster, the same job call runs against any
// client of silos that reference TexTok.ML.Orleans (docs/scale-out.md).
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using ShardedTokenize;
using TexTok.ML;
using TexTok.ML.Data;
using TexTok.ML.Orleans;
using TexTok.ML.Samples;
using TexTok.ML.Text;
using TexTok.ML.Torch.Tokenizer;

if (ShardedTokenizeOptions.Command.Start(args, out var options) is int exit)
{
    return exit;
}

const int ImageSize = 32;
int rows = options.Rows ?? (options.Quick ? 256 : 2048);
int steps = options.Steps ?? (options.Quick ? 100 : 600);
var total = Stopwatch.StartNew();
Console.WriteLine($"TexTok ShardedTokenize: {rows} CaptionedShapes scenes ({ImageSize} px) in shards of {options.ShardSize}, " +
                  $"workers {string.Join(", ", options.Workers)}");

string pipelinePath = options.PipelinePath ?? Path.Combine(options.OutputDirectory, "tokenizer.zip");
if (options.PipelinePath is null)
{
    // A small text-conditioned tokenizer, trained here so the tokens mean something; any saved pipeline will do.
    var encoder = new FrozenBpeTextEncoder();
    var train = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Train, 1024, new CaptionedShapesOptions { ImageSize = ImageSize }),
                                         SampleTraining.Embedder(encoder));
    var config = TexTokConfig.FromPreset(TexTokPreset.Tiny, ImageSize, 16, CaptionEmbedMapping.DefaultTokens, CaptionEmbedMapping.DefaultDim);
    using var model = new TexTokTrainedModel(SampleTraining.TrainTokenizer(config, train, steps, threads: 1, "Training the tokenizer"));
    var ml = new MLContext(seed: 1);
    var fitRows = ShardSource.FromScenes(8, ImageSize).Load(ml);
    var pipeline = ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(model)).Fit(fitRows);
    ml.Model.Save(pipeline, fitRows.Schema, pipelinePath);
    Console.WriteLine($"  saved the pipeline to {pipelinePath}");
}
else if (!File.Exists(pipelinePath))
{
    Console.Error.WriteLine($"error: --pipeline names a file that does not exist: '{pipelinePath}'.");
    return 1;
}

using var host = Host.CreateDefaultBuilder()
    .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
    .UseOrleans(silo => silo.UseLocalhostClustering())
    .Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();

// One untimed shard first, so each silo has loaded the pipeline before any timed run.
string warmUp = Path.Combine(options.OutputDirectory, "warm-up");
if (Directory.Exists(warmUp))
{
    Directory.Delete(warmUp, recursive: true);
}

await ShardedTokenizeJob.RunAsync(grains, new TokenizeJob
{
    PipelinePath = pipelinePath, Source = ShardSource.FromScenes(Math.Min(rows, options.ShardSize), ImageSize), OutputDirectory = warmUp,
    ShardSize = options.ShardSize,
});

var runs = new List<object>();
TokenShard? first = null;
foreach (int workers in options.Workers)
{
    var job = new TokenizeJob
    {
        PipelinePath = pipelinePath, Source = ShardSource.FromScenes(rows, ImageSize),
        OutputDirectory = Path.Combine(options.OutputDirectory, $"tokens-{workers}-workers"), ShardSize = options.ShardSize,
    };
    if (Directory.Exists(job.OutputDirectory))
    {
        Directory.Delete(job.OutputDirectory, recursive: true); // timed from scratch: a resumed job would skip its shards
    }

    var clock = Stopwatch.StartNew();
    int done = 0, shards = job.ShardCount(rows);
    var report = await ShardedTokenizeJob.RunAsync(grains, job, workers, progress: new Progress<ShardResult>(r =>
    {
        int count = Interlocked.Increment(ref done);
        if (count % Math.Max(1, shards / 4) == 0 || count == shards || r.Status == ShardStatus.Failed)
        {
            Console.WriteLine($"  {workers} worker(s): {count}/{shards} shards done (shard {r.Shard}: {r.Status} on {r.Silo} in {r.Seconds:F2} s)");
        }
    }));
    double seconds = clock.Elapsed.TotalSeconds;
    if (report.Failed.Count > 0)
    {
        Console.Error.WriteLine($"error: {report.Failed.Count} shard(s) failed, e.g. shard {report.Failed[0].Shard}: {report.Failed[0].Error}");
        await host.StopAsync();
        return 1;
    }

    var tokens = TokenShard.LoadAll(job.OutputDirectory);
    bool everyRowOnce = tokens.Ids.SequenceEqual(Enumerable.Range(0, rows).Select(i => (long)i));
    bool sameAsFirst = first is null || first.Tokens.Zip(tokens.Tokens).All(pair => pair.First.SequenceEqual(pair.Second));
    first ??= tokens;
    Console.WriteLine($"  {workers} worker(s): {rows} rows in {seconds:F1} s, {rows / seconds:F1} images/s; every row once: {everyRowOnce}; " +
                      $"tokens equal to the first run's: {sameAsFirst}");
    if (!everyRowOnce || !sameAsFirst)
    {
        Console.Error.WriteLine("error: the job's files do not hold every row once with the same tokens.");
        await host.StopAsync();
        return 1;
    }

    runs.Add(new { workers, rows, shards, shard_size = options.ShardSize, seconds = Math.Round(seconds, 2), images_per_second = Math.Round(rows / seconds, 1), folder = Path.GetFileName(job.OutputDirectory) });
}

await host.StopAsync();
string reportPage = SampleReport.Write(options.OutputDirectory, "TexTok sharded tokenizing on Orleans",
    $"{rows} CaptionedShapes scenes ({ImageSize} px) tokenized as an Orleans job in shards of {options.ShardSize}, one silo in this process, " +
    "once per number of shards in flight; every run wrote every row once with the same tokens.",
    new Dictionary<string, object>
    {
        ["rows"] = rows,
        ["resolution"] = ImageSize,
        ["pipeline"] = pipelinePath,
        ["processor_count"] = Environment.ProcessorCount,
        ["runs"] = runs,
        ["total_seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1),
    }, []);
Console.WriteLine($"Wrote report.json and the shard folders in {Path.GetFullPath(options.OutputDirectory)} ({total.Elapsed.TotalSeconds:F0} s).");
Console.WriteLine($"Report page: {Path.GetFullPath(reportPage)}");
return 0;
