// QuickStart: TexTok end to end on generated data, offline, on the CPU.
//   dotnet run -c Release --project samples/QuickStart [-- --quick] [--out DIR] [--tokens N]
// Generates CaptionedShapes (images with captions) as an IDataView, trains a TexTok tokenizer and its no-text baseline
// with the same budget by fitting the ML.NET pipeline CaptionEmbed -> TexTokenize -> Detokenize, reconstructs held-out
// images with both, saves the fitted TexTok pipeline, reloads and checks it, trains a small class-conditional DiT by
// fitting DiTGenerate on the pipeline's tokens and generates images through DiTGenerate -> CaptionEmbed -> Detokenize,
// sweeps the token count for a rate-distortion plot, and writes report.json, image grids, the plot and report.html.
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using QuickStart;
using TexTok.ML;
using TexTok.ML.Data;
using TexTok.ML.Samples;
using TexTok.ML.Text;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

if (QuickStartOptions.Command.Start(args, out var options) is int exit)
{
    return exit;
}

var total = Stopwatch.StartNew();
var plan = options.Quick
    ? new { ImageSize = 32, Train = 512, Test = 64, Steps = 300, DiTSteps = 300, SweepSteps = 100, Sweep = new[] { 4, 16 } }
    : new { ImageSize = 32, Train = 4096, Test = 128, Steps = 11000, DiTSteps = 1200, SweepSteps = 1600, Sweep = new[] { 4, 16, 64 } };
const double LearningRate = 2e-3;
Console.WriteLine($"TexTok QuickStart ({(options.Quick ? "quick" : "default")} run): {plan.ImageSize} px CaptionedShapes, N = {options.Tokens} tokens");

var encoder = new FrozenBpeTextEncoder();
var Embed = SampleTraining.Embedder(encoder);

var shapes = new CaptionedShapesOptions { ImageSize = plan.ImageSize };
var test = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Test, plan.Test, shapes), Embed);
Console.WriteLine($"  {plan.Train} training and {test.Count} held-out images, e.g. \"{test.Samples[0].Caption}\"");

var results = new Dictionary<string, object>();
var reconstructions = new Dictionary<string, float[]>();
var heldOutPsnr = new Dictionary<string, double>();

// The training rows as ML.NET sees them (Image, Caption, Label): every tokenizer below is trained by Fit.
var ml = new MLContext(seed: 1);
var trainRows = CaptionedShapes.Load(ml, DataSplit.Train, plan.Train, shapes);
var heldOut = CaptionedShapes.Load(ml, DataSplit.Test, plan.Test, shapes);

// Rate-distortion sweep data: PSNR against the token count for both variants (short runs, 32 px).
var sweepShapes = new CaptionedShapesOptions { ImageSize = 32 };
var sweepRows = CaptionedShapes.Load(ml, DataSplit.Train, Math.Min(plan.Train, 1024), sweepShapes);
var sweepTest = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Test, 64, sweepShapes), Embed);

// All tokenizers train side by side, one per core, with the same rows, steps and seed for both variants: the main
// pair first (TexTok, the longest job, keeps one core), then the sweep's short runs fill the other cores. Each job is
// the pipeline a user writes: CaptionEmbed -> TexTokenize (trains in Fit) -> Detokenize.
var jobs = new List<SampleTraining.TokenizerJob>
{
    new("TexTok", Config(plan.ImageSize, options.Tokens, useText: true), trainRows, plan.Steps, heldOut, LearningRate),
    new("baseline", Config(plan.ImageSize, options.Tokens, useText: false), trainRows, plan.Steps, heldOut, LearningRate),
};
foreach (int n in plan.Sweep)
{
    jobs.Add(new(SweepJobName(n, useText: false), Config(32, n, useText: false), sweepRows, plan.SweepSteps, LearningRate: LearningRate));
    jobs.Add(new(SweepJobName(n, useText: true), Config(32, n, useText: true), sweepRows, plan.SweepSteps, LearningRate: LearningRate));
}

