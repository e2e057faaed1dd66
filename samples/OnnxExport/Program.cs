// OnnxExport: TexTok and DiT models as ONNX files for use outside .NET, each checked against TorchSharp.
//   dotnet run -c Release --project samples/OnnxExport [-- --quick] [--model textok.safetensors] [--out DIR]
// Trains a Tiny TexTok tokenizer on CaptionedShapes (or loads one that samples/ImageFolder saved), trains a tiny
// class-conditional DiT on its tokens, exports tokenizer.onnx, detokenizer.onnx and dit_sampler.onnx (the whole
// sampler with classifier-free guidance in one graph), scores each file with ONNX Runtime on held-out inputs and
// prints its largest difference to the TorchSharp model, decodes ONNX-generated tokens with the ONNX detokenizer into
// generated.png, and writes usage.md (every file's inputs and outputs), example_inputs.json (caption embeddings a host
// without .NET can feed), report.json and report.html.
using System.Diagnostics;
using OnnxExport;
using TexTok.ML;
using TexTok.ML.Data;
using TexTok.ML.Onnx;
using TexTok.ML.Samples;
using TexTok.ML.Text;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Tokenizer;
using TorchSharp;

if (OnnxExportOptions.Command.Start(args, out var options) is int exit)
{
    return exit;
}

const int Checked = 12, SamplerSeed = 3;
const float Tolerance = 1e-3f;
var sampler = new DiTSamplerOptions { Steps = 25, GuidanceScale = 2.0 };
var total = Stopwatch.StartNew();
var plan = options.Quick
    ? new { Train = 256, Steps = options.Steps ?? 200 }
    : new { Train = 2000, Steps = options.Steps ?? 1000 };
var encoder = new FrozenBpeTextEncoder();
string Output(string name) => Path.Combine(options.OutputDirectory, name);

TexTokTrainedModel? loaded = null;
if (options.ModelPath is not null)
{
    try
    {
        loaded = TexTokTrainedModel.Load(options.ModelPath);
    }
    catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
    {
        Console.Error.WriteLine($"error: cannot load the TexTok model '{options.ModelPath}': {e.Message}");
        return 1;
    }

    var c = loaded.Config;
    string? problem = c.ImageSize is < CaptionedShapesOptions.MinImageSize or > CaptionedShapesOptions.MaxImageSize
        ? $"its images are {c.ImageSize} px; this sample's data is {CaptionedShapesOptions.MinImageSize} to {CaptionedShapesOptions.MaxImageSize} px"
        : c.UseText && (c.TextTokens != encoder.MaxTokens || c.TextDim != encoder.EmbeddingDim)
            ? $"it reads {c.TextTokens}×{c.TextDim} caption embeddings; the default caption encoder writes {encoder.MaxTokens}×{encoder.EmbeddingDim}"
            : null;
    if (problem is not null)
    {
        loaded.Dispose();
        Console.Error.WriteLine($"error: cannot export '{options.ModelPath}' with this sample: {problem}.");
        return 1;
    }
}

int imageSize = loaded?.Config.ImageSize ?? 32;
Console.WriteLine($"TexTok OnnxExport ({(options.Quick ? "quick" : "default")} run): {(loaded is null ? "training" : $"loaded {options.ModelPath},")} " +
                  $"{imageSize} px, {plan.Steps} training steps, {options.Threads} thread(s)");
var shapes = new CaptionedShapesOptions { ImageSize = imageSize };
var embed = SampleTraining.Embedder(encoder);
var train = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Train, plan.Train, shapes), embed);
var heldOut = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Test, Checked, shapes), embed);

var clock = Stopwatch.StartNew();
using var pair = loaded ?? new TexTokTrainedModel(SampleTraining.TrainTokenizer(
    TexTokConfig.FromPreset(TexTokPreset.Tiny, imageSize, options.Tokens, encoder.MaxTokens, encoder.EmbeddingDim), train, plan.Steps, options.Threads, "Training TexTok"));
var config = pair.Config;
double tokenizerSeconds = clock.Elapsed.TotalSeconds;
pair.Save(Output("textok.safetensors"));

clock.Restart();
int classes = CaptionedShapes.ClassNames.Count;
var dataset = TokenDataset.WithLabels(SampleTraining.EncodeTokens(pair.Model, train), train.Samples.Select(s => s.Label).ToList());
var ditConfig = DiTConfig.FromPreset(DiTPreset.Tiny, config.NumTokens, config.TokenDim, numClasses: classes);
using var dit = SampleTraining.TrainDiT(ditConfig, dataset, plan.Steps, options.Threads, Output("dit.safetensors"), "Training DiT");
double ditSeconds = clock.Elapsed.TotalSeconds;

