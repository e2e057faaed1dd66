namespace TexTok.ML.Orleans;

/// <summary>Runs a <see cref="GenerateJob"/> on an Orleans cluster: one grain call per shard, retried on failure.</summary>
public static class ShardedGenerateJob
{
    /// <summary>
    /// Sends every shard to the cluster (at most <paramref name="maxConcurrentShards"/> at a time), retrying a failed
    /// shard up to <paramref name="attempts"/> times. Shards already written by an earlier run are found and not redone.
    /// </summary>
    /// <param name="grains">The cluster client (or a grain factory inside a silo).</param>
    /// <param name="job">The job.</param>
    /// <param name="maxConcurrentShards">Shards in flight at once (default 8).</param>
    /// <param name="attempts">Tries per shard (default 3).</param>
    /// <param name="progress">Receives each shard's result as it ends.</param>
    /// <param name="cancellationToken">Stops sending new shards; shards in flight finish.</param>
    /// <returns>One result per shard, in shard order; failed shards carry their last error.</returns>
    public static Task<ShardedJobReport> RunAsync(IGrainFactory grains, GenerateJob job, int maxConcurrentShards = 8, int attempts = 3,
                                                  IProgress<ShardResult>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(job);
        ShardLoop.CheckLimits(maxConcurrentShards, attempts);
        job.Validate();
        int rowCount = job.RowCount;
        string key = ShardLoop.Key("generate", Path.GetFullPath(job.PipelinePath), Path.GetFullPath(job.OutputDirectory), job.ShardSize, job.Seed,
            string.Join('\u001f', job.Requests.Select(r => $"{r.Label}\u001e{r.Caption}\u001e{r.Count}")), job.TokensColumnName, job.PixelsColumnName);
        return ShardLoop.RunAsync(job.ShardCount, shard => Math.Min(job.ShardSize, rowCount - (shard * job.ShardSize)),
            (shard, attempt) => grains.GetGrain<IShardGenerateGrain>($"{key}/{shard}/{attempt}").Run(job, shard),
            maxConcurrentShards, attempts, progress, cancellationToken);
    }
}