var clock = Stopwatch.StartNew();
var fitted = SampleTraining.FitTokenizers(ml, jobs, $"Training {jobs.Count} tokenizers (Fit)");
double trainSeconds = clock.Elapsed.TotalSeconds;
var byName = jobs.Select((job, i) => (job.Name, Pipeline: fitted[i])).ToDictionary(p => p.Name, p => p.Pipeline);
using var pipeline = byName["TexTok"];
var pair = SampleTraining.Tokenizer(pipeline);
foreach (var variant in new[] { "baseline", "textok" })
{
    var model = SampleTraining.Tokenizer(byName[variant == "textok" ? "TexTok" : "baseline"]);
    var output = SampleTraining.Reconstruct(model.Model, test);
    reconstructions[variant] = output;
    var (psnr, ssim) = test.Score(output);
    heldOutPsnr[variant] = psnr;
    Console.WriteLine($"  {variant}: held-out PSNR {psnr:F2} dB, SSIM {ssim:F4}");
    results[variant] = new { psnr = Math.Round(psnr, 3), ssim = Math.Round(ssim, 4) };
    model.Save(Path.Combine(options.OutputDirectory, $"{variant}.safetensors"));
}

// Training curves: every step's batch loss of both variants and their held-out PSNR ten times along the run, all from
// the fitted TexTokenize's history (TexTokenizeOptions.HeldOutData).
string curvesPath = Path.Combine(options.OutputDirectory, "training_curves.png");
TrainingCurveChart.SavePng(curvesPath, new[] { ("baseline", "baseline (no text)"), ("textok", "TexTok") }.Select(v =>
    {
        var history = ((TexTokenizeTransformer)byName[v.Item1 == "textok" ? "TexTok" : "baseline"].ElementAt(1)).TrainingHistory;
        return new TrainingCurve(v.Item2, history.Select(p => (p.Step, p.ReconstructionLoss)).ToList(),
            history.Where(p => p.HeldOutPsnr is not null).Select(p => (p.Step, p.HeldOutPsnr!.Value)).ToList());
    }),
    $"QuickStart: {plan.ImageSize} px, N = {options.Tokens}, {plan.Steps} steps each");

byName["baseline"].Dispose();
double gain = heldOutPsnr["textok"] - heldOutPsnr["baseline"];
Console.WriteLine($"  TexTok - baseline: {gain:+0.00;-0.00;0.00} dB held-out PSNR ({trainSeconds:F0} s for all {jobs.Count} tokenizers, side by side)");

var cells = new List<RgbImage>();
for (int i = 0; i < Math.Min(8, test.Count); i++)
{
    cells.Add(test.Samples[i].Image);
    cells.Add(test.ToImage(reconstructions["baseline"], i));
    cells.Add(test.ToImage(reconstructions["textok"], i));
}

// Enlarged 4x (nearest neighbour) so that each shape's colour, kind and place can be seen.
string gridPath = Path.Combine(options.OutputDirectory, "reconstructions.png");
ImagePixels.SavePng(ImagePixels.Grid(cells.Select(c => c.Enlarge(4)).ToList(), columns: 3, spacing: 4), gridPath);

// The fitted TexTok pipeline (CaptionEmbed -> TexTokenize -> Detokenize) saved with its weights, reloaded and checked.
string zipPath = Path.Combine(options.OutputDirectory, "pipeline.zip");
ml.Model.Save(pipeline, heldOut.Schema, zipPath);
var reloaded = new MLContext().Model.LoadTexTokPipeline(zipPath, out _);
var pipelinePixels = pipeline.Transform(heldOut).GetColumn<float[]>("ReconstructionPixels").ToList();
var reloadedPixels = reloaded.Transform(heldOut).GetColumn<float[]>("ReconstructionPixels").ToList();
bool identical = pipelinePixels.Zip(reloadedPixels).All(p => p.First.AsSpan().SequenceEqual(p.Second));
int pixelLength = 3 * plan.ImageSize * plan.ImageSize;
double pipelineGap = pipelinePixels.Select((row, i) => row.Select((v, j) =>
    Math.Abs(v - Math.Clamp((reconstructions["textok"][(i * pixelLength) + j] + 1f) * 127.5f, 0f, 255f))).Max()).Max();
