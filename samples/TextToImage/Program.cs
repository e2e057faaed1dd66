// TextToImage: text-to-image generation with a text-conditional DiT (DiT-T2I) over TexTok tokens, offline, on the CPU.
//   dotnet run -c Release --project samples/TextToImage [-- --quick] [--caption "a large red circle at the top left"]... [--out DIR]
// Generates CaptionedShapes with one shape per image ("a large red circle at the top left, on a white background"),
// embeds the captions with the offline FrozenBpeTextEncoder, trains a TexTok tokenizer, encodes the training set to
// tokens, trains a DiT-T2I that attends to the caption embedding, then generates images for the given captions through
// an ML.NET pipeline (CaptionEmbed -> DiTGenerate -> Detokenize, the detokenizer reading the same caption) and writes
// generated.png (one row per caption), captions.txt, report.json and report.html.
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML;
using TexTok.ML.Data;
using TexTok.ML.Samples;
using TexTok.ML.Text;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Tokenizer;
using TextToImage;

if (TextToImageOptions.Command.Start(args, out var options) is int exit)
{
    return exit;
}

const int ImageSize = 32, PerCaption = 4;
var sampler = new DiTSamplerOptions { Steps = 25, GuidanceScale = 3.0 };
var total = Stopwatch.StartNew();
var plan = options.Quick
    ? new { Train = 512, Test = 64, Steps = options.Steps ?? 300 }
    : new { Train = 4000, Test = 128, Steps = options.Steps ?? 2000 };
Console.WriteLine($"TexTok TextToImage ({(options.Quick ? "quick" : "default")} run): {ImageSize} px CaptionedShapes, N = {options.Tokens} tokens, " +
                  $"{plan.Steps} training steps, {options.Threads} thread(s)");

// One shape and no word per image: short captions that the small DiT can follow.
var shapes = new CaptionedShapesOptions { ImageSize = ImageSize, MaxShapes = 1, WordProbability = 0 };
var encoder = new FrozenBpeTextEncoder();
var embed = SampleTraining.Embedder(encoder);
var train = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Train, plan.Train, shapes), embed);
var test = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Test, plan.Test, shapes), embed);
var captions = options.Captions.Count > 0
    ? options.Captions
    : CaptionedShapes.Enumerate(DataSplit.Test, 64, shapes, start: 10_000).Select(s => s.Caption).Distinct().Take(4).ToList();
Console.WriteLine($"  {train.Count} training and {test.Count} held-out images, e.g. \"{train.Samples[0].Caption}\"");

var config = TexTokConfig.FromPreset(TexTokPreset.Tiny, ImageSize, options.Tokens, encoder.MaxTokens, encoder.EmbeddingDim);
using var pair = SampleTraining.TrainScoredTokenizer(config, train, test, plan.Steps, options.Threads, options.OutputDirectory, out object tokenizerReport);

// DiT-T2I on the cached tokens of the training set, each with its own caption's embedding.
var clock = Stopwatch.StartNew();
var dataset = TokenDataset.WithText(SampleTraining.EncodeTokens(pair.Model, train), train.Texts!, train.Masks!);
var ditConfig = DiTConfig.FromPreset(DiTPreset.Tiny, config.NumTokens, config.TokenDim, numClasses: 0, textTokens: encoder.MaxTokens, textDim: encoder.EmbeddingDim);
using var dit = SampleTraining.TrainDiT(ditConfig, dataset, plan.Steps, options.Threads, Path.Combine(options.OutputDirectory, "dit.safetensors"), "Training DiT-T2I");
double ditSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"  DiT-T2I trained in {ditSeconds:F0} s");

// Generation as an ML.NET pipeline: the caption is embedded once and read by both the DiT and the detokenizer.
clock.Restart();
var rows = captions.SelectMany((caption, c) => Enumerable.Range(0, PerCaption).Select(k => new CaptionRow { Caption = caption, Seed = (c * PerCaption) + k })).ToList();
var ml = new MLContext(seed: 1);
var input = ml.Data.LoadFromEnumerable(rows);
var generate = ml.Transforms.CaptionEmbed()
    .Append(ml.Transforms.DiTGenerate(new DiTGenerateOptions { Model = dit, Sampler = sampler }))
    .Append(ml.Transforms.Detokenize(pair))
    .Fit(input);
var cells = SampleProgress.Collect("Generating", "CaptionEmbed → DiTGenerate → Detokenize", "images", rows.Count,
    generate.Transform(input).GetColumn<float[]>(TexTokDefaults.ReconstructionPixelsColumn).Select(p => ImagePixels.FromChwPixelValues(p, ImageSize, ImageSize)));
string gridPath = Path.Combine(options.OutputDirectory, "generated.png");
ImagePixels.SavePng(ImagePixels.Grid(cells, PerCaption, spacing: 2), gridPath);
File.WriteAllLines(Path.Combine(options.OutputDirectory, "captions.txt"), captions.Select((caption, row) => $"row {row + 1}: {caption}"));
double generationSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"Generated {rows.Count} images ({PerCaption} per caption) through CaptionEmbed -> DiTGenerate -> Detokenize in {generationSeconds:F0} s:");
foreach (var (caption, row) in captions.Select((c, i) => (c, i)))
{
    Console.WriteLine($"  row {row + 1}: {caption}");
}

var report = new Dictionary<string, object>
{
    ["resolution"] = ImageSize,
    ["tokens"] = options.Tokens,
    ["steps"] = plan.Steps,
    ["quick"] = options.Quick,
    ["threads"] = options.Threads,
    ["train_images"] = train.Count,
    ["text_encoder"] = encoder.Identity,
    ["tokenizer"] = tokenizerReport,
    ["dit"] = new { preset = "Tiny", conditioning = "text (cross-attention)", seconds = Math.Round(ditSeconds, 1) },
    ["generation"] = new
    {
        grid = Path.GetFileName(gridPath),
        per_caption = PerCaption,
        sampler = $"{sampler.Method}, {sampler.Steps} steps, guidance {sampler.GuidanceScale}",
        captions,
        seconds = Math.Round(generationSeconds, 1),
    },
    ["total_seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1),
};
string pagePath = SampleReport.Write(options.OutputDirectory, "TexTok text-to-image",
    $"{(options.Quick ? "A quick" : "The default")} run: a TexTok tokenizer (N = {options.Tokens} tokens, {plan.Steps} steps) on {train.Count} " +
    $"CaptionedShapes images of {ImageSize} px with one shape each, and a DiT-T2I that attends to the caption; {PerCaption} images per caption " +
    "through CaptionEmbed → DiTGenerate → Detokenize.",
    report,
    [new(Path.GetFileName(gridPath), "One row per caption: " + string.Join(" ", captions.Select((caption, row) => $"({row + 1}) {caption}.")))]);
Console.WriteLine($"Wrote {gridPath} (one row per caption), captions.txt and report.json in {total.Elapsed.TotalSeconds:F0} s.");
Console.WriteLine($"Report page: {Path.GetFullPath(pagePath)}");
return 0;

internal sealed class CaptionRow
{
    public string Caption { get; set; } = string.Empty;

    public int Seed { get; set; }
}
