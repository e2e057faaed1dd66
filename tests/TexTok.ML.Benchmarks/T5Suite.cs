using System.Diagnostics;
using TexTok.ML.Onnx;
using TexTok.ML.T5;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// CPU cost per caption of the T5 v1.1 encoder at Nt = 32 through TorchSharp eager mode and through ONNX Runtime (the
/// library's own export), on random-weight encoders of T5 v1.1 shapes built in memory (nothing is downloaded), plus
/// the FLOP count per caption of T5-XL and T5-XXL and their time extrapolated from the best rate ONNX Runtime reached
/// on the largest exported shape (small matrices that stay in cache run faster than XL's would).
/// </summary>
internal static class T5Suite
{
    private const int Nt = 32;

    private static readonly (string Name, T5Config Config)[] Shapes =
    [
        ("small", T5Config.V11Small),
        ("base", new T5Config { DModel = 768, DKv = 64, DFf = 2048, NumLayers = 12, NumHeads = 12 }),
        ("large", new T5Config { DModel = 1024, DKv = 64, DFf = 2816, NumLayers = 24, NumHeads = 16 }),
        ("xl", T5Config.V11XL),
        ("xxl", T5Config.V11XXL),
    ];

    public static BenchmarkReport Run(BenchmarkSettings settings)
    {
        bool quick = settings.Quick;
        int threads = Environment.ProcessorCount;
        torch.set_num_threads(threads);
        var report = new BenchmarkReport("t5", quick, "dotnet run -c Release --project tests/TexTok.ML.Benchmarks -- t5" + (quick ? " --quick" : "") + " --out DIR");
        report.Set("threads", threads);
        report.Set("nt", Nt);

        Console.WriteLine("Measuring the matrix-multiply peak...");
        double peak = MatmulPeak.Measure(quick ? 1024 : 2048, repeats: 5);
        report.Set("matmul_peak_gflops_per_s", Math.Round(peak, 2));
        Console.WriteLine($"  {peak:F1} GFLOP/s");

        // (model, runtimes, batches): T5-XL's float32 weights (4.9 GB) exceed one ONNX file, so it runs in TorchSharp only.
        var plan = quick
            ? new[] { ("small", true, new[] { 1, 8 }) }
            : new[] { ("small", true, new[] { 1, 16 }), ("base", true, new[] { 1, 16 }), ("large", true, new[] { 1, 16 }), ("xl", false, new[] { 1, 8 }) };
        double bestRate = 0;
        string rateModel = "";
        foreach (var (name, withOnnx, batches) in plan)
        {
            var config = Shapes.Single(s => s.Name == name).Config;
            double gflop = FlopsPerCaption(config, Nt) / 1e9;
            Console.WriteLine($"T5 v1.1 {name} (d_model {config.DModel}, {config.NumLayers} layers, d_ff {config.DFf}, {config.NumHeads} heads): {gflop:F2} GFLOP per caption at Nt = {Nt}");
            manual_seed(1);
            using var model = new T5Encoder(config);
            model.eval();
            foreach (var p in model.parameters())
            {
                p.requires_grad = false;
            }

            double modelOnnxRate = 0;
            OnnxScoringSession? session = null;
            if (withOnnx)
            {
                var clock = Stopwatch.StartNew();
                byte[] bytes = T5OnnxExport.Export(model);
                Console.WriteLine($"  ONNX export: {bytes.Length / 1e6:F0} MB in {clock.Elapsed.TotalSeconds:F1} s");
                session = new OnnxScoringSession(bytes, new OnnxScoringOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 }, $"t5-{name}");
            }

            try
            {
                foreach (int batch in batches)
                {
                    var random = new Random(batch);
                    long[] ids = Enumerable.Range(0, batch * Nt).Select(i => (i % Nt == Nt - 1) ? T5Tokenizer.EosId : (long)random.Next(2, config.VocabSize)).ToArray();
                    long[] mask = Enumerable.Repeat(1L, batch * Nt).ToArray();
                    int repeats = quick ? 3 : name == "xl" ? 1 : batch == 1 ? 5 : 2;
                    var runs = new List<(string Runtime, double Seconds)>
                    {
                        ("torchsharp", WallClock.BestOf(repeats, () => RunTorch(model, ids, mask, batch))),
                    };
                    if (session is not null)
                    {
                        runs.Add(("onnx", WallClock.BestOf(repeats, () => RunOnnx(session, ids, mask, batch))));
                    }

                    foreach (var (runtime, seconds) in runs)
                    {
                        double msPerCaption = seconds * 1e3 / batch;
                        double rate = gflop * batch / seconds;
                        if (runtime == "onnx")
                        {
                            modelOnnxRate = Math.Max(modelOnnxRate, rate);
                        }
                        Console.WriteLine($"  {runtime,-10} batch {batch,2}: {msPerCaption,9:F1} ms per caption, {rate:F1} GFLOP/s ({100 * rate / peak:F0}% of peak)");
                        report.AddRow(new Dictionary<string, object>
                        {
                            ["model"] = name,
                            ["runtime"] = runtime,
                            ["nt"] = Nt,
                            ["batch"] = batch,
                            ["ms_per_caption"] = Math.Round(msPerCaption, 2),
                            ["gflop_per_caption"] = Math.Round(gflop, 3),
                            ["gflops_per_s"] = Math.Round(rate, 2),
                            ["peak_ratio"] = Math.Round(rate / peak, 3),
                            ["params_non_embedding"] = NonEmbeddingParameters(config),
                        });
                    }
                }
            }
            finally
            {
                session?.Dispose();
            }

            if (modelOnnxRate > 0)
            {
                (bestRate, rateModel) = (modelOnnxRate, name);
            }
        }

