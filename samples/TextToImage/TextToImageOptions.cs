using System.CommandLine;
using TexTok.ML.Samples;

namespace TextToImage;

/// <summary>The TextToImage command line.</summary>
internal sealed record TextToImageOptions(bool Quick, string OutputDirectory, IReadOnlyList<string> Captions, int? Steps, int Tokens, int Threads)
{
    private static readonly Option<bool> QuickOption = SampleOptions.Quick("about a minute on 2 cores");
    private static readonly Option<string[]> CaptionOption = CaptionOptionDefinition();
    private static readonly Option<string> OutOption = SampleOptions.Output("texttoimage-out");
    private static readonly Option<int?> StepsOption = SampleOptions.Steps(quick: 300, full: 2000);
    private static readonly Option<int> TokensOption = SampleOptions.Tokens(16);
    private static readonly Option<int> ThreadsOption = SampleOptions.Threads();

    /// <summary>The definition and its binding.</summary>
    public static readonly SampleCommandLine<TextToImageOptions> Command = new(
        SampleCommandLine.Define("TextToImage",
            "Text-to-image generation with a text-conditional DiT (DiT-T2I) over TexTok tokens, offline, on the CPU; report.html " +
            "in the output folder shows the images for each caption.",
            [QuickOption, CaptionOption, OutOption, StepsOption, TokensOption, ThreadsOption]),
        result => new TextToImageOptions(result.GetValue(QuickOption), result.GetValue(OutOption)!, result.GetValue(CaptionOption) ?? [],
            result.GetValue(StepsOption), result.GetValue(TokensOption), result.GetValue(ThreadsOption)),
        options => options.OutputDirectory);

    // Repeatable, one caption after each --caption (so a caption may start with a word that looks like anything).
    private static Option<string[]> CaptionOptionDefinition()
    {
        var option = new Option<string[]>("--caption")
        {
            HelpName = "TEXT",
            Description = "A caption to generate images for; repeat for several (default: 4 held-out captions).",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
            {
                result.AddError("--caption needs a non-blank TEXT.");
            }
        });
        return option;
    }
}