Console.WriteLine($"Pipeline saved to {zipPath} ({new FileInfo(zipPath).Length / 1024} KiB); reloaded outputs identical: {(identical ? "yes" : "NO")}; " +
                  $"max difference to TorchSharp {pipelineGap:F3} of 255");

// A small class-conditional DiT on TexTok tokens, sampled through the pipeline with captions from a held-out bank.
var generation = GenerateImages(pair, plan.DiTSteps);

// Rate-distortion: the sweep's models, scored on held-out images.
var sweep = new List<object>();
var curves = new Dictionary<string, List<(int Tokens, double Psnr)>> { ["baseline"] = [], ["textok"] = [] };
foreach (int n in plan.Sweep)
{
    foreach (var (variant, fit) in new[] { ("baseline", byName[SweepJobName(n, useText: false)]), ("textok", byName[SweepJobName(n, useText: true)]) })
    {
        var (psnr, _) = sweepTest.Score(SampleTraining.Reconstruct(SampleTraining.Tokenizer(fit).Model, sweepTest));
        curves[variant].Add((n, psnr));
        sweep.Add(new { tokens = n, variant, psnr = Math.Round(psnr, 3) });
        fit.Dispose();
    }
}

string plotPath = Path.Combine(options.OutputDirectory, "rate_distortion.png");
RateDistortionChart.SavePng(plotPath, curves.SelectMany(curve => curve.Value.Select(p =>
        new RateDistortionPoint(curve.Key == "textok" ? "TexTok" : "baseline (no text)", p.Tokens * pair.Config.TokenDim, p.Psnr))),
    $"QuickStart sweep: 32 px CaptionedShapes, {plan.SweepSteps} steps, one seed");

