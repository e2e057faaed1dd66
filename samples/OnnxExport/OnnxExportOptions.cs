using System.CommandLine;
using TexTok.ML.Samples;

namespace OnnxExport;

/// <summary>The OnnxExport command line.</summary>
internal sealed record OnnxExportOptions(bool Quick, string? ModelPath, string OutputDirectory, int? Steps, int Tokens, int Threads)
{
    private static readonly Option<bool> QuickOption = SampleOptions.Quick("under a minute on 2 cores");
    private static readonly Option<string> ModelOption = SampleOptions.Text("--model", "FILE",
        "Export this TexTok model (textok.safetensors, as samples/ImageFolder writes it) instead of training one.");
    private static readonly Option<string> OutOption = SampleOptions.Output("onnxexport-out");
    private static readonly Option<int?> StepsOption = SampleOptions.Steps(quick: 200, full: 1000);
    private static readonly Option<int> TokensOption = SampleOptions.Tokens(16, "Image tokens per image of a trained tokenizer (a --model keeps its own)");
    private static readonly Option<int> ThreadsOption = SampleOptions.Threads("CPU threads for TorchSharp and ONNX Runtime");

    /// <summary>The definition and its binding.</summary>
    public static readonly SampleCommandLine<OnnxExportOptions> Command = new(
        SampleCommandLine.Define("OnnxExport",
            "TexTok and DiT models as ONNX files for use outside .NET, each checked against TorchSharp; report.html in the output " +
            "folder shows the checks and the images generated with ONNX Runtime alone.",
            [QuickOption, ModelOption, OutOption, StepsOption, TokensOption, ThreadsOption]),
        result => new OnnxExportOptions(result.GetValue(QuickOption), result.GetValue(ModelOption), result.GetValue(OutOption)!,
            result.GetValue(StepsOption), result.GetValue(TokensOption), result.GetValue(ThreadsOption)),
        options => options.OutputDirectory);
}
