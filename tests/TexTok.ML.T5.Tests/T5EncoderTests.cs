using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.T5.Tests;

[TestClass]
public sealed class T5EncoderTests
{
    private static readonly long[][] Sequences =
    [
        [4, 5, 6, 9, 10, 11, 12, 7, 8, 1],
        [13, 4, 17, 30, 1, 0, 0, 0, 0, 0],
    ];

    private static readonly int[][] Masks =
    [
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
    ];

    private static string _root = null!;

    [ClassInitialize]
    public static void Setup(TestContext context) => _root = TinyT5.NewTempDirectory();

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_root, recursive: true);

    [TestMethod]
    public void ForwardMatchesScalarReference()
    {
        var weights = TinyT5.Weights(TinyT5.Config, seed: 11);
        string dir = TinyT5.WriteModelDirectory(_root, "golden", seed: 11);
        using var model = T5WeightLoader.Load(dir);
        CollectionAssert.AreEquivalent(weights.Keys.ToList(), model.state_dict().Keys.ToList());
        AssertMatchesReference(model, weights, 1e-4);
    }

    [TestMethod]
    public void OriginalT5ReluFeedForwardMatchesScalarReference()
    {
        var config = TinyT5.Config with { FeedForwardProj = "relu" };
        var weights = TinyT5.Weights(config, seed: 15);
        string file = Path.Combine(_root, "relu.safetensors");
        TinyT5.SaveSingle(file, weights);
        using var model = new T5Encoder(config);
        T5WeightLoader.LoadInto(model, file);
        AssertMatchesReference(model, weights, 1e-4, config);
    }

    [TestMethod]
    public void ShardedAndHalfPrecisionCheckpointsLoad()
    {
        var weights = TinyT5.Weights(TinyT5.Config, seed: 12);

        // Two shards plus an index; decoder tensors and the tied encoder.embed_tokens copy are ignored.
        string sharded = Path.Combine(_root, "sharded");
        Directory.CreateDirectory(sharded);
        var withDecoder = new Dictionary<string, (float[] Values, long[] Shape)>(weights, StringComparer.Ordinal)
        {
            ["decoder.block.0.layer.0.SelfAttention.q.weight"] = (new float[6], [2, 3]),
            ["encoder.embed_tokens.weight"] = weights["shared.weight"],
            ["lm_head.weight"] = (new float[4], [4]),
        };
        TinyT5.SaveSharded(sharded, withDecoder);
        Assert.AreEqual(2, T5WeightLoader.ResolveWeightFiles(sharded).Count);
        using (var model = new T5Encoder(TinyT5.Config))
        {
            T5WeightLoader.LoadInto(model, sharded);
            AssertMatchesReference(model, weights, 1e-4);
        }

        // Float16, with only encoder.embed_tokens.weight for the embedding.
        string half = Path.Combine(_root, "half.safetensors");
        var renamed = new Dictionary<string, (float[] Values, long[] Shape)>(weights, StringComparer.Ordinal);
        renamed.Remove("shared.weight");
        renamed["encoder.embed_tokens.weight"] = weights["shared.weight"];
        TinyT5.SaveHalf(half, renamed);
        using (var model = new T5Encoder(TinyT5.Config))
        {
            T5WeightLoader.LoadInto(model, half);
            AssertMatchesReference(model, TinyT5.RoundedToHalf(weights), 1e-4);
        }

        // Bfloat16.
        string bf16 = Path.Combine(_root, "bf16.safetensors");
        TinyT5.SaveHalf(bf16, weights, bfloat16: true);
        using (var model = new T5Encoder(TinyT5.Config))
        {
            T5WeightLoader.LoadInto(model, bf16);
            AssertMatchesReference(model, TinyT5.TruncatedToBFloat16(weights), 1e-4);
        }
    }

    [TestMethod]
    public void PaddingDoesNotChangeValidOutputs()
    {
        var weights = TinyT5.Weights(TinyT5.Config, seed: 13);
        string file = Path.Combine(_root, "pad.safetensors");
        TinyT5.SaveSingle(file, weights);
        using var model = new T5Encoder(TinyT5.Config);
        T5WeightLoader.LoadInto(model, file);
        using var noGrad = no_grad();
        using var ids = tensor(new long[] { 4, 5, 6, 1 }, new long[] { 1, 4 });
        using var mask = ones(1, 4, ScalarType.Int64);
        using var padded = tensor(new long[] { 4, 5, 6, 1, 0, 0, 0, 0, 0, 0 }, new long[] { 1, 10 });
        using var paddedMask = tensor(new long[] { 1, 1, 1, 1, 0, 0, 0, 0, 0, 0 }, new long[] { 1, 10 });
        using var a = model.forward(ids, mask);
        using var b = model.forward(padded, paddedMask);
        CollectionAssert.AreEqual(new long[] { 1, 4, 16 }, a.shape);
        CollectionAssert.AreEqual(new long[] { 1, 10, 16 }, b.shape);
        float[] x = a.data<float>().ToArray();
        float[] y = b.data<float>().ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            Assert.AreEqual(x[i], y[i], 1e-5, $"value {i}");
        }
    }

    [TestMethod]
    public void MissingMisShapedAndForeignTensorsAreNamed()
    {
        var weights = TinyT5.Weights(TinyT5.Config, seed: 14);
        string file = Path.Combine(_root, "broken.safetensors");
        const string Victim = "encoder.block.1.layer.1.DenseReluDense.wi_1.weight";

        var missing = new Dictionary<string, (float[] Values, long[] Shape)>(weights, StringComparer.Ordinal);
        missing.Remove(Victim);
        TinyT5.SaveSingle(file, missing);
        using var model = new T5Encoder(TinyT5.Config);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => T5WeightLoader.LoadInto(model, file));
        StringAssert.Contains(error.Message, Victim);
        StringAssert.Contains(error.Message, file);

        var misShaped = new Dictionary<string, (float[] Values, long[] Shape)>(weights, StringComparer.Ordinal)
        {
            [Victim] = (new float[20 * 15], [20, 15]),
        };
        TinyT5.SaveSingle(file, misShaped);
        error = Assert.ThrowsExactly<InvalidDataException>(() => T5WeightLoader.LoadInto(model, file));
        StringAssert.Contains(error.Message, Victim);
        StringAssert.Contains(error.Message, "[20, 15]");
        StringAssert.Contains(error.Message, "[20, 16]");
        StringAssert.Contains(error.Message, file);

        var extraLayer = new Dictionary<string, (float[] Values, long[] Shape)>(weights, StringComparer.Ordinal)
        {
            ["encoder.block.2.layer.0.layer_norm.weight"] = (new float[16], [16]),
        };
        TinyT5.SaveSingle(file, extraLayer);
        error = Assert.ThrowsExactly<InvalidDataException>(() => T5WeightLoader.LoadInto(model, file));
        StringAssert.Contains(error.Message, "encoder.block.2.layer.0.layer_norm.weight");

        Assert.ThrowsExactly<FileNotFoundException>(() => T5WeightLoader.LoadInto(model, Path.Combine(_root, "nothing-here")));
    }

    private static void AssertMatchesReference(T5Encoder model, Dictionary<string, (float[] Values, long[] Shape)> weights, double tolerance, T5Config? config = null)
    {
        config ??= TinyT5.Config;
        using var noGrad = no_grad();
        int l = Sequences[0].Length;
        using var ids = tensor(Sequences.SelectMany(s => s).ToArray(), new long[] { 2, l });
        using var mask = tensor(Masks.SelectMany(s => s).Select(m => (long)m).ToArray(), new long[] { 2, l });
        using var output = model.forward(ids, mask);
        CollectionAssert.AreEqual(new long[] { 2, l, TinyT5.Config.DModel }, output.shape);
        float[] actual = output.data<float>().ToArray();
        double maxError = 0;
        for (int b = 0; b < 2; b++)
        {
            var expected = ReferenceT5.Forward(config, weights, Sequences[b], Masks[b]);
            for (int t = 0; t < l; t++)
            {
                for (int j = 0; j < TinyT5.Config.DModel; j++)
                {
                    maxError = Math.Max(maxError, Math.Abs(expected[t, j] - actual[(b * l + t) * TinyT5.Config.DModel + j]));
                }
            }
        }

        Assert.IsLessThan(tolerance, maxError, $"max |TorchSharp − reference| = {maxError}");
    }
}
