using System.CommandLine;
using TexTok.ML.Samples;

namespace QuickStart;

/// <summary>The QuickStart command line.</summary>
internal sealed record QuickStartOptions(bool Quick, string OutputDirectory, int Tokens)
{
    private static readonly Option<bool> QuickOption = SampleOptions.Quick("about 2 minutes on 2 cores");
    private static readonly Option<string> OutOption = SampleOptions.Output("quickstart-out");
    private static readonly Option<int> TokensOption = SampleOptions.Tokens(16);

    /// <summary>The definition and its binding.</summary>
    public static readonly SampleCommandLine<QuickStartOptions> Command = new(
        SampleCommandLine.Define("QuickStart",
            "TexTok against its no-text baseline on generated data, an ML.NET pipeline saved and reloaded, a small DiT and a " +
            "rate-distortion sweep, offline on the CPU; report.html in the output folder shows the results.",
            [QuickOption, OutOption, TokensOption]),
        result => new QuickStartOptions(result.GetValue(QuickOption), result.GetValue(OutOption)!, result.GetValue(TokensOption)),
        options => options.OutputDirectory);
}
