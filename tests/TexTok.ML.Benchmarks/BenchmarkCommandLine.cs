namespace TexTok.ML.Benchmarks;

/// <summary>Parses <c>SUITE [--quick] [--out DIR]</c> and runs the suite.</summary>
internal static class BenchmarkCommandLine
{
    private static readonly Dictionary<string, Func<BenchmarkSettings, BenchmarkReport>> Suites = new(StringComparer.Ordinal)
    {
        ["tokenizer"] = TokenizerSuite.Run,
        ["training-step"] = TokenizerSuite.RunTrainingStep,
        ["inference"] = InferenceSuite.Run,
        ["pipeline"] = PipelineSuite.Run,
        ["t5"] = T5Suite.Run,
        ["generation"] = GenerationSuite.Run,
    };

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            PrintUsage(Console.Out);
            return args.Length == 0 ? 2 : 0;
        }

        string suite = args[0];
        if (!Suites.TryGetValue(suite, out var run))
        {
            return UsageError($"unknown suite '{suite}'.");
        }

        bool quick = false;
        string? output = null;
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--out":
                    return UsageError("--out needs a folder.");
                default:
                    return UsageError($"unknown option '{args[i]}'.");
            }
        }

        output ??= Path.Combine("benchmark-out", suite);
        try
        {
            Directory.CreateDirectory(output);
            string probe = Path.Combine(output, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write to the output folder '{output}': {e.Message}");
            return 1;
        }

        var settings = new BenchmarkSettings(quick, Path.GetFullPath(output));
        var report = run(settings);
        string reportPath = report.Write(settings.OutputDirectory);
        Console.WriteLine($"Report: {reportPath}");
        return 0;
    }

    private static int UsageError(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        PrintUsage(Console.Error);
        return 2;
    }

    private static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("usage: dotnet run -c Release --project tests/TexTok.ML.Benchmarks -- SUITE [--quick] [--out DIR]");
        writer.WriteLine($"suites: {string.Join(", ", Suites.Keys)}");
        writer.WriteLine("  --quick    a short run (minutes on 2 cores) for smoke checks; docs quote the full run");
        writer.WriteLine("  --out DIR  where report.json and images go (default: benchmark-out/SUITE)");
    }
}

/// <summary>What every suite receives.</summary>
/// <param name="Quick">Short run.</param>
/// <param name="OutputDirectory">Existing, writable folder for the report and images.</param>
internal sealed record BenchmarkSettings(bool Quick, string OutputDirectory);
