using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML.Orleans;

/// <summary>Tokenizes one shard of a <see cref="TokenizeJob"/> into its file.</summary>
public interface IShardTokenizeGrain : IGrainWithStringKey
{
    /// <summary>Writes shard <paramref name="shard"/> of <paramref name="job"/>, or finds it already written.</summary>
    /// <param name="job">The job.</param>
    /// <param name="shard">Shard index.</param>
    /// <param name="rowCount">Rows in the job's source (fixes the last shard's size).</param>
    Task<ShardResult> Run(TokenizeJob job, int shard, int rowCount);
}

/// <summary>
/// The worker: loads the job's pipeline once per silo, scores the shard's rows through it and writes the shard file
/// atomically. A shard whose file is already whole is not redone, so a job can be run again after any failure.
/// </summary>
internal sealed class ShardTokenizeGrain(ILocalSiloDetails silo) : Grain, IShardTokenizeGrain
{
    public Task<ShardResult> Run(TokenizeJob job, int shard, int rowCount)
    {
        job.Validate();
        var (start, rows) = ShardLoop.Rows(shard, job.ShardSize, rowCount);
        string siloName = silo.Name;
        // The work is CPU-bound and long: off the grain scheduler's threads.
        return Task.Run(() => Tokenize(job, shard, start, rows, siloName));
    }

    internal static ShardResult Tokenize(TokenizeJob job, int shard, int start, int rows, string siloName)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(job.OutputDirectory);
        string path = Path.Combine(job.OutputDirectory, TokenShard.FileName(shard));
        if (File.Exists(path) && IsComplete(path, start, rows))
        {
            return new ShardResult(shard, rows, ShardStatus.AlreadyDone, siloName, clock.Elapsed.TotalSeconds);
        }

        var ml = new MLContext(seed: 1);
        var pipeline = SiloPipelines.Load(job.PipelinePath);
        var all = job.Source.Load(ml);
        var slice = ml.Data.TakeRows(start > 0 ? ml.Data.SkipRows(all, start) : all, rows);
        var scored = pipeline.Transform(slice);
        var column = scored.Schema.GetColumnOrNull(job.TokensColumnName)
                     ?? throw new InvalidOperationException($"The pipeline '{job.PipelinePath}' writes no column '{job.TokensColumnName}'.");
        var tokens = new List<float[]>(rows);
        using (var cursor = scored.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                tokens.Add(value.DenseValues().ToArray());
            }
        }

        if (tokens.Count != rows)
        {
            throw new InvalidDataException($"Shard {shard} expected {rows} rows from row {start} of the source and got {tokens.Count}.");
        }

        new TokenShard(Enumerable.Range(start, rows).Select(i => (long)i).ToArray(), tokens.ToArray()).Save(path);
        return new ShardResult(shard, rows, ShardStatus.Written, siloName, clock.Elapsed.TotalSeconds);
    }

    private static bool IsComplete(string path, int start, int rows)
    {
        try
        {
            var existing = TokenShard.Load(path);
            return existing.Ids.Length == rows && existing.Ids.Select((id, i) => id == start + i).All(ok => ok);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return false; // not a shard of this job: written again
        }
    }
}
