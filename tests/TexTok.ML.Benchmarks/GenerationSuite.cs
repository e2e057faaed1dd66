using System.Diagnostics;
using TexTok.ML.Torch.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// Generation over TexTok's 1D tokens. Part 1 (speed): the same DiT network sampling N = 32 one-dimensional tokens
/// against the 256 and 1024 tokens of a 2D latent grid (DiT-XL/2 at 256 and 512 px), wall time next to the FLOP ratio.
/// Part 2 (quality proxy): see <see cref="GenerationQuality"/>.
/// </summary>
internal static class GenerationSuite
{
    /// <summary>The paper's speed-ups of DiT-XL on 32 TexTok tokens over DiT-XL/2 on SD-VAE latents (Table 3).</summary>
    private static readonly Dictionary<int, double> PaperSpeedups = new() { [256] = 14.3, [1024] = 93.5 };

    /// <summary>The parts <c>--set parts=</c> can choose: the speed comparison and the proxy gFID on each dataset.</summary>
    private static readonly string[] AllParts = ["speed", "shapes", "fashion"];

    public static BenchmarkReport Run(BenchmarkSettings settings)
    {
        bool quick = settings.Quick;
        int threads = Environment.ProcessorCount;
        torch.set_num_threads(threads);
        string[] parts = settings.Names("parts", AllParts, AllParts);
        var report = new BenchmarkReport("generation", quick,
            "dotnet run -c Release --project tests/TexTok.ML.Benchmarks -- generation" + (quick ? " --quick" : "") + settings.SetArguments + " --out DIR");
        report.Set("threads", threads);
        report.Set("parts", string.Join(",", parts));
        if (parts.Contains("speed"))
        {
            MeasureSpeed(report, quick);
        }

        GenerationQuality.Run(report, settings, shapes: parts.Contains("shapes"), fashion: parts.Contains("fashion"));
        WriteTable(report, settings.OutputDirectory);
        return report;
    }

    private static void MeasureSpeed(BenchmarkReport report, bool quick)
    {
        // Grid tokens are 2×2 patches of a 4-channel SD-VAE latent (4·p² = 16 values), as DiT-XL/2 patchifies; TexTok
        // tokens have d = 8. The width only changes the token embedding and the final layer, a negligible share.
        var plan = quick
            ? new SpeedPlan(DiTPreset.S, Batch: 2, Steps: 10, TimedSteps: new() { [32] = 10, [256] = 4, [1024] = 2 })
            : new SpeedPlan(DiTPreset.B, Batch: 8, Steps: 25, TimedSteps: new() { [32] = 10, [256] = 3, [1024] = 1 });
        const int gridTokenDim = 16;
        report.Set("speed_preset", plan.Preset.ToString());
        report.Set("speed_batch", plan.Batch);
        report.Set("speed_steps", plan.Steps);
        report.Set("speed_sampler", "euler, no guidance, unconditional, TorchSharp no_grad, random weights");
        report.Set("grid_token_dim", gridTokenDim);

        var layouts = new (string Layout, int Tokens, int TokenDim)[] { ("textok-1d", 32, 8), ("grid-2d", 256, gridTokenDim), ("grid-2d", 1024, gridTokenDim) };
        double baseSeconds = 0, baseMacs = 0, baseXlMacs = 0;
        foreach (var (layout, tokens, tokenDim) in layouts)
        {
            var config = DiTConfig.FromPreset(plan.Preset, tokens, tokenDim, numClasses: 0);
            double macs = config.MultiplyAccumulates();
            double xlMacs = DiTConfig.FromPreset(DiTPreset.XL, tokens, tokenDim, numClasses: 0).MultiplyAccumulates();
            int timedSteps = plan.TimedSteps[tokens];
            Console.WriteLine($"DiT-{plan.Preset} on {tokens} tokens ({layout}): batch {plan.Batch}, fastest of {timedSteps} single Euler steps, times {plan.Steps}...");
            double secondsPerStep = TimeSteps(config, plan.Batch, timedSteps);
            double secondsPerBatch = secondsPerStep * plan.Steps;
            if (tokens == 32)
            {
                (baseSeconds, baseMacs, baseXlMacs) = (secondsPerBatch, macs, xlMacs);
            }

            double achieved = 2 * macs * plan.Batch / secondsPerStep / 1e9;
            Console.WriteLine($"  {secondsPerBatch:F2} s per batch ({secondsPerStep * 1000:F0} ms per step), {achieved:F1} GFLOP/s, time ratio {secondsPerBatch / baseSeconds:F1}x, FLOP ratio {macs / baseMacs:F1}x");
            var row = new Dictionary<string, object>
            {
                ["part"] = "speed",
                ["layout"] = layout,
                ["tokens"] = tokens,
                ["token_dim"] = tokenDim,
                ["preset"] = plan.Preset.ToString(),
                ["batch"] = plan.Batch,
                ["steps"] = plan.Steps,
                ["timed_steps"] = timedSteps,
                ["seconds_per_step"] = Math.Round(secondsPerStep, 4),
                ["seconds_per_batch"] = Math.Round(secondsPerBatch, 3),
                ["gflops_per_sample"] = Math.Round(macs / 1e9, 3),
                ["achieved_gflops_per_s"] = Math.Round(achieved, 2),
                ["time_ratio"] = Math.Round(secondsPerBatch / baseSeconds, 2),
                ["flop_ratio"] = Math.Round(macs / baseMacs, 2),
                ["xl_flop_ratio"] = Math.Round(xlMacs / baseXlMacs, 2),
            };
            if (PaperSpeedups.TryGetValue(tokens, out double paper))
            {
                row["paper_speedup"] = paper;
            }

            report.AddRow(row);
        }
    }

