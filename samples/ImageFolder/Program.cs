// Tokenize and reconstruct your own captioned images with an ML.NET pipeline:
//   CaptionedImageFolder (Image, Caption) -> CaptionEmbed -> TexTokenize (trains) -> Detokenize
// then save the pipeline, load it back, check the outputs agree, and write a grid of originals and reconstructions,
// report.json and report.html.
//
//   dotnet run -c Release --project samples/ImageFolder -- --captions my/captions.tsv [--out DIR] [--tokens N] [--size PX] [--steps S]
//   dotnet run -c Release --project samples/ImageFolder -- --demo      (writes a small captioned folder first, then uses it)
//
// captions.tsv: one "relative/path.png<TAB>caption" per line (or .jsonl with "path" and "caption"; see docs/data.md).
using System.Diagnostics;
using ImageFolder;
using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML;
using TexTok.ML.Data;
using TexTok.ML.Samples;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

if (ImageFolderOptions.Command.Start(args, out var options) is int exit)
{
    return exit;
}

string output = options.OutputDirectory;
int tokens = options.Tokens, size = options.Size, steps = options.Steps;
string captions = options.CaptionsFile ?? WriteDemoFolder(Path.Combine(output, "demo-images"), count: 300);
if (options.Demo)
{
    Console.WriteLine($"Wrote a demo folder: {captions}");
}

var ml = new MLContext(seed: 1);
var total = Stopwatch.StartNew();
var folder = CaptionedImageFolder.Open(captions);
IDataView data = folder.ToDataView(ml);
Console.WriteLine($"{folder.Entries.Count} captioned images from {folder.CaptionsFile}");

var clock = Stopwatch.StartNew();
using var model = SampleProgress.Run($"Training TexTok (Tiny, {size} px, N = {tokens}, {steps} steps)", progress =>
{
    var tokenize = ml.Transforms.TexTokenize(new TexTokenizeOptions
    {
        Network = TexTokConfig.FromPreset(TexTokPreset.Tiny, size, tokens),
        Training = new TexTokTrainingOptions { Steps = steps, BatchSize = 16, PerceptualWeight = 0, LogEvery = Math.Max(1, steps / 20) },
        Progress = progress.Add("TexTok", steps).For<TexTokTrainingProgress>(SampleTraining.Describe),
    });
    return ml.Transforms.CaptionEmbed().Append(tokenize).Append(ml.Transforms.Detokenize(tokenize)).Fit(data);
});
var trained = ((TexTokenizeTransformer)model.ElementAt(1)).Model!;
double trainSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"Trained in {trainSeconds:F0} s.");

string zip = Path.Combine(output, "pipeline.zip");
ml.Model.Save(model, data.Schema, zip);
trained.Save(Path.Combine(output, "textok.safetensors"));
File.WriteAllBytes(Path.Combine(output, "tokenizer.onnx"), trained.ExportEncoderOnnx());
File.WriteAllBytes(Path.Combine(output, "detokenizer.onnx"), trained.ExportDecoderOnnx());

// Load the zip as another program would, and check that it reproduces the outputs.
var loaded = new MLContext().Model.Load(zip, out _);
int shown = Math.Min(8, folder.Entries.Count);
var sample = ml.Data.TakeRows(data, shown);
var before = model.Transform(sample).GetColumn<float[]>("ReconstructionPixels").ToList();
var after = loaded.Transform(sample).GetColumn<float[]>("ReconstructionPixels").ToList();
bool identical = before.Zip(after).All(p => p.First.AsSpan().SequenceEqual(p.Second));
Console.WriteLine($"Saved {zip}; reloaded pipeline reproduces the reconstructions: {(identical ? "yes" : "NO")}");

// Grid: originals (resized as the model sees them) above their reconstructions.
var originals = ml.Transforms.ResizeImages("Small", size, size, "Image").Append(ml.Transforms.ExtractPixels("Pixels", "Small"))
    .Fit(sample).Transform(sample).GetColumn<float[]>("Pixels").ToList();
var cells = originals.Concat(before).Select(p => ImagePixels.FromChwPixelValues(p, size, size)).ToList();
string grid = Path.Combine(output, "reconstructions.png");
ImagePixels.SavePng(ImagePixels.Grid(cells, shown, spacing: 2), grid);
string pagePath = SampleReport.Write(output, "TexTok on an image folder",
    $"A Tiny TexTok tokenizer ({size} px, N = {tokens} tokens, {steps} steps) trained by the ML.NET pipeline CaptionEmbed → TexTokenize → Detokenize " +
    $"on the {folder.Entries.Count} captioned images of {folder.CaptionsFile}, saved as pipeline.zip and reloaded.",
    new Dictionary<string, object>
    {
        ["captions_file"] = folder.CaptionsFile,
        ["images"] = folder.Entries.Count,
        ["resolution"] = size,
        ["tokens"] = tokens,
        ["steps"] = steps,
        ["training_seconds"] = Math.Round(trainSeconds, 1),
        ["reloaded_identical"] = identical,
        ["files"] = new[] { "pipeline.zip", "textok.safetensors", "tokenizer.onnx", "detokenizer.onnx", Path.GetFileName(grid) },
        ["total_seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1),
    },
    [new(Path.GetFileName(grid), $"Top row: the first {shown} images as the model sees them ({size} px); bottom row: their reconstructions.")]);
Console.WriteLine($"Wrote {grid} (top: originals, bottom: reconstructions), textok.safetensors, tokenizer.onnx, detokenizer.onnx and report.json");
Console.WriteLine($"Report page: {Path.GetFullPath(pagePath)}");
return identical ? 0 : 1;

static string WriteDemoFolder(string directory, int count)
{
    Directory.CreateDirectory(directory);
    var lines = new List<string>();
    foreach (var (sample, i) in CaptionedShapes.Enumerate(DataSplit.Train, count, new CaptionedShapesOptions { ImageSize = 64 }).Select((s, i) => (s, i)))
    {
        string name = $"shape-{i:D4}.png";
        ImagePixels.SavePng(sample.Image, Path.Combine(directory, name));
        lines.Add($"{name}\t{sample.Caption}");
    }

    string path = Path.Combine(directory, "captions.tsv");
    File.WriteAllLines(path, lines);
    return path;
}
