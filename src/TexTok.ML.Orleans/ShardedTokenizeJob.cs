using Microsoft.ML;

namespace TexTok.ML.Orleans;

/// <summary>Runs a <see cref="TokenizeJob"/> on an Orleans cluster: one grain call per shard, retried on failure.</summary>
public static class ShardedTokenizeJob
{
    /// <summary>
    /// Sends every shard to the cluster (at most <paramref name="maxConcurrentShards"/> at a time), retrying a failed
    /// shard up to <paramref name="attempts"/> times (a silo that dies takes its calls with it; Orleans places the
    /// retry on a live silo). Shards already written by an earlier run are found and not redone.
    /// </summary>
    /// <param name="grains">The cluster client (or a grain factory inside a silo).</param>
    /// <param name="job">The job.</param>
    /// <param name="maxConcurrentShards">Shards in flight at once (default 8).</param>
    /// <param name="attempts">Tries per shard (default 3).</param>
    /// <param name="progress">Receives each shard's result as it ends.</param>
    /// <param name="cancellationToken">Stops sending new shards; shards in flight finish.</param>
    /// <returns>One result per shard, in shard order; failed shards carry their last error.</returns>
    public static async Task<ShardedJobReport> RunAsync(IGrainFactory grains, TokenizeJob job, int maxConcurrentShards = 8, int attempts = 3,
                                                         IProgress<ShardResult>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(job);
        ShardLoop.CheckLimits(maxConcurrentShards, attempts);
        job.Validate();
        int rowCount = job.Source.RowCount(new MLContext(seed: 1));
        string key = JobKey(job);
        return await ShardLoop.RunAsync(job.ShardCount(rowCount), shard => Math.Min(job.ShardSize, rowCount - (shard * job.ShardSize)),
            (shard, attempt) => grains.GetGrain<IShardTokenizeGrain>($"{key}/{shard}/{attempt}").Run(job, shard, rowCount),
            maxConcurrentShards, attempts, progress, cancellationToken);
    }

    // Grain identities of one job: the same job gets the same keys, another job (pipeline, source, output, shard size)
    // never shares an activation with it.
    private static string JobKey(TokenizeJob job) => ShardLoop.Key(Path.GetFullPath(job.PipelinePath), job.Source, Path.GetFullPath(job.OutputDirectory),
        job.ShardSize, job.TokensColumnName);
}