clock.Restart();
TexTokOnnxExport.ExportEncoder(pair.Model, Output("tokenizer.onnx"));
TexTokOnnxExport.ExportDecoder(pair.Model, Output("detokenizer.onnx"));
DiTOnnxExport.ExportSampler(dit, sampler, Output("dit_sampler.onnx"));
double exportSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"Exported tokenizer.onnx, detokenizer.onnx and dit_sampler.onnx in {exportSeconds:F1} s; checking each against TorchSharp on {Checked} samples:");

// Each file scored with ONNX Runtime exactly as another host would feed it, next to the TorchSharp model.
clock.Restart();
var scoring = new OnnxScoringOptions { IntraOpNumThreads = options.Threads, InterOpNumThreads = 1 };
using var tokenizerSession = new OnnxScoringSession(Output("tokenizer.onnx"), scoring);
using var detokenizerSession = new OnnxScoringSession(Output("detokenizer.onnx"), scoring);
using var samplerSession = new OnnxScoringSession(Output("dit_sampler.onnx"), scoring);
long[] imageShape = [Checked, 3, imageSize, imageSize], tokenShape = [Checked, config.NumTokens, config.TokenDim];
long[] textShape = [Checked, config.TextTokens, config.TextDim], maskShape = [Checked, config.TextTokens];
float[]? texts = config.UseText ? heldOut.ConcatenatedTexts() : null, masks = config.UseText ? heldOut.ConcatenatedMasks() : null;
Dictionary<string, OnnxTensor> WithText(Dictionary<string, OnnxTensor> inputs, float[]? text, float[]? mask)
{
    if (config.UseText)
    {
        inputs[TexTokOnnxExport.TextInput] = new OnnxFloatTensor(text!, textShape);
        inputs[TexTokOnnxExport.TextMaskInput] = new OnnxFloatTensor(mask!, maskShape);
    }

    return inputs;
}

var torchTokens = TexTokInference.Encode(pair.Model, heldOut.ConcatenatedImages(), texts, masks, Checked);
var onnxTokens = tokenizerSession.Run(WithText(new() { [TexTokOnnxExport.ImageInput] = new OnnxFloatTensor(heldOut.ConcatenatedImages(), imageShape) }, texts, masks))[TexTokOnnxExport.TokensName].Data;
var torchImages = TorchDecode(pair.Model, torchTokens, texts, masks, Checked);
var onnxImages = detokenizerSession.Run(WithText(new() { [TexTokOnnxExport.TokensName] = new OnnxFloatTensor(torchTokens, tokenShape) }, texts, masks))[TexTokOnnxExport.ImageOutput].Data;

// The sampler: one label per sample, noise drawn in .NET as the TorchSharp sampler draws it, the exported guidance scale.
var labels = Enumerable.Range(0, Checked).Select(i => i % classes).ToList();
var samplerInputs = new Dictionary<string, OnnxTensor>
{
    [DiTOnnxExport.NoiseInput] = new OnnxFloatTensor(DiTSampler.NoiseValues(ditConfig, SamplerSeed, 0, Checked), tokenShape),
    [DiTOnnxExport.LabelsInput] = new OnnxInt64Tensor(labels.Select(l => (long)l).ToArray(), Checked),
};
if (samplerSession.InputNames.Contains(DiTOnnxExport.GuidanceScaleInput))
{
    samplerInputs[DiTOnnxExport.GuidanceScaleInput] = new OnnxFloatTensor([(float)sampler.GuidanceScale]);
}

var onnxGenerated = samplerSession.Run(samplerInputs)[DiTOnnxExport.TokensOutput].Data;
var torchOptions = sampler.Clone();
torchOptions.Seed = SamplerSeed;
var torchGenerated = DiTSampler.SampleClasses(dit, labels, torchOptions).SelectMany(t => t).ToArray();
var differences = new Dictionary<string, double>
{
    ["tokenizer.onnx"] = MaxAbsDifference(onnxTokens, torchTokens),
    ["detokenizer.onnx"] = MaxAbsDifference(onnxImages, torchImages),
    ["dit_sampler.onnx"] = MaxAbsDifference(onnxGenerated, torchGenerated),
};
double checkSeconds = clock.Elapsed.TotalSeconds;
SampleConsole.WriteTable($"ONNX Runtime vs TorchSharp ({Checked} samples)", ["file", "max |difference|", "check"],
    differences.Select(d => new[] { d.Key, $"{d.Value:0.00e+0}", d.Value <= Tolerance ? "ok" : $"MISMATCH (over {Tolerance:0e+0})" }));

