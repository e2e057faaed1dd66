using System.Text.Json;
using System.Text.Json.Nodes;
using TexTok.ML.Onnx;
using TexTok.ML.Torch.Tokenizer;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// The inference suite split in two for machines that have ONNX Runtime but no libtorch (a GPU host with the
/// Microsoft.ML.OnnxRuntime.Gpu build): <c>--set export=DIR</c> writes the models and their description with
/// TorchSharp, and <c>--set models=DIR --set provider=cpu|cuda</c> scores them with ONNX Runtime alone.
/// </summary>
/// <remarks>
/// The exported weights repeat one seeded block of 4096 values (scaled like the initialisation), so the files
/// compress to almost nothing for the trip to the other machine. The work a dense network does does not depend on
/// its weight values, so the timings hold for trained weights of the same shapes.
/// </remarks>
internal static class InferenceOnnxOnly
{
    private const string Manifest = "models.json";
    private static readonly (TexTokPreset Preset, int Resolution)[] Plans = [(TexTokPreset.Mini, 64), (TexTokPreset.B, 256)];

    /// <summary>Writes each plan's encoder and decoder ONNX files and <c>models.json</c> into <paramref name="folder"/>.</summary>
    public static BenchmarkReport Export(BenchmarkSettings settings, string folder, int tokens)
    {
        Directory.CreateDirectory(folder);
        var report = new BenchmarkReport("inference", settings.Quick, $"dotnet run -c Release --project tests/TexTok.ML.Benchmarks -- inference --set export={folder}");
        var models = new JsonArray();
        var random = new Random(7);
        var block = Enumerable.Range(0, 4096).Select(_ => (float)((random.NextDouble() * 2) - 1) * 1.7320508f).ToArray();
        foreach (var (preset, resolution) in Plans)
        {
            var config = TexTokConfig.FromPreset(preset, resolution, tokens, 32, 64, useText: true);
            manual_seed(1);
            using var model = new TexTokModel(config);
            model.eval();
            FillWithRepeatedBlock(model, block);
            string stem = $"{preset}-{resolution}".ToLowerInvariant();
            Console.WriteLine($"TexTok-{preset} at {resolution} px: exporting to {folder}...");
            File.WriteAllBytes(Path.Combine(folder, $"{stem}-encoder.onnx"), TexTokOnnxExport.ExportEncoder(model));
            File.WriteAllBytes(Path.Combine(folder, $"{stem}-decoder.onnx"), TexTokOnnxExport.ExportDecoder(model));
            models.Add(new JsonObject
            {
                ["preset"] = preset.ToString(),
                ["resolution"] = resolution,
                ["tokens"] = tokens,
                ["text_tokens"] = config.TextTokens,
                ["text_dim"] = config.TextDim,
                ["gflop_per_image"] = (TexTokFlops.Encoder(config) + TexTokFlops.Decoder(config)) / 1e9,
                ["stem"] = stem,
            });
        }

        File.WriteAllText(Path.Combine(folder, Manifest), models.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        report.Set("exported", models.Count);
        return report;
    }

    /// <summary>Scores the models that <see cref="Export"/> wrote, on <paramref name="provider"/>; touches no TorchSharp.</summary>
    public static BenchmarkReport Score(BenchmarkSettings settings, string folder, OnnxExecutionProvider provider)
    {
        string manifest = Path.Combine(folder, Manifest);
        if (!File.Exists(manifest))
        {
            throw new FileNotFoundException($"'{manifest}' does not exist: write the models first with --set export={folder}.");
        }

        int[] batches = settings.Ints("batches", [1, 8, 32]);
        int repeats = settings.Int("repeats", 5);
        int threads = Environment.ProcessorCount;
        string runtime = provider == OnnxExecutionProvider.Cuda ? "onnx-cuda" : "onnx-cpu";
        var report = new BenchmarkReport("inference", settings.Quick, "dotnet TexTok.ML.Benchmarks.dll inference" + settings.SetArguments + " --out DIR");
        report.Set("threads", threads);
        report.Set("provider", runtime);
        var options = new OnnxScoringOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionProvider = provider, Log = Console.WriteLine };
        foreach (var node in JsonNode.Parse(File.ReadAllText(manifest))!.AsArray())
        {
            string stem = node!["stem"]!.GetValue<string>();
            int resolution = node["resolution"]!.GetValue<int>();
            int textTokens = node["text_tokens"]!.GetValue<int>();
            int textDim = node["text_dim"]!.GetValue<int>();
            double gflopPerImage = node["gflop_per_image"]!.GetValue<double>();
            using var encoder = new OnnxScoringSession(Path.Combine(folder, $"{stem}-encoder.onnx"), options);
            using var decoder = new OnnxScoringSession(Path.Combine(folder, $"{stem}-decoder.onnx"), options);
            ReportAgreementWithCpu(report, runtime, node["preset"]!.GetValue<string>(), folder, stem, encoder, decoder, resolution, textTokens, textDim);

            foreach (int batch in batches)
            {
                var random = new Random(batch);
                var images = Enumerable.Range(0, batch * 3 * resolution * resolution).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
                var text = Enumerable.Range(0, batch * textTokens * textDim).Select(_ => (float)random.NextDouble()).ToArray();
                var mask = Enumerable.Repeat(1f, batch * textTokens).ToArray();
                double seconds = WallClock.BestOf(repeats, () => Reconstruct(encoder, decoder, images, text, mask, batch, resolution, textTokens, textDim));
                double imagesPerSecond = batch / seconds;
                string preset = node["preset"]!.GetValue<string>();
                Console.WriteLine($"  {runtime} {preset} {resolution} px batch {batch}: {imagesPerSecond:F2} images/s ({seconds * 1000:F1} ms per batch, {gflopPerImage * imagesPerSecond:F0} GFLOP/s)");
                report.AddRow(new Dictionary<string, object>
                {
                    ["runtime"] = runtime,
                    ["session_provider"] = encoder.ExecutionProvider.ToString(),
                    ["preset"] = preset,
                    ["resolution"] = resolution,
                    ["batch"] = batch,
                    ["ms_per_batch"] = Math.Round(seconds * 1000, 2),
                    ["images_per_s"] = Math.Round(imagesPerSecond, 3),
                    ["gflops_per_s"] = Math.Round(gflopPerImage * imagesPerSecond, 1),
                });
            }
        }

        string table = report.MarkdownTable([("runtime", "runtime", ""), ("preset", "preset", ""), ("resolution", "px", ""), ("batch", "batch", ""),
            ("ms_per_batch", "ms/batch", "F1"), ("images_per_s", "images/s", "F2"), ("gflops_per_s", "GFLOP/s", "F0")]);
        File.WriteAllText(Path.Combine(settings.OutputDirectory, "table.md"), table + Environment.NewLine);
        Console.WriteLine(table);
        return report;
    }

