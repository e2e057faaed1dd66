using TexTok.ML.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.T5.Tests;

[TestClass]
public sealed class T5OnnxExportTests
{
    private static string _root = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void Setup(TestContext context) => _root = TinyT5.NewTempDirectory();

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// Batch 1 and 3 at two sequence lengths, the longer one (16) beyond relative_attention_max_distance (12) so the
    /// clamped position table is exercised, and single-token sequences; rows of batch 3 have 0, 4 and 9 padded positions.
    /// </summary>
    [TestMethod]
    [DataRow("gated-gelu", 1, 7)]
    [DataRow("gated-gelu", 3, 7)]
    [DataRow("gated-gelu", 1, 16)]
    [DataRow("gated-gelu", 3, 16)]
    [DataRow("relu", 3, 16)]
    [DataRow("gated-gelu", 2, 1)]
    public void OnnxMatchesTorchSharp(string feedForward, int batch, int length)
    {
        var config = TinyT5.Config with { FeedForwardProj = feedForward };
        using var model = LoadTiny(config, seed: 31);
        using var session = new OnnxScoringSession(T5OnnxExport.Export(model), new OnnxScoringOptions { IntraOpNumThreads = 1 }, "tiny T5");
        Assert.AreEqual(T5OnnxExport.NetworkName, session.Network);
        CollectionAssert.AreEqual(new[] { T5OnnxExport.InputIdsName, T5OnnxExport.AttentionMaskName }, session.InputNames.ToArray());
        CollectionAssert.AreEqual(new[] { T5OnnxExport.LastHiddenStateName }, session.OutputNames.ToArray());
        Assert.AreEqual(OnnxElementType.Int64, session.InputElementTypes[T5OnnxExport.InputIdsName]);
        Assert.AreEqual(OnnxElementType.Int64, session.InputElementTypes[T5OnnxExport.AttentionMaskName]);
        CollectionAssert.AreEqual(new[] { -1, -1, config.DModel }, session.OutputShapes[T5OnnxExport.LastHiddenStateName].ToArray());
        Assert.AreEqual(config, T5Config.FromJson(session.Metadata[OnnxScoringSession.ConfigKey]));

        var (ids, mask) = RandomBatch(batch, length, config.VocabSize, seed: batch * 100 + length);
        float[] torchHidden = RunTorch(model, ids, mask, batch, length);
        float[] onnxHidden = RunOnnx(session, ids, mask, batch, length);
        Assert.AreEqual(batch * length * config.DModel, onnxHidden.Length);
        double maxDiff = torchHidden.Zip(onnxHidden, (a, b) => Math.Abs(a - b)).Max();
        double maxAbs = torchHidden.Max(Math.Abs);
        TestContext.WriteLine($"parity {feedForward} batch={batch} L={length}: max |ONNX − TorchSharp| = {maxDiff:E2} (values up to {maxAbs:F2})");
        Assert.IsTrue(maxDiff <= 1e-4, $"max |Δ| = {maxDiff}");
    }

