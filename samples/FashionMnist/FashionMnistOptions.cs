using System.CommandLine;
using TexTok.ML.Samples;

namespace FashionMnistSample;

/// <summary>The FashionMnist command line.</summary>
internal sealed record FashionMnistOptions(bool Quick, string DataDirectory, string OutputDirectory, int? Steps, int Tokens, int Threads)
{
    private static readonly Option<bool> QuickOption = SampleOptions.Quick("about a minute on 2 cores");
    private static readonly Option<string> DataOption = SampleOptions.Text("--data", "DIR",
        "Folder with the Fashion-MNIST .idx.gz files, installed by 'apt-get install dataset-fashion-mnist'.", TexTok.ML.Data.FashionMnist.DefaultDirectory);
    private static readonly Option<string> OutOption = SampleOptions.Output("fashionmnist-out");
    private static readonly Option<int?> StepsOption = SampleOptions.Steps(quick: 300, full: 2000);
    private static readonly Option<int> TokensOption = SampleOptions.Tokens(16);
    private static readonly Option<int> ThreadsOption = SampleOptions.Threads();

    /// <summary>The definition and its binding.</summary>
    public static readonly SampleCommandLine<FashionMnistOptions> Command = new(
        SampleCommandLine.Define("FashionMnist",
            "Class-conditional generation on Fashion-MNIST with TexTok tokens and a DiT, on the CPU; report.html in the output " +
            "folder shows the results.",
            [QuickOption, DataOption, OutOption, StepsOption, TokensOption, ThreadsOption]),
        result => new FashionMnistOptions(result.GetValue(QuickOption), result.GetValue(DataOption)!, result.GetValue(OutOption)!,
            result.GetValue(StepsOption), result.GetValue(TokensOption), result.GetValue(ThreadsOption)),
        options => options.OutputDirectory);
}
