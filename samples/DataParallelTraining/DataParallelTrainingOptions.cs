using System.CommandLine;
using TexTok.ML.Samples;

namespace DataParallelTraining;

/// <summary>The DataParallelTraining command line.</summary>
internal sealed record DataParallelTrainingOptions(bool Quick, string OutputDirectory, int? Steps, int Batch, int Tokens, int Threads, int Seed)
{
    private static readonly Option<bool> QuickOption = SampleOptions.Quick("under a minute on 2 cores");
    private static readonly Option<string> OutOption = SampleOptions.Output("dataparallel-out");
    private static readonly Option<int?> StepsOption = SampleOptions.Steps(quick: 60, full: 1000);
    private static readonly Option<int> BatchOption = SampleOptions.WholeNumber("--batch", "B",
        "Global batch: images per step over all ranks together (each rank takes B / ranks)", 1, 4096, 16);
    private static readonly Option<int> TokensOption = SampleOptions.Tokens(16);
    private static readonly Option<int> ThreadsOption = SampleOptions.Threads("CPU threads for TorchSharp in each rank");
    private static readonly Option<int> SeedOption = SampleOptions.WholeNumber("--seed", "S", "Seed of weights, batch order and noise", 0, int.MaxValue, 7);

    /// <summary>The definition and its binding.</summary>
    public static readonly SampleCommandLine<DataParallelTrainingOptions> Command = new(
        SampleCommandLine.Define("DataParallelTraining",
            "A TexTok tokenizer trained by every process of an mpirun job together (data parallelism over Open MPI): " +
            "mpirun -np 2 dotnet DataParallelTraining.dll. Run alone, it trains in one process, the same model to float rounding.",
            [QuickOption, OutOption, StepsOption, BatchOption, TokensOption, ThreadsOption, SeedOption]),
        result => new DataParallelTrainingOptions(result.GetValue(QuickOption), result.GetValue(OutOption)!, result.GetValue(StepsOption),
            result.GetValue(BatchOption), result.GetValue(TokensOption), result.GetValue(ThreadsOption), result.GetValue(SeedOption)),
        options => options.OutputDirectory);
}
