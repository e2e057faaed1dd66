using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using TexTok.ML.Data;
using TexTok.ML.Torch.Checkpoints;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// Killed training: trains a small tokenizer in a child process, kills the child (SIGKILL, no chance to clean up) at
/// random moments, including while it writes a checkpoint, starts it again on the same checkpoint path until it
/// finishes, and compares the final weights with one uninterrupted run. After every kill the checkpoint left behind
/// (if any) must load. One libtorch thread, so a resumed run must equal the uninterrupted one bit for bit.
/// </summary>
internal static class KillResumeSuite
{
    /// <summary>The hidden command the suite starts its children with.</summary>
    public const string ChildCommand = "kill-resume-child";

    private const string CheckpointName = "checkpoint.safetensors";
    private const string FinalName = "final.safetensors";
    private const int ImageSize = 32;

    public static BenchmarkReport Run(BenchmarkSettings settings)
    {
        int trials = settings.Int("trials", settings.Quick ? 2 : 6);
        int killsPerTrial = settings.Int("kills", 4);
        int steps = settings.Int("steps", settings.Quick ? 40 : 80);
        int every = settings.Int("every", 1);
        int seed = settings.Int("seed", 1);
        var report = new BenchmarkReport("kill-resume", settings.Quick, $"kill-resume{(settings.Quick ? " --quick" : "")}{settings.SetArguments}");
        report.Set("trials", trials);
        report.Set("kills_per_trial", killsPerTrial);
        report.Set("steps", steps);
        report.Set("checkpoint_every", every);
        report.Set("network", Network().ToJson());

        string root = Path.Combine(settings.OutputDirectory, "runs");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        string reference = Path.Combine(root, "uninterrupted");
        var clock = Stopwatch.StartNew();
        using (var child = StartChild(reference, steps, every))
        {
            child.WaitForExit();
            if (child.ExitCode != 0)
            {
                throw new InvalidOperationException($"The uninterrupted run failed (exit {child.ExitCode}); see {reference}/child.log.");
            }
        }

        double runSeconds = clock.Elapsed.TotalSeconds;
        report.Set("uninterrupted_seconds", Math.Round(runSeconds, 2));
        Console.WriteLine($"Uninterrupted run: {steps} steps in {runSeconds:F1} s (child process start included).");
        var expected = ReadWeights(Path.Combine(reference, FinalName));

        var random = new Random(seed);
        int totalKills = 0, midWrite = 0, checkpointsChecked = 0, corrupt = 0, identical = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            string folder = Path.Combine(root, $"trial-{trial}");
            int kills = 0, trialMidWrite = 0, starts = 0;
            var stepsAtKill = new List<long>();
            while (true)
            {
                starts++;
                using var child = StartChild(folder, steps, every);
                bool mayKill = kills < killsPerTrial;
                double delay = mayKill ? runSeconds * (0.1 + (0.9 * random.NextDouble())) : double.PositiveInfinity;
                if (!mayKill)
                {
                    child.WaitForExit();
                }
                else if (!child.WaitForExit(TimeSpan.FromSeconds(delay)))
                {
                    child.Kill(entireProcessTree: true);
                    child.WaitForExit();
                    kills++;
                    bool tempLeft = Directory.EnumerateFiles(folder, $".{CheckpointName}.*").Any();
                    trialMidWrite += tempLeft ? 1 : 0;
                    var (loaded, step) = CheckCheckpoint(Path.Combine(folder, CheckpointName));
                    checkpointsChecked += loaded is null ? 0 : 1;
                    corrupt += loaded == false ? 1 : 0;
                    stepsAtKill.Add(step);
                    Console.WriteLine($"  trial {trial}: kill {kills} after {delay:F2} s, checkpoint at step {step}{(tempLeft ? ", killed while writing one" : string.Empty)}" +
                                      $"{(loaded == false ? ", CHECKPOINT CORRUPT" : string.Empty)}");
                    continue;
                }

                if (child.ExitCode != 0)
                {
                    throw new InvalidOperationException($"Trial {trial}: the child failed (exit {child.ExitCode}); see {folder}/child.log.");
                }

                break;
            }

            var actual = ReadWeights(Path.Combine(folder, FinalName));
            double difference = MaxDifference(expected, actual);
            bool same = difference == 0;
            identical += same ? 1 : 0;
            totalKills += kills;
            midWrite += trialMidWrite;
            Console.WriteLine($"  trial {trial}: {kills} kills, {starts} starts, final weights {(same ? "identical" : $"DIFFER (max |Δ| {difference:E2})")}");
            report.AddRow(new Dictionary<string, object>
            {
                ["trial"] = trial,
                ["kills"] = kills,
                ["starts"] = starts,
                ["killed_while_writing_checkpoint"] = trialMidWrite,
                ["checkpoint_step_at_each_kill"] = stepsAtKill,
                ["final_weights_identical"] = same,
                ["max_abs_difference"] = difference,
            });
        }

