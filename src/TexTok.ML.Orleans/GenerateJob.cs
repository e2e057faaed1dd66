using Microsoft.ML.Data;

namespace TexTok.ML.Orleans;

/// <summary>Images wanted for one class label and caption.</summary>
/// <param name="Label">The class label DiTGenerate conditions on (ignored by a text-conditioned DiT).</param>
/// <param name="Caption">The caption of these rows: the detokenizer's (and a text-conditioned DiT's) text.</param>
/// <param name="Count">How many images.</param>
[GenerateSerializer, Immutable]
public sealed record GenerateRequest([property: Id(0)] int Label, [property: Id(1)] string Caption, [property: Id(2)] int Count);

/// <summary>One input row of a generate job's pipeline: label, noise seed and caption.</summary>
public sealed class GenerateRow
{
    /// <summary>Class label (column <c>Label</c>).</summary>
    [ColumnName(TexTokDefaults.LabelColumn)]
    public int Label { get; set; }

    /// <summary>Noise seed (column <c>Seed</c>): the job's seed plus the row's index, so a row's image does not depend on its shard.</summary>
    [ColumnName(TexTokDefaults.SeedColumn)]
    public int Seed { get; set; }

    /// <summary>Caption (column <c>Caption</c>).</summary>
    [ColumnName(TexTokDefaults.CaptionColumn)]
    public string Caption { get; set; } = string.Empty;
}

/// <summary>
/// A generate job: the rows the requests spell out, in order (each request's <see cref="GenerateRequest.Count"/> rows),
/// cut into shards of <see cref="ShardSize"/>, each run through the saved pipeline at <see cref="PipelinePath"/> into one
/// file of <see cref="OutputDirectory"/>. Row i gets noise seed <see cref="Seed"/> + i, so the images do not depend on
/// how the rows are sharded, on which silo, or on a rerun.
/// </summary>
/// <remarks>
/// The pipeline is one saved with <c>mlContext.Model.Save</c> over rows of <see cref="GenerateRow"/>: at least
/// <c>DiTGenerate</c> (tokens), usually <c>DiTGenerate → CaptionEmbed → Detokenize</c> (tokens and pixels). Every silo must
/// see the pipeline and the output folder at the same paths.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed record GenerateJob
{
    /// <summary>The saved ML.NET pipeline that turns a <see cref="GenerateRow"/> into tokens (and pixels).</summary>
    [Id(0)] public required string PipelinePath { get; init; }

    /// <summary>The images wanted, per label and caption.</summary>
    [Id(1)] public required GenerateRequest[] Requests { get; init; }

    /// <summary>Folder for the shard files (<c>generated-00000.safetensors</c>, …); created when missing.</summary>
    [Id(2)] public required string OutputDirectory { get; init; }

    /// <summary>Rows per shard (default 64).</summary>
    [Id(3)] public int ShardSize { get; init; } = 64;

    /// <summary>The noise seed of row 0; row i uses <c>Seed + i</c>.</summary>
    [Id(4)] public int Seed { get; init; }

    /// <summary>The token column the pipeline writes (default <c>Tokens</c>).</summary>
    [Id(5)] public string TokensColumnName { get; init; } = TexTokDefaults.TokensColumn;

    /// <summary>The pixel column, kept when the pipeline writes it (default <c>ReconstructionPixels</c>, Detokenize's).</summary>
    [Id(6)] public string PixelsColumnName { get; init; } = TexTokDefaults.ReconstructionPixelsColumn;

    /// <summary>Rows in the job.</summary>
    public int RowCount => Requests.Sum(r => r.Count);

    /// <summary>Number of shards.</summary>
    public int ShardCount => (RowCount + ShardSize - 1) / ShardSize;

    /// <summary>Row <paramref name="index"/> of the job.</summary>
    /// <param name="index">Row index, 0 to <see cref="RowCount"/> − 1.</param>
    public GenerateRow RowAt(int index)
    {
        int remaining = index;
        foreach (var request in Requests)
        {
            if (remaining < request.Count)
            {
                return new GenerateRow { Label = request.Label, Caption = request.Caption, Seed = unchecked(Seed + index) };
            }

            remaining -= request.Count;
        }

        throw new ArgumentOutOfRangeException(nameof(index), index, $"The job has {RowCount} rows.");
    }

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(PipelinePath, nameof(PipelinePath));
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputDirectory, nameof(OutputDirectory));
        ArgumentNullException.ThrowIfNull(Requests, nameof(Requests));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShardSize, 1, nameof(ShardSize));
        if (Requests.Length == 0)
        {
            throw new ArgumentException("A generate job needs at least one request.", nameof(Requests));
        }

        for (int i = 0; i < Requests.Length; i++)
        {
            if (Requests[i] is not { Count: >= 1, Caption: not null })
            {
                throw new ArgumentException($"Request {i} must ask for at least one image and have a caption (empty is allowed); got {Requests[i]}.", nameof(Requests));
            }
        }

        if (Requests.Sum(r => (long)r.Count) > int.MaxValue)
        {
            throw new ArgumentException("A generate job holds at most 2^31 − 1 rows.", nameof(Requests));
        }
    }
}
