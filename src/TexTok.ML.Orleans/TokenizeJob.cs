namespace TexTok.ML.Orleans;

/// <summary>
/// A tokenize job: the rows of a captioned image set, cut into shards of <see cref="ShardSize"/> rows, each tokenized by
/// the saved pipeline at <see cref="PipelinePath"/> into one file of <see cref="OutputDirectory"/>.
/// </summary>
/// <remarks>
/// Every silo must see the pipeline, the images and the output folder at the same paths (a shared or network file
/// system on a real cluster). The pipeline is one saved with <c>mlContext.Model.Save</c> whose output holds the token
/// column (for example <c>CaptionEmbed → TexTokenize</c>, fitted on rows with <c>Image</c> and <c>Caption</c>).
/// </remarks>
[GenerateSerializer, Immutable]
public sealed record TokenizeJob
{
    /// <summary>The saved ML.NET pipeline that turns a row into tokens.</summary>
    [Id(0)] public required string PipelinePath { get; init; }

    /// <summary>Where the rows come from.</summary>
    [Id(1)] public required ShardSource Source { get; init; }

    /// <summary>Folder for the shard files (<c>shard-00000.safetensors</c>, …); created when missing.</summary>
    [Id(2)] public required string OutputDirectory { get; init; }

    /// <summary>Rows per shard (default 256).</summary>
    [Id(3)] public int ShardSize { get; init; } = 256;

    /// <summary>The token column the pipeline writes (default <c>Tokens</c>).</summary>
    [Id(4)] public string TokensColumnName { get; init; } = TexTokDefaults.TokensColumn;

    /// <summary>Number of shards for <paramref name="rowCount"/> rows.</summary>
    /// <param name="rowCount">Rows in the source.</param>
    public int ShardCount(int rowCount) => (rowCount + ShardSize - 1) / ShardSize;

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(PipelinePath, nameof(PipelinePath));
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputDirectory, nameof(OutputDirectory));
        ArgumentNullException.ThrowIfNull(Source, nameof(Source));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShardSize, 1, nameof(ShardSize));
        Source.Validate();
    }
}