var report = new Dictionary<string, object>
{
    ["tokens"] = options.Tokens,
    ["resolution"] = plan.ImageSize,
    ["steps"] = plan.Steps,
    ["learning_rate"] = LearningRate,
    ["network"] = new { preset = "Tiny", depth = pair.Config.Depth, mlp_ratio = pair.Config.MlpRatio, width = pair.Config.Width },
    ["quick"] = options.Quick,
    ["text_encoder"] = encoder.Identity,
    ["baseline"] = results["baseline"],
    ["textok"] = results["textok"],
    ["textok_minus_baseline_psnr"] = Math.Round(gain, 3),
    ["tokenizer_training_seconds"] = Math.Round(trainSeconds, 1),
    ["grid"] = Path.GetFileName(gridPath),
    ["training_curves"] = Path.GetFileName(curvesPath),
    ["pipeline"] = new { zip = Path.GetFileName(zipPath), reloaded_identical = identical, max_difference_to_torchsharp = Math.Round(pipelineGap, 4) },
    ["generation"] = generation,
    ["rate_distortion"] = new { resolution = 32, steps = plan.SweepSteps, points = sweep, plot = Path.GetFileName(plotPath) },
    ["total_seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1),
};
string pagePath = SampleReport.Write(options.OutputDirectory, "TexTok QuickStart",
    $"{(options.Quick ? "A quick" : "The default")} run on {plan.ImageSize} px CaptionedShapes: a TexTok tokenizer (N = {options.Tokens} tokens) " +
    $"against its no-text baseline, trained with the same {plan.Steps} steps; a class-conditional DiT on TexTok tokens; and a token-count sweep.",
    report,
    [
        new(Path.GetFileName(gridPath), "Held-out images, one per row: original | baseline | TexTok (enlarged 4×)."),
        new(Path.GetFileName(curvesPath), "Training curves: each step's batch loss as PSNR (smoothed) for TexTok and the baseline, with the held-out PSNR of the final weights as markers."),
        new("generated.png", "Generated through DiTGenerate → CaptionEmbed → Detokenize: one row per class, each decoded with a held-out caption of its class."),
        new(Path.GetFileName(plotPath), "Rate–distortion: held-out PSNR against numbers per image for TexTok and its no-text baseline."),
    ]);
SampleConsole.WriteTable("Held-out PSNR (dB)", ["tokenizer", "baseline", "TexTok", "TexTok − baseline"],
    new[] { ($"{plan.ImageSize} px, N = {options.Tokens}", heldOutPsnr["baseline"], heldOutPsnr["textok"]) }
        .Concat(plan.Sweep.Select(n => ($"sweep, 32 px, N = {n}", curves["baseline"].Single(p => p.Tokens == n).Psnr, curves["textok"].Single(p => p.Tokens == n).Psnr)))
        .Select(row => new[] { row.Item1, $"{row.Item2:F2}", $"{row.Item3:F2}", $"{row.Item3 - row.Item2:+0.00;-0.00;0.00}" }));
Console.WriteLine($"Wrote report.json, {Path.GetFileName(gridPath)} (original | baseline | TexTok), {Path.GetFileName(curvesPath)}, generated.png and {Path.GetFileName(plotPath)} to {options.OutputDirectory} in {total.Elapsed.TotalSeconds:F0} s.");
Console.WriteLine($"Report page: {Path.GetFullPath(pagePath)}");
return identical ? 0 : 1;

static string SweepJobName(int tokens, bool useText) => $"sweep N={tokens} {(useText ? "TexTok" : "baseline")}";

// Every tokenizer here is Tiny with one block per network instead of two and an MLP of 2× the width instead of 4×, trained
// at lr 2·10⁻³: a step costs about half as much, and on two cores the extra steps are worth more than the depth and the
// wider MLP (3 seeds, docs/tokenizer.md#the-recipe-for-small-networks-leaving-the-background-colour-plateau).
TexTokConfig Config(int imageSize, int tokens, bool useText) =>
    TexTokConfig.FromPreset(TexTokPreset.Tiny, imageSize, tokens, encoder.MaxTokens, encoder.EmbeddingDim, useText) with { Depth = 1, MlpRatio = 2 };

object GenerateImages(TexTokTrainedModel tokenizer, int steps)
{
    var clock = Stopwatch.StartNew();
    // DiTGenerate trains in Fit on the token column the fitted TexTokenize writes for the training rows (with their labels).
    int classes = CaptionedShapes.ClassNames.Count;
    var network = DiTConfig.FromPreset(DiTPreset.Tiny, tokenizer.Config.NumTokens, tokenizer.Config.TokenDim, numClasses: classes);
    var sampler = new DiTSamplerOptions { Steps = 25, GuidanceScale = 2.0 };
    using var generator = SampleProgress.Run("Training DiT      ", progress => ml.Transforms.DiTGenerate(new DiTGenerateOptions
    {
        Network = network,
        Training = SampleTraining.DiTTraining(steps, Environment.ProcessorCount),
        Progress = progress.Add("DiT", steps).For<DiTTrainingProgress>(SampleTraining.Describe),
        Sampler = sampler,
    }).Fit(SampleTraining.Tokens(pipeline, trainRows)));
    var dit = generator.Model!;
    DiTModelFile.Save(Path.Combine(options.OutputDirectory, "dit.safetensors"), dit);

    // Captions for the detokenizer come from held-out scenes of each class (the paper's caption bank).
    var bank = CaptionBank.FromPairs(CaptionedShapes.Enumerate(DataSplit.Test, 256, shapes).Select(s => (s.Label, s.Caption)));
    const int perClass = 4;
    var (rows, cells) = SampleTraining.GenerateByClass(tokenizer, dit, bank, classes, perClass, sampler);
    ImagePixels.SavePng(ImagePixels.Grid(cells.Select(c => c.Enlarge(4)).ToList(), perClass, spacing: 4), Path.Combine(options.OutputDirectory, "generated.png"));
    Console.WriteLine($"Generated {rows.Count} images ({perClass} per class) through DiTGenerate -> CaptionEmbed -> Detokenize in {clock.Elapsed.TotalSeconds:F0} s.");
    return new
    {
        grid = "generated.png",
        dit_steps = steps,
        sampler = $"{sampler.Method}, {sampler.Steps} steps, guidance {sampler.GuidanceScale}",
        samples = rows.Select(r => new { label = CaptionedShapes.ClassNames[r.Label], seed = r.Seed, caption = r.Caption }).ToList(),
        seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
    };
}
