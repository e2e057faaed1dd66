// FashionMnist: class-conditional generation on Fashion-MNIST with TexTok tokens and a DiT, on the CPU.
//   dotnet run -c Release --project samples/FashionMnist [-- --quick] [--data DIR] [--out DIR] [--tokens N]
// Reads Fashion-MNIST from the files Debian's dataset-fashion-mnist package installs, pads the 28 px images to 32 px
// RGB, captions each with its class ("a photo of a sneaker"), trains a TexTok tokenizer and a class-conditional DiT on
// its tokens, then generates through an ML.NET pipeline (DiTGenerate -> CaptionEmbed -> Detokenize) with captions for
// the detokenizer drawn from a caption bank of held-out (test split) captions, as the paper does. Writes generated.png
// (one row per class: a real test image, then generated ones), report.json and report.html.
using System.Diagnostics;
using FashionMnistSample;
using TexTok.ML;
using TexTok.ML.Data;
using TexTok.ML.Samples;
using TexTok.ML.Text;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Tokenizer;

if (FashionMnistOptions.Command.Start(args, out var options) is int exit)
{
    return exit;
}

const int ImageSize = 32, PerClass = 8;
var sampler = new DiTSamplerOptions { Steps = 25, GuidanceScale = 2.0 };
var total = Stopwatch.StartNew();
var plan = options.Quick
    ? new { Train = 1000, Test = 200, Steps = options.Steps ?? 300 }
    : new { Train = 6000, Test = 500, Steps = options.Steps ?? 2000 };

FashionMnistSplit trainSplit, testSplit;
try
{
    trainSplit = FashionMnist.Read(DataSplit.Train, options.DataDirectory);
    testSplit = FashionMnist.Read(DataSplit.Test, options.DataDirectory);
}
catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException)
{
    Console.Error.WriteLine($"error: cannot read Fashion-MNIST from '{options.DataDirectory}': {e.Message} (--data DIR names another folder.)");
    return 1;
}

Console.WriteLine($"TexTok FashionMnist ({(options.Quick ? "quick" : "default")} run): {options.DataDirectory}, {ImageSize} px, N = {options.Tokens} tokens, " +
                  $"{plan.Steps} training steps, {options.Threads} thread(s)");
var encoder = new FrozenBpeTextEncoder();
var embed = SampleTraining.Embedder(encoder);
// Fashion-MNIST's 28 px images on a black 32 px canvas (the background is black already), so the tokenizer's 8 × 8
// patch grid divides the image.
var train = ImageSampleArrays.Create(trainSplit.Samples(0, plan.Train, ImageSize), embed);
var test = ImageSampleArrays.Create(testSplit.Samples(0, plan.Test, ImageSize), embed);
Console.WriteLine($"  {train.Count} training and {test.Count} held-out images, e.g. \"{train.Samples[0].Caption}\"");

var config = TexTokConfig.FromPreset(TexTokPreset.Tiny, ImageSize, options.Tokens, encoder.MaxTokens, encoder.EmbeddingDim);
using var pair = SampleTraining.TrainScoredTokenizer(config, train, test, plan.Steps, options.Threads, options.OutputDirectory, out object tokenizerReport);

var clock = Stopwatch.StartNew();
int classes = FashionMnist.ClassNames.Count;
var dataset = TokenDataset.WithLabels(SampleTraining.EncodeTokens(pair.Model, train), train.Samples.Select(s => s.Label).ToList());
var ditConfig = DiTConfig.FromPreset(DiTPreset.Tiny, config.NumTokens, config.TokenDim, numClasses: classes);
using var dit = SampleTraining.TrainDiT(ditConfig, dataset, plan.Steps, options.Threads, Path.Combine(options.OutputDirectory, "dit.safetensors"), "Training DiT");
double ditSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"  DiT trained in {ditSeconds:F0} s");

// The detokenizer's captions come from the held-out test split (one caption per class in Fashion-MNIST).
clock.Restart();
var bank = CaptionBank.FromPairs(test.Samples.Select(s => (s.Label, s.Caption)));
var (rows, generated) = SampleTraining.GenerateByClass(pair, dit, bank, classes, PerClass, sampler);
var cells = new List<RgbImage>();
for (int label = 0; label < classes; label++)
{
    cells.Add(test.Samples.FirstOrDefault(s => s.Label == label)?.Image ?? new RgbImage(ImageSize, ImageSize));
    cells.AddRange(generated.Skip(label * PerClass).Take(PerClass));
}

string gridPath = Path.Combine(options.OutputDirectory, "generated.png");
ImagePixels.SavePng(ImagePixels.Grid(cells, PerClass + 1, spacing: 2), gridPath);
double generationSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"Generated {rows.Count} images ({PerClass} per class) through DiTGenerate -> CaptionEmbed -> Detokenize in {generationSeconds:F0} s.");

var report = new Dictionary<string, object>
{
    ["dataset"] = "fashion-mnist",
    ["data_directory"] = options.DataDirectory,
    ["resolution"] = ImageSize,
    ["tokens"] = options.Tokens,
    ["steps"] = plan.Steps,
    ["quick"] = options.Quick,
    ["threads"] = options.Threads,
    ["train_images"] = train.Count,
    ["text_encoder"] = encoder.Identity,
    ["tokenizer"] = tokenizerReport,
    ["dit"] = new { preset = "Tiny", conditioning = "class label", classes, seconds = Math.Round(ditSeconds, 1) },
    ["generation"] = new
    {
        grid = Path.GetFileName(gridPath),
        layout = $"one row per class: a real test image, then {PerClass} generated",
        sampler = $"{sampler.Method}, {sampler.Steps} steps, guidance {sampler.GuidanceScale}",
        classes = Enumerable.Range(0, classes).Select(label => new { label, name = FashionMnist.ClassNames[label], captions = bank.CaptionsFor(label) }).ToList(),
        seconds = Math.Round(generationSeconds, 1),
    },
    ["total_seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1),
};
string pagePath = SampleReport.Write(options.OutputDirectory, "TexTok on Fashion-MNIST",
    $"{(options.Quick ? "A quick" : "The default")} run: a TexTok tokenizer (N = {options.Tokens} tokens, {plan.Steps} steps) on {train.Count} Fashion-MNIST " +
    "images padded to 32 px, a class-conditional DiT on its tokens, and generation through DiTGenerate → CaptionEmbed → Detokenize " +
    "with captions from a held-out caption bank.",
    report,
    [new(Path.GetFileName(gridPath), $"One row per class, in label order (T-shirt/top … ankle boot): a real test image, then {PerClass} generated.")]);
Console.WriteLine($"Wrote {gridPath} (one row per class: a real test image, then generated ones) and report.json in {total.Elapsed.TotalSeconds:F0} s.");
Console.WriteLine($"Report page: {Path.GetFullPath(pagePath)}");
return 0;