    // The same two images through the sessions under test and through fresh CPU sessions: the largest differences of the
    // tokens and of the reconstruction, and the reconstruction's PSNR between the two (pixels in [-1, 1]).
    private static void ReportAgreementWithCpu(BenchmarkReport report, string runtime, string preset, string folder, string stem, OnnxScoringSession encoder,
        OnnxScoringSession decoder, int resolution, int textTokens, int textDim)
    {
        const int batch = 2;
        var random = new Random(11);
        var images = Enumerable.Range(0, batch * 3 * resolution * resolution).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var text = Enumerable.Range(0, batch * textTokens * textDim).Select(_ => (float)random.NextDouble()).ToArray();
        var mask = Enumerable.Range(0, batch * textTokens).Select(i => i % textTokens < textTokens - (i / textTokens * 5) ? 1f : 0f).ToArray();

        var cpuOptions = new OnnxScoringOptions { IntraOpNumThreads = Environment.ProcessorCount, InterOpNumThreads = 1 };
        using var cpuEncoder = new OnnxScoringSession(Path.Combine(folder, $"{stem}-encoder.onnx"), cpuOptions);
        using var cpuDecoder = new OnnxScoringSession(Path.Combine(folder, $"{stem}-decoder.onnx"), cpuOptions);
        var gpu = Reconstruct(encoder, decoder, images, text, mask, batch, resolution, textTokens, textDim);
        var cpu = Reconstruct(cpuEncoder, cpuDecoder, images, text, mask, batch, resolution, textTokens, textDim);
        double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
        double tokenScale = cpu.Tokens.Max(v => Math.Abs((double)v));
        double mse = cpu.Images.Zip(gpu.Images, (x, y) => ((double)x - y) * ((double)x - y)).Average();
        double psnr = 10 * Math.Log10(4 / Math.Max(mse, 1e-30));
        Console.WriteLine($"  {runtime} against onnx-cpu, {preset}: tokens max |Δ| {MaxDifference(cpu.Tokens, gpu.Tokens):E2} (largest |token| {tokenScale:F2}), "
                          + $"image max |Δ| {MaxDifference(cpu.Images, gpu.Images):E2}, PSNR between them {psnr:F1} dB");
        report.Set($"{runtime}_vs_cpu_{preset.ToLowerInvariant()}_tokens_max_abs_diff", MaxDifference(cpu.Tokens, gpu.Tokens));
        report.Set($"{runtime}_vs_cpu_{preset.ToLowerInvariant()}_image_max_abs_diff", MaxDifference(cpu.Images, gpu.Images));
        report.Set($"{runtime}_vs_cpu_{preset.ToLowerInvariant()}_image_psnr_db", Math.Round(psnr, 2));
    }

    /// <summary>Tokenizes a batch with <paramref name="encoder"/> and decodes the tokens with <paramref name="decoder"/>.</summary>
    /// <returns>The tokens and the reconstructed images, flat.</returns>
    internal static (float[] Tokens, float[] Images) Reconstruct(OnnxScoringSession encoder, OnnxScoringSession decoder, float[] images, float[] text,
        float[] mask, int batch, int resolution, int textTokens, int textDim)
    {
        long[] textShape = [batch, textTokens, textDim], maskShape = [batch, textTokens];
        var tokens = encoder.Run(
            (TexTokOnnxExport.ImageInput, images, new long[] { batch, 3, resolution, resolution }),
            (TexTokOnnxExport.TextInput, text, textShape),
            (TexTokOnnxExport.TextMaskInput, mask, maskShape))[TexTokOnnxExport.TokensName];
        var reconstruction = decoder.Run(
            (TexTokOnnxExport.TokensName, tokens.Data, tokens.Shape.ToArray()),
            (TexTokOnnxExport.TextInput, text, textShape),
            (TexTokOnnxExport.TextMaskInput, mask, maskShape));
        return (tokens.Data, reconstruction.Values.First().Data);
    }

    private static void FillWithRepeatedBlock(TexTokModel model, float[] block)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            long count = parameter.numel();
            double scale = parameter.std().item<float>();
            if (count < 2 || !(scale > 0))
            {
                continue; // norm gains and biases: constant already, so they compress as they are
            }

            using var scope = NewDisposeScope();
            var values = new float[count];
            for (long i = 0; i < count; i++)
            {
                values[i] = block[i % block.Length] * (float)scale;
            }

            parameter.copy_(torch.tensor(values).reshape(parameter.shape));
        }
    }
}
