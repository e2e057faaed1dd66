// Tokenize and reconstruct your own captioned images with an ML.NET pipeline:
//   CaptionedImageFolder (Image, Caption) -> CaptionEmbed -> TexTokenize (trains) -> Detokenize
// then save the pipeline, load it back, check the outputs agree, and write a grid of originals and reconstructions.
//
//   dotnet run -c Release --project samples/ImageFolder -- --captions my/captions.tsv [--out DIR] [--tokens N] [--size PX] [--steps S]
//   dotnet run -c Release --project samples/ImageFolder -- --demo      (writes a small captioned folder first, then uses it)
//
// captions.tsv: one "relative/path.png<TAB>caption" per line (or .jsonl with "path" and "caption"; see docs/data.md).
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML;
using TexTok.ML.Data;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

const string Usage =
    "usage: dotnet run -c Release --project samples/ImageFolder -- (--captions FILE | --demo) [--out DIR] [--tokens N] [--size PX] [--steps S]\n" +
    "  --captions FILE  captions file (.tsv: path<TAB>caption per line, or .jsonl)\n" +
    "  --demo           write a demo folder of 300 captioned images to DIR/demo-images and use it\n" +
    "  --out DIR        output folder (default: ./imagefolder-out)\n" +
    "  --tokens N       tokens per image, 1 to 256 (default: 32)\n" +
    "  --size PX        square size the model works at, 16 to 256, a multiple of 8 (default: 64)\n" +
    "  --steps S        training steps (default: 1500)";

string? captions = null, output = "imagefolder-out";
bool demo = false;
int tokens = 32, size = 64, steps = 1500;
for (int i = 0; i < args.Length; i++)
{
    string? Next() => i + 1 < args.Length ? args[++i] : null;
    string option = args[i];
    bool ok = option switch
    {
        "--captions" => (captions = Next()) is not null,
        "--out" => (output = Next()) is not null,
        "--demo" => demo = true,
        "--tokens" => int.TryParse(Next(), out tokens) && tokens is >= 1 and <= 256,
        "--size" => int.TryParse(Next(), out size) && size is >= 16 and <= 256 && size % 8 == 0,
        "--steps" => int.TryParse(Next(), out steps) && steps >= 1,
        "-h" or "--help" => Exit(Usage, 0) == 0,
        _ => false,
    };
    if (!ok)
    {
        return Exit($"error: bad, out-of-range or incomplete option '{option}'.\n{Usage}", 2);
    }
}

if (captions is null == !demo)
{
    return Exit($"error: give exactly one of --captions FILE and --demo.\n{Usage}", 2);
}

try
{
    Directory.CreateDirectory(output!);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    return Exit($"error: cannot write to '{output}': {e.Message}", 1);
}

if (demo)
{
    captions = WriteDemoFolder(Path.Combine(output!, "demo-images"), count: 300);
    Console.WriteLine($"Wrote a demo folder: {captions}");
}

var ml = new MLContext(seed: 1);
CaptionedImageFolder folder;
try
{
    folder = CaptionedImageFolder.Open(captions!);
}
catch (Exception e) when (e is IOException or InvalidDataException)
{
    return Exit($"error: {e.Message}", 1);
}

IDataView data = folder.ToDataView(ml);
Console.WriteLine($"{folder.Entries.Count} captioned images from {folder.CaptionsFile}");

var clock = Stopwatch.StartNew();
var tokenize = ml.Transforms.TexTokenize(new TexTokenizeOptions
{
    Network = TexTokConfig.FromPreset(TexTokPreset.Tiny, size, tokens),
    Training = new TexTokTrainingOptions { Steps = steps, BatchSize = 16, PerceptualWeight = 0, LogEvery = Math.Max(1, steps / 20) },
    Progress = new Progress<TexTokTrainingProgress>(p =>
        Console.WriteLine($"  step {p.Step,6}/{p.TotalSteps}  reconstruction loss {p.ReconstructionLoss:F4}  {p.ImagesPerSecond:F0} img/s")),
});
var pipeline = ml.Transforms.CaptionEmbed().Append(tokenize).Append(ml.Transforms.Detokenize(tokenize));
Console.WriteLine($"Training TexTok (Tiny, {size} px, N = {tokens}, {steps} steps)...");
using var model = pipeline.Fit(data);
var trained = ((TexTokenizeTransformer)model.ElementAt(1)).Model!;
Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F0} s.");

string zip = Path.Combine(output!, "pipeline.zip");
ml.Model.Save(model, data.Schema, zip);
trained.Save(Path.Combine(output!, "textok.safetensors"));
File.WriteAllBytes(Path.Combine(output!, "tokenizer.onnx"), trained.ExportEncoderOnnx());
File.WriteAllBytes(Path.Combine(output!, "detokenizer.onnx"), trained.ExportDecoderOnnx());

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
var cells = originals.Concat(before).Select(p => ImagePixels.FromChw(p.Select(v => (v / 127.5f) - 1f).ToArray(), size, size)).ToList();
string grid = Path.Combine(output!, "reconstructions.png");
ImagePixels.SavePng(ImagePixels.Grid(cells, shown, spacing: 2), grid);
Console.WriteLine($"Wrote {grid} (top: originals, bottom: reconstructions), textok.safetensors, tokenizer.onnx, detokenizer.onnx");
return identical ? 0 : 1;

static int Exit(string message, int code)
{
    (code == 0 ? Console.Out : Console.Error).WriteLine(message);
    Environment.Exit(code);
    return code;
}

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
