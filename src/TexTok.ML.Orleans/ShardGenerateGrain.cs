using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML.Orleans;

/// <summary>Generates one shard of a <see cref="GenerateJob"/> into its file.</summary>
public interface IShardGenerateGrain : IGrainWithStringKey
{
    /// <summary>Writes shard <paramref name="shard"/> of <paramref name="job"/>, or finds it already written.</summary>
    /// <param name="job">The job.</param>
    /// <param name="shard">Shard index.</param>
    Task<ShardResult> Run(GenerateJob job, int shard);
}

/// <summary>
/// The worker: loads the job's pipeline once per silo, runs the shard's rows (label, seed, caption) through it and writes
/// the shard file atomically. A shard whose file is already whole is not redone.
/// </summary>
internal sealed class ShardGenerateGrain(ILocalSiloDetails silo) : Grain, IShardGenerateGrain
{
    public Task<ShardResult> Run(GenerateJob job, int shard)
    {
        job.Validate();
        var (start, rows) = ShardLoop.Rows(shard, job.ShardSize, job.RowCount);
        string siloName = silo.Name;
        // The work is CPU-bound and long: off the grain scheduler's threads.
        return Task.Run(() => Generate(job, shard, start, rows, siloName));
    }

    internal static ShardResult Generate(GenerateJob job, int shard, int start, int rows, string siloName)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(job.OutputDirectory);
        string path = Path.Combine(job.OutputDirectory, GeneratedShard.FileName(shard));
        if (File.Exists(path) && IsComplete(path, job, start, rows))
        {
            return new ShardResult(shard, rows, ShardStatus.AlreadyDone, siloName, clock.Elapsed.TotalSeconds);
        }

        var ml = new MLContext(seed: 1);
        var inputRows = Enumerable.Range(start, rows).Select(job.RowAt).ToList();
        var input = ml.Data.LoadFromEnumerable(inputRows);
        var scored = SiloPipelines.Load(job.PipelinePath).Transform(input);
        var tokenColumn = scored.Schema.GetColumnOrNull(job.TokensColumnName)
                          ?? throw new InvalidOperationException($"The pipeline '{job.PipelinePath}' writes no column '{job.TokensColumnName}'.");
        var pixelColumn = scored.Schema.GetColumnOrNull(job.PixelsColumnName);
        var tokens = new List<float[]>(rows);
        var pixels = pixelColumn is null ? null : new List<float[]>(rows);
        using (var cursor = scored.GetRowCursor(pixelColumn is { } p ? [tokenColumn, p] : [tokenColumn]))
        {
            var tokenGetter = cursor.GetGetter<VBuffer<float>>(tokenColumn);
            var pixelGetter = pixelColumn is { } column ? cursor.GetGetter<VBuffer<float>>(column) : null;
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                tokenGetter(ref value);
                tokens.Add(value.DenseValues().ToArray());
                if (pixelGetter is not null)
                {
                    pixelGetter(ref value);
                    pixels!.Add(value.DenseValues().ToArray());
                }
            }
        }

        if (tokens.Count != rows)
        {
            throw new InvalidDataException($"Shard {shard} expected {rows} rows from the pipeline and got {tokens.Count}.");
        }

        int imageSize = pixels is null ? 0 : (int)Math.Round(Math.Sqrt(pixels[0].Length / 3.0));
        new GeneratedShard(Enumerable.Range(start, rows).Select(i => (long)i).ToArray(),
            inputRows.Select(r => (long)r.Label).ToArray(), tokens.ToArray(), pixels?.ToArray(), imageSize).Save(path);
        return new ShardResult(shard, rows, ShardStatus.Written, siloName, clock.Elapsed.TotalSeconds);
    }

    private static bool IsComplete(string path, GenerateJob job, int start, int rows)
    {
        try
        {
            var existing = GeneratedShard.Load(path);
            return existing.Ids.Length == rows && existing.Ids.Select((id, i) => id == start + i && existing.Labels[i] == job.RowAt(start + i).Label).All(ok => ok);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return false; // not a shard of this job: written again
        }
    }
}