        report.Set("kills", totalKills);
        report.Set("kills_while_writing_checkpoint", midWrite);
        report.Set("checkpoints_checked", checkpointsChecked);
        report.Set("checkpoints_corrupt", corrupt);
        report.Set("trials_identical", identical);
        Console.WriteLine($"{totalKills} kills ({midWrite} while a checkpoint was being written), {checkpointsChecked} checkpoints loaded after a kill, " +
                          $"{corrupt} corrupt; {identical} of {trials} resumed runs identical to the uninterrupted one.");
        return report;
    }

    /// <summary>The child: trains (resuming from the checkpoint when there is one) and writes the final weights.</summary>
    /// <param name="args">Folder, steps, checkpoint interval.</param>
    public static int RunChild(string[] args)
    {
        string folder = args[0];
        int steps = int.Parse(args[1], CultureInfo.InvariantCulture);
        int every = int.Parse(args[2], CultureInfo.InvariantCulture);
        using var trainer = new TexTokTrainer(Network(), Options(folder, steps, every));
        string checkpoint = Path.Combine(folder, CheckpointName);
        if (File.Exists(checkpoint))
        {
            trainer.LoadCheckpoint(checkpoint);
        }

        long start = trainer.Step;
        var images = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Train, 64, new CaptionedShapesOptions { ImageSize = ImageSize }), null);
        trainer.Train(new InMemorySampleSource(images.Images));
        trainer.SaveModel(Path.Combine(folder, FinalName));
        Console.WriteLine($"trained steps {start} to {trainer.Step}");
        return 0;
    }

    private static TexTokConfig Network() => TexTokConfig.FromPreset(TexTokPreset.Tiny, ImageSize, numTokens: 4, useText: false);

    private static TexTokTrainingOptions Options(string folder, int steps, int every) => new()
    {
        Steps = steps, BatchSize = 8, LearningRate = 1e-3, WarmupSteps = 5, PerceptualWeight = 0, Seed = 3, Threads = 1,
        CheckpointPath = Path.Combine(folder, CheckpointName), CheckpointEvery = every,
    };

    private static Process StartChild(string folder, int steps, int every)
    {
        Directory.CreateDirectory(folder);
        string entry = Assembly.GetEntryAssembly()!.Location;
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(entry);
        }

        foreach (var argument in new[] { ChildCommand, folder, steps.ToString(CultureInfo.InvariantCulture), every.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var log = File.AppendText(Path.Combine(folder, "child.log"));
        log.AutoFlush = true;
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Exited += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    // null: no checkpoint yet; true: it loads into a trainer; false: it exists and does not load.
    private static (bool? Loaded, long Step) CheckCheckpoint(string path)
    {
        if (!File.Exists(path))
        {
            return (null, 0);
        }

        try
        {
            using var trainer = new TexTokTrainer(Network(), Options(Path.GetDirectoryName(path)!, 1, 0));
            trainer.LoadCheckpoint(path);
            return (true, trainer.Step);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            Console.WriteLine($"    {path}: {e.Message}");
            return (false, -1);
        }
    }

    private static Dictionary<string, float[]> ReadWeights(string path)
    {
        using var contents = SafeTensors.Load(path);
        return contents.Tensors.ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray(), StringComparer.Ordinal);
    }

    private static double MaxDifference(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        if (!expected.Keys.Order(StringComparer.Ordinal).SequenceEqual(actual.Keys.Order(StringComparer.Ordinal)))
        {
            return double.PositiveInfinity;
        }

        return expected.Max(p => p.Value.Zip(actual[p.Key], (a, b) => Math.Abs((double)a - b)).DefaultIfEmpty(0).Max());
    }
}
