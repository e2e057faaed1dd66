namespace TexTok.ML.Orleans;

/// <summary>What became of one shard.</summary>
public enum ShardStatus
{
    /// <summary>The shard's file was written by this call.</summary>
    Written,

    /// <summary>The shard's file was already there, whole, from an earlier run; nothing was redone.</summary>
    AlreadyDone,

    /// <summary>Every attempt failed; <see cref="ShardResult.Error"/> says why.</summary>
    Failed,
}

/// <summary>One shard's outcome.</summary>
/// <param name="Shard">Shard index.</param>
/// <param name="Rows">Rows in the shard.</param>
/// <param name="Status">What became of it.</param>
/// <param name="Silo">The silo that ran it (empty when it failed).</param>
/// <param name="Seconds">Time spent on the silo.</param>
/// <param name="Error">The last error, for a failed shard.</param>
[GenerateSerializer, Immutable]
public sealed record ShardResult(
    [property: Id(0)] int Shard, [property: Id(1)] int Rows, [property: Id(2)] ShardStatus Status, [property: Id(3)] string Silo,
    [property: Id(4)] double Seconds, [property: Id(5)] string? Error = null);

/// <summary>A finished sharded job (tokenize or generate): one result per shard, in shard order.</summary>
/// <param name="Shards">Every shard's result.</param>
public sealed record ShardedJobReport(IReadOnlyList<ShardResult> Shards)
{
    /// <summary>Shards written by this run.</summary>
    public int Written => Shards.Count(s => s.Status == ShardStatus.Written);

    /// <summary>Shards found complete from an earlier run.</summary>
    public int AlreadyDone => Shards.Count(s => s.Status == ShardStatus.AlreadyDone);

    /// <summary>Shards that failed every attempt.</summary>
    public IReadOnlyList<ShardResult> Failed => Shards.Where(s => s.Status == ShardStatus.Failed).ToList();
}
