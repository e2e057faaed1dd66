using Microsoft.ML;
using TexTok.ML.Data;

namespace TexTok.ML.Orleans;

/// <summary>
/// The rows a job cuts into shards: a captions file with its images (<see cref="CaptionedImageFolder"/>), or generated
/// CaptionedShapes scenes. A row's index is its position in the source, so every silo reads the same row for an index.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ShardSource
{
    /// <summary>A captions file (TSV or JSONL) read by <see cref="CaptionedImageFolder"/>; null for generated scenes.</summary>
    [Id(0)] public string? CaptionsFile { get; init; }

    /// <summary>Folder the captions file's image paths are relative to (default: the file's folder).</summary>
    [Id(1)] public string? ImageRoot { get; init; }

    /// <summary>Generated scenes: how many (used when <see cref="CaptionsFile"/> is null).</summary>
    [Id(2)] public int SceneCount { get; init; }

    /// <summary>Generated scenes: image size in pixels (default 64).</summary>
    [Id(3)] public int SceneImageSize { get; init; } = 64;

    /// <summary>Generated scenes: which split's scenes.</summary>
    [Id(4)] public DataSplit SceneSplit { get; init; } = DataSplit.Train;

    /// <summary>Rows from a captions file and its images.</summary>
    /// <param name="captionsFile">TSV or JSONL captions file.</param>
    /// <param name="imageRoot">Folder the image paths are relative to (default: the file's folder).</param>
    public static ShardSource FromCaptionsFile(string captionsFile, string? imageRoot = null) =>
        new() { CaptionsFile = captionsFile, ImageRoot = imageRoot };

    /// <summary>Generated CaptionedShapes scenes.</summary>
    /// <param name="count">Scenes.</param>
    /// <param name="imageSize">Image size in pixels.</param>
    /// <param name="split">Which split's scenes.</param>
    public static ShardSource FromScenes(int count, int imageSize = 64, DataSplit split = DataSplit.Train) =>
        new() { SceneCount = count, SceneImageSize = imageSize, SceneSplit = split };

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (CaptionsFile is null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(SceneCount, 1, nameof(SceneCount));
            ArgumentOutOfRangeException.ThrowIfLessThan(SceneImageSize, 8, nameof(SceneImageSize));
        }
        else if (!File.Exists(CaptionsFile))
        {
            throw new FileNotFoundException($"The captions file '{CaptionsFile}' does not exist.", CaptionsFile);
        }
    }

    /// <summary>All rows as an IDataView with <c>Image</c> and <c>Caption</c> columns.</summary>
    /// <param name="ml">The ML.NET context.</param>
    public IDataView Load(MLContext ml) => CaptionsFile is { } file
        ? CaptionedImageFolder.Load(ml, file, ImageRoot)
        : CaptionedShapes.Load(ml, SceneSplit, SceneCount, new CaptionedShapesOptions { ImageSize = SceneImageSize });

    /// <summary>The number of rows.</summary>
    /// <param name="ml">The ML.NET context.</param>
    public int RowCount(MLContext ml)
    {
        if (CaptionsFile is null)
        {
            return SceneCount;
        }

        var rows = Load(ml);
        return checked((int)(rows.GetRowCount() ?? CountRows(rows)));
    }

    private static long CountRows(IDataView view)
    {
        using var cursor = view.GetRowCursor([]);
        long rows = 0;
        while (cursor.MoveNext())
        {
            rows++;
        }

        return rows;
    }
}
