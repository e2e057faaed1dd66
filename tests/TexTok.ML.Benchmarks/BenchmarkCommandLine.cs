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
        ["kill-resume"] = KillResumeSuite.Run,
    };

    // The --set keys each suite reads; a key a suite does not read is a usage error rather than silently ignored.
    private static readonly Dictionary<string, string[]> SettingKeys = new(StringComparer.Ordinal)
    {
        ["tokenizer"] = ["size", "steps", "tokens", "preset", "patch", "lr", "batch", "shapes", "variants", "seed", "threads", "throughput", "dataset", "tokendim", "seeds", "workers", "mixing", "qkstd", "stem", "head", "width", "depth", "heads", "mlp", "ema", "kl", "replot"],
        ["generation"] = ["parts"],
        ["training-step"] = ["parts", "allocator"],
        ["inference"] = ["export", "models", "provider", "batches", "repeats"],
        ["kill-resume"] = ["trials", "kills", "steps", "every", "seed"],
    };

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            PrintUsage(Console.Out);
            return args.Length == 0 ? 2 : 0;
        }

        string suite = args[0];
        if (suite == KillResumeSuite.ChildCommand)
        {
            return KillResumeSuite.RunChild(args[1..]);
        }

        if (!Suites.TryGetValue(suite, out var run))
        {
            return UsageError($"unknown suite '{suite}'.");
        }

        bool quick = false;
        string? output = null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
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
                case "--set" when i + 1 < args.Length && args[i + 1].IndexOf('=') > 0:
                    string[] pair = args[++i].Split('=', 2);
                    parameters[pair[0]] = pair[1];
                    break;
                case "--set":
                    return UsageError("--set needs KEY=VALUE.");
                default:
                    return UsageError($"unknown option '{args[i]}'.");
            }
        }

        string[] known = SettingKeys.GetValueOrDefault(suite, []);
        if (parameters.Keys.FirstOrDefault(key => !known.Contains(key)) is { } unknown)
        {
            return UsageError($"suite '{suite}' has no setting '{unknown}'" + (known.Length > 0 ? $" (it reads: {string.Join(", ", known)})." : "."));
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

        var settings = new BenchmarkSettings(quick, Path.GetFullPath(output), parameters);
        BenchmarkReport report;
        try
        {
            report = run(settings);
        }
        catch (BenchmarkSettingException e)
        {
            return UsageError(e.Message);
        }
        catch (FileNotFoundException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }

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
        writer.WriteLine("  --set K=V  a suite setting in place of its plan's (tokenizer: size=PX, steps=S, tokens=N[,N...], tokendim=D,");
        writer.WriteLine("             preset=tiny|mini|s|b|l, patch=PX, lr=X, batch=B, shapes=1..3, variants=baseline,textok, seed=S, threads=T,");
        writer.WriteLine("             throughput=yes|no, dataset=shapes|fashion, seeds=S[,S...] (mean ± std per cell), workers=W (jobs side by");
        writer.WriteLine("             side), mixing=yes|no, qkstd=X, stem=C, head=C (network recipe options), ema=DECAY, kl=WEIGHT");
        writer.WriteLine("             (training options), replot=REPORT.json (redraw");
        writer.WriteLine("             an earlier run's seed summary and rate_distortion.svg without training);");
        writer.WriteLine("             generation: parts=speed,shapes,fashion;");
        writer.WriteLine("             training-step: parts=tiny,s, allocator=tuned|default;");
        writer.WriteLine("             inference: export=DIR (write the models only), models=DIR provider=cpu|cuda batches=B[,B...] repeats=R");
        writer.WriteLine("             (score exported models with ONNX Runtime alone, e.g. on a GPU host without libtorch);");
        writer.WriteLine("             kill-resume: trials=T, kills=K (per trial), steps=S, every=E (checkpoint interval), seed=S)");
    }
}

/// <summary>What every suite receives.</summary>
/// <param name="Quick">Short run.</param>
/// <param name="OutputDirectory">Existing, writable folder for the report and images.</param>
/// <param name="Parameters">Suite settings given with <c>--set KEY=VALUE</c>.</param>
internal sealed record BenchmarkSettings(bool Quick, string OutputDirectory, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The <c>--set</c> arguments as they appear on the command line (empty when none).</summary>
    public string SetArguments => string.Concat(Parameters.Select(p => $" --set {p.Key}={p.Value}"));

    /// <summary>The whole number set for <paramref name="key"/>, or <paramref name="fallback"/>.</summary>
    public int Int(string key, int fallback) => Ints(key, [fallback])[0];

    /// <summary>The whole number set for <paramref name="key"/>, or null when it is not set (the network's own value stays).</summary>
    public int? OptionalInt(string key) => Parameters.ContainsKey(key) ? Int(key, 0) : null;

    /// <summary>The positive number set for <paramref name="key"/>, or null when it is not set.</summary>
    public double? OptionalDouble(string key) => Parameters.ContainsKey(key) ? Double(key, 0) : null;

    /// <summary>The positive number set for <paramref name="key"/>, or <paramref name="fallback"/>.</summary>
    public double Double(string key, double fallback)
    {
        if (!Parameters.TryGetValue(key, out string? text))
        {
            return fallback;
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
               && value > 0 && double.IsFinite(value)
            ? value
            : throw new BenchmarkSettingException($"--set {key}= needs a positive number; got '{text}'.");
    }

    /// <summary>
    /// The comma-separated names set for <paramref name="key"/> (case-insensitive, each one of
    /// <paramref name="allowed"/>, returned as spelt there), or <paramref name="fallback"/>.
    /// </summary>
    public string[] Names(string key, string[] allowed, string[] fallback)
    {
        if (!Parameters.TryGetValue(key, out string? text))
        {
            return fallback;
        }

        var names = new List<string>();
        foreach (string part in text.Split(','))
        {
            string? match = allowed.FirstOrDefault(name => string.Equals(name, part.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                throw new BenchmarkSettingException($"--set {key}= takes {string.Join(", ", allowed)}; got '{part}'.");
            }

            names.Add(match);
        }

        return names.Distinct().ToArray();
    }

    /// <summary>The comma-separated whole numbers set for <paramref name="key"/>, or <paramref name="fallback"/>.</summary>
    public int[] Ints(string key, int[] fallback)
    {
        if (!Parameters.TryGetValue(key, out string? text))
        {
            return fallback;
        }

        var values = text.Split(',').Select(part => int.TryParse(part, out int v) && v > 0 ? v : -1).ToArray();
        if (values.Length == 0 || values.Any(v => v < 0))
        {
            throw new BenchmarkSettingException($"--set {key}= needs positive whole numbers separated by commas; got '{text}'.");
        }

        return values;
    }
}

/// <summary>A <c>--set</c> value a suite cannot use.</summary>
/// <param name="message">What is wrong, naming the setting.</param>
internal sealed class BenchmarkSettingException(string message) : Exception(message);
