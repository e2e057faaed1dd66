using System.CommandLine;
using TexTok.ML.Samples;

namespace ImageFolder;

/// <summary>The ImageFolder command line.</summary>
internal sealed record ImageFolderOptions(string? CaptionsFile, bool Demo, string OutputDirectory, int Tokens, int Size, int Steps)
{
    private static readonly Option<string> CaptionsOption = SampleOptions.Text("--captions", "FILE",
        "Captions file: .tsv with path<TAB>caption per line, or .jsonl with \"path\" and \"caption\" (see docs/data.md).");
    private static readonly Option<bool> DemoOption = new("--demo") { Description = "Write a demo folder of 300 captioned images to DIR/demo-images and use it." };
    private static readonly Option<string> OutOption = SampleOptions.Output("imagefolder-out");
    private static readonly Option<int> TokensOption = SampleOptions.Tokens(32, "Tokens per image");
    private static readonly Option<int> SizeOption = SampleOptions.WholeNumber("--size", "PX", "Square size the model works at", 16, 256, 64, multipleOf: 8);
    private static readonly Option<int> StepsOption = SampleOptions.WholeNumber("--steps", "S", "Training steps", 1, int.MaxValue, 1500);

    /// <summary>The definition and its binding.</summary>
    public static readonly SampleCommandLine<ImageFolderOptions> Command = new(
        Definition(),
        result => new ImageFolderOptions(result.GetValue(CaptionsOption), result.GetValue(DemoOption), result.GetValue(OutOption)!,
            result.GetValue(TokensOption), result.GetValue(SizeOption), result.GetValue(StepsOption)),
        options => options.OutputDirectory);

    private static RootCommand Definition()
    {
        var command = SampleCommandLine.Define("ImageFolder",
            "Tokenize and reconstruct your own captioned images with an ML.NET pipeline (CaptionEmbed -> TexTokenize -> Detokenize): " +
            "train, save, reload and check, export ONNX; report.html in the output folder shows originals and reconstructions.",
            [CaptionsOption, DemoOption, OutOption, TokensOption, SizeOption, StepsOption], "(--captions FILE | --demo) [options]");
        command.Validators.Add(result =>
        {
            bool captions = result.GetResult(CaptionsOption) is not null, demo = result.GetValue(DemoOption);
            if (captions == demo)
            {
                result.AddError("Give exactly one of --captions FILE and --demo.");
            }
        });
        return command;
    }
}