// The whole generation path in ONNX Runtime alone: sampler tokens, decoded with a held-out caption of each sample's class.
var bank = CaptionBank.FromPairs(CaptionedShapes.Enumerate(DataSplit.Test, 256, shapes, start: 1000).Select(s => (s.Label, s.Caption)));
var captions = bank.Sample(labels, seed: 5);
var embedded = captions.Select(encoder.Encode).ToList();
var generatedImages = detokenizerSession.Run(WithText(new() { [TexTokOnnxExport.TokensName] = new OnnxFloatTensor(onnxGenerated, tokenShape) },
    embedded.SelectMany(e => e.Values).ToArray(), embedded.SelectMany(e => e.Mask).ToArray()))[TexTokOnnxExport.ImageOutput].Data;
int pixelLength = 3 * imageSize * imageSize;
var cells = Enumerable.Range(0, Checked).Select(i => ImagePixels.FromChwSigned(generatedImages.AsSpan(i * pixelLength, pixelLength), imageSize, imageSize)).ToList();
ImagePixels.SavePng(ImagePixels.Grid(cells, classes, spacing: 2), Output("generated.png"));

SampleReport.WriteJson(Output("example_inputs.json"), new
{
    text_encoder = encoder.Identity,
    text_shape = new[] { config.TextTokens, config.TextDim },
    samples = captions.Select((caption, i) => new { label = labels[i], class_name = CaptionedShapes.ClassNames[labels[i]], caption, text = embedded[i].Values, text_mask = embedded[i].Mask }),
});
WriteUsage(Output("usage.md"));

