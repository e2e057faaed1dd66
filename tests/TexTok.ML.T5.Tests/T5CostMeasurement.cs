using System.Diagnostics;
using TexTok.ML.Text;
using TorchSharp;

namespace TexTok.ML.T5.Tests;

/// <summary>
/// Measures the CPU cost per caption of a T5-small-shaped encoder with random weights (d_model 512, 6 layers, 8 heads,
/// d_ff 1024, vocabulary 32128). Runs only when TEXTOK_T5_MEASURE=1, because it takes tens of seconds:
/// <c>TEXTOK_T5_MEASURE=1 dotnet test tests/TexTok.ML.T5.Tests --filter T5CostMeasurement --logger "console;verbosity=detailed"</c>.
/// </summary>
[TestClass]
public sealed class T5CostMeasurement
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void CpuCostPerCaption()
    {
        if (Environment.GetEnvironmentVariable("TEXTOK_T5_MEASURE") != "1")
        {
            Assert.Inconclusive("Set TEXTOK_T5_MEASURE=1 to measure.");
        }

        var config = new T5Config { DModel = 512, DKv = 64, NumHeads = 8, DFf = 1024, NumLayers = 6, VocabSize = 32128 };
        torch.random.manual_seed(1);
        var model = new T5Encoder(config); // placeholder (random) weights are enough to time the computation
        foreach (var p in model.parameters())
        {
            p.requires_grad = false;
        }

        using var encoder = new T5TextEncoder(SentencePieceModelWriter.TestTokenizer(), model, "t5-small-shaped-random", "random", maxTokens: 128, batchSize: 16);
        long nonEmbedding = config.EncoderParameterCount() - (long)config.VocabSize * config.DModel;
        TestContext.WriteLine($"threads={torch.get_num_threads()} params={config.EncoderParameterCount()} non-embedding={nonEmbedding}");
        foreach (int nt in new[] { 32, 128 })
        {
            // Letters outside the word pieces become one token each, so these captions fill Nt exactly.
            string[] captions = Enumerable.Range(0, 32).Select(i => new string((char)('b' + i % 20), 200)).ToArray();
            using var sized = new T5TextEncoder(SentencePieceModelWriter.TestTokenizer(), CloneShape(config, model), "t5-small-shaped-random", "random", maxTokens: nt, batchSize: 16);
            sized.EncodeBatch(captions[..16]); // warm-up
            var watch = Stopwatch.StartNew();
            const int Rounds = 3;
            for (int r = 0; r < Rounds; r++)
            {
                IReadOnlyList<TextEmbedding> result = sized.EncodeBatch(captions);
                Assert.AreEqual(nt, result[0].TokenCount);
            }

            double msPerCaption = watch.Elapsed.TotalMilliseconds / (Rounds * captions.Length);
            double gflop = 2.0 * nonEmbedding * nt / 1e9;
            TestContext.WriteLine($"Nt={nt}: {msPerCaption:F2} ms per caption (batch 16), ≈{gflop:F2} GFLOP per caption (2·params·Nt), {gflop / msPerCaption * 1e3:F1} GFLOP/s");
        }
    }

    private static T5Encoder CloneShape(T5Config config, T5Encoder source)
    {
        var copy = new T5Encoder(config);
        using var noGrad = torch.no_grad();
        var target = copy.state_dict();
        foreach (var (name, value) in source.state_dict())
        {
            target[name].copy_(value);
        }

        foreach (var p in copy.parameters())
        {
            p.requires_grad = false;
        }

        return copy;
    }
}