        var estimates = new List<Dictionary<string, object>>();
        foreach (var (name, config) in Shapes.Where(s => s.Name is "xl" or "xxl"))
        {
            double gflop = FlopsPerCaption(config, Nt) / 1e9;
            estimates.Add(new Dictionary<string, object>
            {
                ["model"] = name,
                ["nt"] = Nt,
                ["params_non_embedding"] = NonEmbeddingParameters(config),
                ["gflop_per_caption"] = Math.Round(gflop, 2),
                ["seconds_per_caption_at_extrapolation_rate"] = Math.Round(gflop / bestRate, 3),
            });
            Console.WriteLine($"T5 v1.1 {name}: {gflop:F1} GFLOP per caption at Nt = {Nt}; ≈ {gflop / bestRate:F2} s per caption at {bestRate:F1} GFLOP/s (ONNX Runtime's best on {rateModel})");
        }

        report.Set("extrapolation_gflops_per_s", Math.Round(bestRate, 2));
        report.Set("extrapolation_model", rateModel);
        report.Set("estimates", estimates);
        string table = report.MarkdownTable([("model", "model", ""), ("runtime", "runtime", ""), ("batch", "batch", ""), ("ms_per_caption", "ms per caption", "F1"),
            ("gflop_per_caption", "GFLOP per caption", "F2"), ("gflops_per_s", "GFLOP/s", "F1"), ("peak_ratio", "of peak", "P0")]);
        File.WriteAllText(Path.Combine(settings.OutputDirectory, "table.md"), table + Environment.NewLine);
        Console.WriteLine(table);
        return report;
    }

    /// <summary>
    /// Multiply–adds ×2 of one caption of <paramref name="length"/> tokens: the q/k/v/o and feed-forward projections
    /// (2 · length · weights) plus attention's scores and weighted sum (2 · 2 · length² · inner per layer); the
    /// embedding lookup, norms, softmax and activations are left out.
    /// </summary>
    internal static double FlopsPerCaption(T5Config config, int length)
    {
        double projections = 2.0 * length * NonEmbeddingParameters(config);
        double attention = 4.0 * length * length * config.InnerDim * config.NumLayers;
        return projections + attention;
    }

    private static long NonEmbeddingParameters(T5Config config)
    {
        long d = config.DModel, inner = config.InnerDim, ff = config.DFf;
        return config.NumLayers * (4 * d * inner + (config.IsGated ? 3 : 2) * d * ff);
    }

    private static void RunTorch(T5Encoder model, long[] ids, long[] mask, int batch)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var output = model.forward(tensor(ids, new long[] { batch, Nt }), tensor(mask, new long[] { batch, Nt }));
        _ = output.data<float>()[0];
    }

    private static void RunOnnx(OnnxScoringSession session, long[] ids, long[] mask, int batch) =>
        session.Run(new Dictionary<string, OnnxTensor>
        {
            [T5OnnxExport.InputIdsName] = new OnnxInt64Tensor(ids, batch, Nt),
            [T5OnnxExport.AttentionMaskName] = new OnnxInt64Tensor(mask, batch, Nt),
        });

}