    [TestMethod]
    public void PaddingNeverChangesValidRowsThroughOnnx()
    {
        using var model = LoadTiny(TinyT5.Config, seed: 32);
        using var session = new OnnxScoringSession(T5OnnxExport.Export(model), new OnnxScoringOptions { IntraOpNumThreads = 1 });
        long[] caption = [4, 5, 6, 9, 1];
        float[] alone = RunOnnx(session, caption, [1, 1, 1, 1, 1], 1, 5);

        // The same caption padded to 11 with junk ids under mask 0, next to a full-length row.
        long[] ids = [.. caption, 30, 31, 32, 33, 34, 35, .. Enumerable.Range(2, 11).Select(i => (long)i)];
        long[] mask = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, .. Enumerable.Repeat(1L, 11)];
        float[] padded = RunOnnx(session, ids, mask, 2, 11);
        int d = TinyT5.Config.DModel;
        for (int i = 0; i < 5 * d; i++)
        {
            Assert.AreEqual(alone[i], padded[i], 1e-5, $"value {i}");
        }
    }

    [TestMethod]
    public void RelativePositionsBeyondTheMaximumDistanceShareTheLastBucket()
    {
        foreach (var config in new[] { TinyT5.Config, T5Config.V11Small, T5Config.V11XL })
        {
            int radius = T5Stack.PositionTableRadius(config);
            for (int d = radius; d <= 8 * radius; d++)
            {
                Assert.AreEqual(config.RelativeAttentionNumBuckets - 1, T5RelativePosition.Bucket(d, config.RelativeAttentionNumBuckets, config.RelativeAttentionMaxDistance));
                Assert.AreEqual(config.RelativeAttentionNumBuckets / 2 - 1, T5RelativePosition.Bucket(-d, config.RelativeAttentionNumBuckets, config.RelativeAttentionMaxDistance));
            }
        }
    }

    [TestMethod]
    public void ExportIsDeterministicAndWritesAtomically()
    {
        using var model = LoadTiny(TinyT5.Config, seed: 33);
        byte[] first = T5OnnxExport.Export(model);
        CollectionAssert.AreEqual(first, T5OnnxExport.Export(model));
        string path = Path.Combine(_root, "tiny-t5.onnx");
        T5OnnxExport.Export(model, path);
        CollectionAssert.AreEqual(first, File.ReadAllBytes(path));
        Assert.AreEqual(0, Directory.GetFiles(_root, "*.tmp*").Length);
    }

    [TestMethod]
    public void EncodersOverTwoGigabytesAreRefusedBeforeBuilding()
    {
        T5OnnxExport.EnsureFitsOneFile(T5Config.V11Small);
        T5OnnxExport.EnsureFitsOneFile(T5Config.V11Small with { DModel = 1024, NumHeads = 16, DFf = 2816, NumLayers = 24 });
        var e = Assert.ThrowsExactly<NotSupportedException>(() => T5OnnxExport.EnsureFitsOneFile(T5Config.V11XL));
        StringAssert.Contains(e.Message, "2 GB");
    }

    internal static T5Encoder LoadTiny(T5Config config, int seed)
    {
        string file = Path.Combine(_root, $"{config.FeedForwardProj}-{seed}.safetensors");
        if (!File.Exists(file))
        {
            TinyT5.SaveSingle(file, TinyT5.Weights(config, seed));
        }

        var model = new T5Encoder(config);
        T5WeightLoader.LoadInto(model, file);
        model.eval();
        return model;
    }

    internal static (long[] Ids, long[] Mask) RandomBatch(int batch, int length, int vocab, int seed)
    {
        var random = new Random(seed);
        var ids = new long[batch * length];
        var mask = new long[batch * length];
        for (int b = 0; b < batch; b++)
        {
            // Row b keeps length − (0, 4, 9)[b] tokens (at least 1); padded positions hold junk ids under mask 0.
            int valid = Math.Max(1, length - new[] { 0, 4, 9 }[b % 3]);
            for (int t = 0; t < length; t++)
            {
                ids[b * length + t] = random.Next(2, vocab);
                mask[b * length + t] = t < valid ? 1 : 0;
            }

            ids[b * length + valid - 1] = T5Tokenizer.EosId;
        }

        return (ids, mask);
    }

    internal static float[] RunTorch(T5Encoder model, long[] ids, long[] mask, int batch, int length)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var output = model.forward(tensor(ids, new long[] { batch, length }), tensor(mask, new long[] { batch, length })).contiguous();
        return output.data<float>().ToArray();
    }

    internal static float[] RunOnnx(OnnxScoringSession session, long[] ids, long[] mask, int batch, int length) =>
        session.Run(new Dictionary<string, OnnxTensor>
        {
            [T5OnnxExport.InputIdsName] = new OnnxInt64Tensor(ids, batch, length),
            [T5OnnxExport.AttentionMaskName] = new OnnxInt64Tensor(mask, batch, length),
        })[T5OnnxExport.LastHiddenStateName].Data;
}
