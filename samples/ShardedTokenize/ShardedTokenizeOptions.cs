using System.CommandLine;
using TexTok.ML.Samples;

namespace ShardedTokenize;

/// <summary>The ShardedTokenize command line.</summary>
internal sealed record ShardedTokenizeOptions(bool Quick, string OutputDirectory, string? PipelinePath, int? Rows, int ShardSize, int[] Workers, int? Steps)
{
    private static readonly Option<bool> QuickOption = SampleOptions.Quick("under a minute on 2 cores");
    private static readonly Option<string> OutOption = SampleOptions.Output("shardedtokenize-out");
    private static readonly Option<string> PipelineOption = SampleOptions.Text("--pipeline", "FILE",
        "A saved CaptionEmbed → TexTokenize pipeline (mlContext.Model.Save) to run instead of training a small one.");
    private static readonly Option<int?> RowsOption = SampleOptions.OptionalWholeNumber("--rows", "R",
        "CaptionedShapes scenes (32 px) to tokenize (default: 256 with --quick, 2048 otherwise)", 1, 10_000_000);
    private static readonly Option<int> ShardOption = SampleOptions.WholeNumber("--shard", "S", "Rows per shard", 1, 1_000_000, 64);
    private static readonly Option<int[]> WorkersOption = new("--workers")
    {
        HelpName = "W,…",
        Description = "Shards in flight at once, one job per value, each into its own folder (default: 1,2).",
        CustomParser = result => ParseWorkers(result),
        DefaultValueFactory = _ => [1, 2],
    };
    private static readonly Option<int?> StepsOption = SampleOptions.Steps(quick: 100, full: 600);

    /// <summary>The definition and its binding.</summary>
    public static readonly SampleCommandLine<ShardedTokenizeOptions> Command = new(
        SampleCommandLine.Define("ShardedTokenize",
            "Tokenizes CaptionedShapes scenes as an Orleans job (one grain call and one file per shard) on a silo in this process, " +
            "once per --workers value, and checks that every run wrote the same tokens; report.json holds the throughput of each.",
            [QuickOption, OutOption, PipelineOption, RowsOption, ShardOption, WorkersOption, StepsOption]),
        result => new ShardedTokenizeOptions(result.GetValue(QuickOption), result.GetValue(OutOption)!, result.GetValue(PipelineOption),
            result.GetValue(RowsOption), result.GetValue(ShardOption), result.GetValue(WorkersOption)!, result.GetValue(StepsOption)),
        options => options.OutputDirectory);

    private static int[] ParseWorkers(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = string.Join(",", result.Tokens.Select(t => t.Value));
        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.TryParse(v, out int n) && n is >= 1 and <= 256 ? n : -1).ToArray();
        if (values.Length == 0 || values.Contains(-1))
        {
            result.AddError($"--workers takes whole numbers from 1 to 256 separated by commas; got '{text}'.");
            return [];
        }

        return values;
    }
}
