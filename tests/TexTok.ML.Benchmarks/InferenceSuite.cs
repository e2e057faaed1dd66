using System.Diagnostics;
using TexTok.ML.Onnx;
using TexTok.ML.Torch.Tokenizer;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// Reconstruction throughput (tokenize + detokenize) of one TexTok model through ONNX Runtime and through TorchSharp
/// eager mode on the same weights, with each runtime's achieved GFLOP/s against an in-process matmul peak.
/// </summary>
internal static class InferenceSuite
{
    public static BenchmarkReport Run(BenchmarkSettings settings)
    {
        if (settings.Parameters.TryGetValue("models", out string? models))
        {
            var provider = settings.Names("provider", ["cpu", "cuda"], ["cpu"])[0] == "cuda" ? OnnxExecutionProvider.Cuda : OnnxExecutionProvider.Cpu;
            return InferenceOnnxOnly.Score(settings, models, provider);
        }

        if (settings.Parameters.TryGetValue("export", out string? export))
        {
            return InferenceOnnxOnly.Export(settings, export, tokens: 32);
        }

        bool quick = settings.Quick;
        var (preset, resolution, tokens) = quick ? (TexTokPreset.Mini, 64, 32) : (TexTokPreset.B, 256, 32);
        int[] batches = [1, 8];
        int threads = Environment.ProcessorCount;
        torch.set_num_threads(threads);
        var report = new BenchmarkReport("inference", quick, "dotnet run -c Release --project tests/TexTok.ML.Benchmarks -- inference" + (quick ? " --quick" : "") + " --out DIR");
        report.Set("threads", threads);
        report.Set("tokens", tokens);

        Console.WriteLine("Measuring the matrix-multiply peak...");
        double peak = MatmulPeak.Measure(quick ? 1024 : 2048, repeats: 5);
        report.Set("matmul_peak_gflops_per_s", Math.Round(peak, 2));
        Console.WriteLine($"  {peak:F1} GFLOP/s");

        var config = TexTokConfig.FromPreset(preset, resolution, tokens, 32, 64, useText: true);
        double flopsPerImage = TexTokFlops.Encoder(config) + TexTokFlops.Decoder(config);
        report.Set("gflop_per_image", Math.Round(flopsPerImage / 1e9, 3));
        manual_seed(1);
        using var model = new TexTokModel(config);
        model.eval();
        Console.WriteLine($"TexTok-{preset} at {resolution} px: exporting to ONNX...");
        var onnxOptions = new OnnxScoringOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        using var encoder = new OnnxScoringSession(TexTokOnnxExport.ExportEncoder(model), onnxOptions, "encoder");
        using var decoder = new OnnxScoringSession(TexTokOnnxExport.ExportDecoder(model), onnxOptions, "decoder");

        foreach (int batch in batches)
        {
            var random = new Random(batch);
            var images = Enumerable.Range(0, batch * 3 * resolution * resolution).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            var text = Enumerable.Range(0, batch * config.TextTokens * config.TextDim).Select(_ => (float)random.NextDouble()).ToArray();
            var mask = Enumerable.Repeat(1f, batch * config.TextTokens).ToArray();
            int repeats = quick ? 3 : (batch == 1 ? 3 : 1);

            double onnxSeconds = WallClock.BestOf(repeats, () =>
                InferenceOnnxOnly.Reconstruct(encoder, decoder, images, text, mask, batch, resolution, config.TextTokens, config.TextDim));
            double torchSeconds = WallClock.BestOf(repeats, () => TexTokInference.Reconstruct(model, images, text, mask, batch, batchSize: batch));
            foreach (var (runtime, seconds) in new[] { ("onnx", onnxSeconds), ("torchsharp", torchSeconds) })
            {
                double imagesPerSecond = batch / seconds;
                double gflops = flopsPerImage * batch / seconds / 1e9;
                Console.WriteLine($"  {runtime,-10} batch {batch}: {imagesPerSecond:F3} images/s, {gflops:F1} GFLOP/s ({100 * gflops / peak:F0}% of peak)");
                report.AddRow(new Dictionary<string, object>
                {
                    ["runtime"] = runtime,
                    ["preset"] = preset.ToString(),
                    ["resolution"] = resolution,
                    ["batch"] = batch,
                    ["images_per_s"] = Math.Round(imagesPerSecond, 4),
                    ["gflops_per_s"] = Math.Round(gflops, 2),
                    ["peak_ratio"] = Math.Round(gflops / peak, 3),
                });
            }
        }

        string table = report.MarkdownTable([("runtime", "runtime", ""), ("preset", "preset", ""), ("resolution", "px", ""), ("batch", "batch", ""),
            ("images_per_s", "images/s", "F3"), ("gflops_per_s", "GFLOP/s", "F1"), ("peak_ratio", "of peak", "P0")]);
        File.WriteAllText(Path.Combine(settings.OutputDirectory, "table.md"), table + Environment.NewLine);
        Console.WriteLine(table);
        return report;
    }

}
