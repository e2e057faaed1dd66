// QuickStart: TexTok end to end on generated data, offline, on the CPU.
//   dotnet run -c Release --project samples/QuickStart [-- --quick] [--out DIR] [--tokens N]
// Generates CaptionedShapes (images with captions), trains a TexTok tokenizer and its no-text baseline with the
// same budget, reconstructs held-out images with both and writes report.json and a comparison grid.
using System.Diagnostics;
using System.Text.Json;
using QuickStart;
using TexTok.ML.Data;
using TexTok.ML.Text;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

if (!QuickStartOptions.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(QuickStartOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(QuickStartOptions.Usage);
    return 0;
}

try
{
    Directory.CreateDirectory(options.OutputDirectory);
    File.WriteAllText(Path.Combine(options.OutputDirectory, ".write-test"), string.Empty);
    File.Delete(Path.Combine(options.OutputDirectory, ".write-test"));
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: cannot write to the output folder '{options.OutputDirectory}': {e.Message}");
    return 1;
}

var total = Stopwatch.StartNew();
var plan = options.Quick
    ? new { ImageSize = 32, Train = 512, Test = 64, Steps = 300 }
    : new { ImageSize = 64, Train = 3000, Test = 128, Steps = 1500 };
Console.WriteLine($"TexTok QuickStart ({(options.Quick ? "quick" : "default")} run): {plan.ImageSize} px CaptionedShapes, N = {options.Tokens} tokens");

var encoder = new FrozenBpeTextEncoder();
(float[], float[]) Embed(string caption)
{
    var embedding = encoder.Encode(caption);
    return (embedding.Values, embedding.Mask);
}

var shapes = new CaptionedShapesOptions { ImageSize = plan.ImageSize };
var train = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Train, plan.Train, shapes), Embed);
var test = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Test, plan.Test, shapes), Embed);
Console.WriteLine($"  {train.Count} training and {test.Count} held-out images, e.g. \"{test.Samples[0].Caption}\"");

var results = new Dictionary<string, object>();
var reconstructions = new Dictionary<string, float[]>();
foreach (var variant in new[] { "baseline", "textok" })
{
    bool useText = variant == "textok";
    var config = TexTokConfig.FromPreset(TexTokPreset.Tiny, plan.ImageSize, options.Tokens, encoder.MaxTokens, encoder.EmbeddingDim, useText);
    var trainingOptions = new TexTokTrainingOptions
    {
        BatchSize = 16, Steps = plan.Steps, LearningRate = 1e-3, WarmupSteps = plan.Steps / 20, PerceptualWeight = 0,
        Seed = 7, Threads = Environment.ProcessorCount, LogEvery = 10,
    };
    var clock = Stopwatch.StartNew();
    using var trainer = new TexTokTrainer(config, trainingOptions);
    var source = useText ? new InMemorySampleSource(train.Images, train.Texts!, train.Masks!) : new InMemorySampleSource(train.Images);
    using (var bar = new ConsoleProgressBar($"Training {(useText ? "TexTok  " : "baseline")}"))
    {
        trainer.Train(source, bar.For<TexTokTrainingProgress>(p => (p.Step / (double)p.TotalSteps,
            $"step {p.Step}/{p.TotalSteps}  loss {p.ReconstructionLoss:F4}  {p.ImagesPerSecond:F0} img/s")));
    }

    using var model = trainer.CreateEmaModel();
    var output = TexTokInference.Reconstruct(model, test.ConcatenatedImages(), useText ? test.ConcatenatedTexts() : null,
        useText ? test.ConcatenatedMasks() : null, test.Count);
    reconstructions[variant] = output;
    var (psnr, ssim) = test.Score(output);
    Console.WriteLine($"  {variant}: held-out PSNR {psnr:F2} dB, SSIM {ssim:F4}  ({clock.Elapsed.TotalSeconds:F0} s)");
    results[variant] = new { psnr = Math.Round(psnr, 3), ssim = Math.Round(ssim, 4), train_seconds = Math.Round(clock.Elapsed.TotalSeconds, 1) };
    trainer.SaveModel(Path.Combine(options.OutputDirectory, $"{variant}.safetensors"));
}

var cells = new List<RgbImage>();
for (int i = 0; i < Math.Min(8, test.Count); i++)
{
    cells.Add(test.Samples[i].Image);
    cells.Add(test.ToImage(reconstructions["baseline"], i));
    cells.Add(test.ToImage(reconstructions["textok"], i));
}

string gridPath = Path.Combine(options.OutputDirectory, "reconstructions.png");
ImagePixels.SavePng(ImagePixels.Grid(cells, columns: 3, spacing: 2), gridPath);
var report = new Dictionary<string, object>
{
    ["tokens"] = options.Tokens,
    ["resolution"] = plan.ImageSize,
    ["steps"] = plan.Steps,
    ["quick"] = options.Quick,
    ["text_encoder"] = encoder.Identity,
    ["baseline"] = results["baseline"],
    ["textok"] = results["textok"],
    ["grid"] = Path.GetFileName(gridPath),
    ["total_seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1),
};
string reportPath = Path.Combine(options.OutputDirectory, "report.json");
File.WriteAllText(reportPath, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"Wrote {reportPath} and {gridPath} (original | baseline | TexTok) in {total.Elapsed.TotalSeconds:F0} s.");
return 0;