    // Every Euler step costs the same (one forward pass at a fixed shape), so the batch time is the time of one step
    // times the step count. Steps are timed one by one and the fastest is kept: the first pays for allocations, and on
    // a shared machine the others are slowed by whatever else runs, never sped up.
    private static double TimeSteps(DiTConfig config, int batch, int timedSteps)
    {
        manual_seed(11);
        using var model = new DiTModel(config);
        model.eval();
        using var scope = NewDisposeScope();
        var noise = DiTSampler.Noise(config, seed: 3, first: 0, count: batch, CPU);
        var oneStep = new DiTSamplerOptions { Steps = 1 };
        double fastest = double.MaxValue;
        for (int i = 0; i < timedSteps; i++)
        {
            var clock = Stopwatch.StartNew();
            DiTSampler.Integrate(model, noise, DiTCondition.None, oneStep).Dispose();
            fastest = Math.Min(fastest, clock.Elapsed.TotalSeconds);
        }

        return fastest;
    }

    private static void WriteTable(BenchmarkReport report, string directory)
    {
        var speed = report.Rows.Where(r => (string)r["part"] == "speed").ToList();
        var lines = new List<string>();
        if (speed.Count > 0)
        {
            lines.Add("| layout | tokens | preset | batch | steps | s/batch | GFLOPs/sample | time ratio | FLOP ratio | XL FLOP ratio | paper |");
            lines.Add("|---|---|---|---|---|---|---|---|---|---|---|");
        }

        foreach (var r in speed)
        {
            lines.Add(FormattableString.Invariant(
                $"| {r["layout"]} | {r["tokens"]} | {r["preset"]} | {r["batch"]} | {r["steps"]} | {(double)r["seconds_per_batch"]:F2} | {(double)r["gflops_per_sample"]:F2} | {(double)r["time_ratio"]:F1}x | {(double)r["flop_ratio"]:F1}x | {(double)r["xl_flop_ratio"]:F1}x | {(r.TryGetValue("paper_speedup", out var p) ? FormattableString.Invariant($"{(double)p:F1}x") : "")} |"));
        }

        var quality = report.Rows.Where(r => (string)r["part"] == "gfid").ToList();
        if (quality.Count > 0)
        {
            if (lines.Count > 0)
            {
                lines.Add("");
            }

            lines.Add("| variant | tokens | dataset | proxy gFID | samples |");
            lines.Add("|---|---|---|---|---|");
            foreach (var r in quality)
            {
                lines.Add(FormattableString.Invariant($"| {r["variant"]} | {r["tokens"]} | {r["dataset"]} | {(double)r["gfid"]:F3} | {r["samples"]} |"));
            }
        }

        string table = string.Join(Environment.NewLine, lines);
        File.WriteAllText(Path.Combine(directory, "table.md"), table + Environment.NewLine);
        Console.WriteLine(table);
    }

    private sealed record SpeedPlan(DiTPreset Preset, int Batch, int Steps, Dictionary<int, int> TimedSteps);
}