var report = new Dictionary<string, object>
{
    ["model"] = options.ModelPath ?? "trained",
    ["resolution"] = imageSize,
    ["tokens"] = config.NumTokens,
    ["uses_text"] = config.UseText,
    ["steps"] = plan.Steps,
    ["quick"] = options.Quick,
    ["threads"] = options.Threads,
    ["sampler"] = $"{sampler.Method}, {sampler.Steps} steps, guidance {sampler.GuidanceScale}",
    ["files"] = differences.Select(d => new { file = d.Key, bytes = new FileInfo(Output(d.Key)).Length, max_abs_difference = d.Value, ok = d.Value <= Tolerance }).ToList(),
    ["tolerance"] = Tolerance,
    ["checked_samples"] = Checked,
    ["seconds"] = new { tokenizer = Math.Round(tokenizerSeconds, 1), dit = Math.Round(ditSeconds, 1), export = Math.Round(exportSeconds, 1), check = Math.Round(checkSeconds, 1) },
    ["total_seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1),
};
string pagePath = SampleReport.Write(options.OutputDirectory, "TexTok ONNX export",
    $"tokenizer.onnx, detokenizer.onnx and dit_sampler.onnx from {(loaded is null ? $"a tokenizer trained for {plan.Steps} steps" : options.ModelPath)} " +
    $"({imageSize} px, N = {config.NumTokens} tokens) and a class-conditional DiT, each scored with ONNX Runtime next to TorchSharp on {Checked} held-out " +
    "samples; usage.md describes every input and output.",
    report,
    [new("generated.png", $"Generated with ONNX Runtime alone: dit_sampler.onnx tokens decoded by detokenizer.onnx, one column per class ({string.Join(", ", CaptionedShapes.ClassNames)}), each with a held-out caption of its class.")]);
bool allOk = differences.Values.All(d => d <= Tolerance);
Console.WriteLine($"Wrote the ONNX files, usage.md, example_inputs.json, generated.png (ONNX Runtime only) and report.json to {options.OutputDirectory} in {total.Elapsed.TotalSeconds:F0} s.");
Console.WriteLine($"Report page: {Path.GetFullPath(pagePath)}");
return allOk ? 0 : 1;

void WriteUsage(string path)
{
    string textNote = config.UseText
        ? $"`{TexTokOnnxExport.TextInput}` is the caption embedding of the offline caption encoder `{encoder.Identity}` ({config.TextTokens} tokens × {config.TextDim}), " +
          $"`{TexTokOnnxExport.TextMaskInput}` its mask (1 for a real token, 0 for padding). The encoder runs in .NET (`TexTok.ML.Text.FrozenBpeTextEncoder`); " +
          "example_inputs.json holds embeddings of a few captions for hosts without it."
        : "This is a baseline model (no caption): it has no text inputs.";
    var usage = new UsageDocument("TexTok ONNX models", [
        $"Exported by samples/OnnxExport: a TexTok tokenizer pair ({config.ImageSize} px, N = {config.NumTokens} tokens of d = {config.TokenDim}) and a class-conditional DiT sampler over its tokens. Opset 17; ONNX Runtime reads them in any language.",
        "`batch` is a free dimension. Every tensor is row-major.",
    ]);
    usage.AddModel("tokenizer.onnx", "Image (and caption) → tokens: the posterior mean of the TexTok encoder.", tokenizerSession, [
        $"Pixel range of `{TexTokOnnxExport.ImageInput}` (channel-first RGB): {PixelRange(tokenizerSession, input: true)}",
        textNote,
        $"Largest difference to TorchSharp on {Checked} held-out images: {differences["tokenizer.onnx"]:0.00e+0}.",
    ]);
    usage.AddModel("detokenizer.onnx", "Tokens (and caption) → image.", detokenizerSession, [
        $"Pixel range of `{TexTokOnnxExport.ImageOutput}` (channel-first RGB): {PixelRange(detokenizerSession, input: false)}",
        textNote,
        $"Largest difference to TorchSharp: {differences["detokenizer.onnx"]:0.00e+0}.",
    ]);
    usage.AddModel("dit_sampler.onnx", "Noise and class label → tokens for detokenizer.onnx: every sampler step, classifier-free guidance and the latent denormalisation in one graph.", samplerSession, [
        $"`{DiTOnnxExport.NoiseInput}`: standard normal noise, one draw per sample (.NET draws it with `DiTSampler.NoiseValues`; another host's generator gives other, equally valid samples). `{DiTOnnxExport.LabelsInput}`: class indices 0 to {classes - 1} ({string.Join(", ", CaptionedShapes.ClassNames.Select((n, i) => $"{i} {n}"))}).",
        samplerSession.InputNames.Contains(DiTOnnxExport.GuidanceScaleInput)
            ? $"`{DiTOnnxExport.GuidanceScaleInput}`: the guidance scale, a float32 scalar (exported with {sampler.GuidanceScale}; 1 means no guidance)."
            : "The sampler was exported without guidance.",
        $"Sampler settings (metadata `{DiTOnnxExport.SamplerKey}`): `{samplerSession.Metadata[DiTOnnxExport.SamplerKey]}`.",
        $"Latent normalisation undone in the graph (metadata `{DiTOnnxExport.NormalizationKey}`): `{samplerSession.Metadata[DiTOnnxExport.NormalizationKey]}`.",
        "The detokenizer also needs a caption: a caption of the generated class (example_inputs.json has one per sample).",
        $"Largest difference to the TorchSharp sampler (same noise): {differences["dit_sampler.onnx"]:0.00e+0}.",
    ]);
    usage.AddSection("Metadata", [
        $"Every file carries `{OnnxScoringSession.FormatKey}` = `{OnnxScoringSession.Format}`, `{OnnxScoringSession.NetworkKey}` " +
        $"({string.Join(", ", new[] { tokenizerSession, detokenizerSession, samplerSession }.Select(s => s.Network))}) and " +
        $"`{OnnxScoringSession.ConfigKey}` (the network configuration as JSON). In Python: `onnxruntime.InferenceSession(path).get_modelmeta().custom_metadata_map`.",
    ]);
    usage.Save(path);
}

// The range recorded in the export's metadata, with the conversion from or to bytes.
static string PixelRange(OnnxScoringSession session, bool input)
{
    string range = session.Metadata[TexTokOnnxExport.PixelRangeKey];
    string conversion = range == "0..255"
        ? input ? "byte values as floats" : "byte values as floats, clamped in the graph"
        : input ? "value = byte / 127.5 − 1" : "not clamped: clamp to [−1, 1], then byte = (value + 1) · 127.5";
    return $"{range} ({conversion}; metadata `{TexTokOnnxExport.PixelRangeKey}`).";
}

static float[] TorchDecode(TexTokModel model, float[] tokens, float[]? texts, float[]? masks, int count)
{
    var c = model.Config;
    model.eval();
    using var noGrad = torch.no_grad();
    using var scope = torch.NewDisposeScope();
    var tokenTensor = torch.tensor(tokens, new long[] { count, c.NumTokens, c.TokenDim });
    var text = texts is null ? null : torch.tensor(texts, new long[] { count, c.TextTokens, c.TextDim });
    var mask = masks is null ? null : torch.tensor(masks, new long[] { count, c.TextTokens });
    return model.Decode(tokenTensor, text, mask).cpu().contiguous().data<float>().ToArray();
}

static double MaxAbsDifference(float[] a, float[] b) =>
    a.Length != b.Length ? double.PositiveInfinity : a.Zip(b, (x, y) => Math.Abs((double)x - y)).DefaultIfEmpty(0).Max();
