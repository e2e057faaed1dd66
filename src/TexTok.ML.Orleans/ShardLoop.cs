using System.Security.Cryptography;
using System.Text;

namespace TexTok.ML.Orleans;

/// <summary>The client side every sharded job shares: shards sent at most so many at a time, each retried on failure.</summary>
internal static class ShardLoop
{
    /// <summary>
    /// Calls <paramref name="call"/> for every shard, at most <paramref name="maxConcurrentShards"/> at a time and up to
    /// <paramref name="attempts"/> times each; a shard that fails every attempt is reported with its last error.
    /// </summary>
    /// <param name="shards">Number of shards.</param>
    /// <param name="rowsOf">Rows in a shard (for the report of a failed one).</param>
    /// <param name="call">Runs a shard on the cluster; the attempt number (from 1) lets each try use a new grain identity.</param>
    /// <param name="maxConcurrentShards">Shards in flight at once.</param>
    /// <param name="attempts">Tries per shard.</param>
    /// <param name="progress">Receives each shard's result as it ends.</param>
    /// <param name="cancellationToken">Stops sending new shards; shards in flight finish.</param>
    public static async Task<ShardedJobReport> RunAsync(int shards, Func<int, int> rowsOf, Func<int, int, Task<ShardResult>> call,
                                                        int maxConcurrentShards, int attempts, IProgress<ShardResult>? progress,
                                                        CancellationToken cancellationToken)
    {
        var results = new ShardResult[shards];
        await Parallel.ForEachAsync(Enumerable.Range(0, shards), new ParallelOptions { MaxDegreeOfParallelism = maxConcurrentShards, CancellationToken = cancellationToken },
            async (shard, token) =>
            {
                string? error = null;
                for (int attempt = 1; attempt <= attempts && results[shard] is null; attempt++)
                {
                    try
                    {
                        // A new grain identity per attempt: a retry does not wait on an activation a dead silo held.
                        results[shard] = await call(shard, attempt).WaitAsync(token);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        error = $"{e.GetType().Name}: {e.Message}";
                    }
                }

                results[shard] ??= new ShardResult(shard, rowsOf(shard), ShardStatus.Failed, string.Empty, 0, error);
                progress?.Report(results[shard]);
            });
        return new ShardedJobReport(results);
    }

    /// <summary>Throws unless at least one shard may be in flight and each gets at least one attempt; call before any work.</summary>
    /// <param name="maxConcurrentShards">Shards in flight at once.</param>
    /// <param name="attempts">Tries per shard.</param>
    public static void CheckLimits(int maxConcurrentShards, int attempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentShards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
    }

    /// <summary>A short key from a job's settings: the same job gets the same grain identities, another job never shares them.</summary>
    /// <param name="parts">The settings that tell jobs apart.</param>
    public static string Key(params object?[] parts) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))))[..16];

    /// <summary>The first row and the row count of <paramref name="shard"/>; throws when the shard is outside the job.</summary>
    /// <param name="shard">Shard index.</param>
    /// <param name="shardSize">Rows per shard.</param>
    /// <param name="rowCount">Rows in the job.</param>
    public static (int Start, int Rows) Rows(int shard, int shardSize, int rowCount)
    {
        long start = (long)shard * shardSize;
        if (shard < 0 || start >= rowCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), $"Shard {shard} is outside a job of {rowCount} rows in shards of {shardSize}.");
        }

        return ((int)start, (int)Math.Min(shardSize, rowCount - start));
    }
}
