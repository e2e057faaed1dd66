namespace TexTok.ML;

/// <summary>Rows left out of training, with the reasons of the first few.</summary>
/// <param name="Count">How many rows were left out.</param>
/// <param name="FirstReasons">"row R: message" for the first <see cref="KeptReasons"/> of them.</param>
public sealed record SkippedRows(int Count, IReadOnlyList<string> FirstReasons)
{
    /// <summary>How many reasons are kept.</summary>
    public const int KeptReasons = 5;

    /// <summary>Nothing left out.</summary>
    public static SkippedRows None { get; } = new(0, []);

    /// <inheritdoc/>
    public override string ToString() =>
        Count == 0 ? "no rows skipped" : $"{Count} row(s) skipped: {string.Join("; ", FirstReasons)}{(Count > FirstReasons.Count ? "; …" : "")}";
}
