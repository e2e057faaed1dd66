using System.Text.RegularExpressions;
using TexTok.ML.Text;

namespace TexTok.ML.T5.Tests;

[TestClass]
public sealed class T5TextEncoderTests
{
    private static string _root = null!;

    [ClassInitialize]
    public static void Setup(TestContext context) => _root = TinyT5.NewTempDirectory();

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_root, recursive: true);

    [TestMethod]
    public void EncodesCaptionsIntoMaskedEmbeddings()
    {
        string dir = TinyT5.WriteModelDirectory(_root, "tiny-t5", seed: 21);
        using var encoder = T5TextEncoder.FromDirectory(dir, maxTokens: 6, batchSize: 2);
        Assert.AreEqual(6, encoder.MaxTokens);
        Assert.AreEqual(16, encoder.EmbeddingDim);
        StringAssert.Matches(encoder.Identity, new Regex("^t5/tiny-t5/Nt=6/Dt=16/w=[0-9a-f]{16}$"));

        var truncations = new List<CaptionTruncatedEventArgs>();
        encoder.CaptionTruncated += (_, e) => truncations.Add(e);
        string[] captions = ["a red circle", "a blue square on the left side", "a red circle", "blue"];
        var batch = encoder.EncodeBatch(captions);
        Assert.AreEqual(4, batch.Count);
        Assert.AreEqual(4, batch[0].TokenCount); // ▁a ▁red ▁circle </s>
        Assert.AreEqual(2, batch[3].TokenCount);
        Assert.IsTrue(batch[1].Truncated);
        Assert.AreEqual(6, batch[1].TokenCount);
        Assert.AreEqual(1, truncations.Count);
        Assert.AreEqual(captions[1], truncations[0].Caption);
        CollectionAssert.AreEqual(new float[] { 1, 1, 1, 1, 0, 0 }, batch[0].Mask);
        Assert.IsTrue(batch[0].Values.Take(4 * 16).Any(v => v != 0));
        Assert.IsTrue(batch[0].Values.Skip(4 * 16).All(v => v == 0));

        // One caption alone, or in a batch padded to a longer caption, gives the same embedding.
        var single = encoder.Encode("a red circle");
        for (int i = 0; i < single.Values.Length; i++)
        {
            Assert.AreEqual(single.Values[i], batch[0].Values[i], 1e-5);
            Assert.AreEqual(batch[0].Values[i], batch[2].Values[i], 1e-5);
        }

        Assert.ThrowsExactly<ArgumentException>(() => encoder.Encode("  "));

        // Concurrent callers get the same embeddings as sequential ones.
        var parallel = new TextEmbedding[captions.Length];
        Parallel.For(0, captions.Length, i => parallel[i] = encoder.Encode(captions[i]));
        for (int c = 0; c < captions.Length; c++)
        {
            for (int i = 0; i < parallel[c].Values.Length; i++)
            {
                Assert.AreEqual(batch[c].Values[i], parallel[c].Values[i], 1e-5);
            }
        }
    }

    [TestMethod]
    public void IdentityChangesWithTheWeightsAndNt()
    {
        string a = TinyT5.WriteModelDirectory(Path.Combine(_root, "a"), "same-name", seed: 22);
        string b = TinyT5.WriteModelDirectory(Path.Combine(_root, "b"), "same-name", seed: 22);
        Assert.AreEqual(T5TextEncoder.Fingerprint(a), T5TextEncoder.Fingerprint(b));
        File.WriteAllText(Path.Combine(b, T5WeightLoader.ConfigFileName), (TinyT5.Config with { LayerNormEpsilon = 1e-5 }).ToJson());
        Assert.AreNotEqual(T5TextEncoder.Fingerprint(a), T5TextEncoder.Fingerprint(b));

        using var e8 = T5TextEncoder.FromDirectory(a, maxTokens: 8);
        using var e9 = T5TextEncoder.FromDirectory(a, maxTokens: 9);
        Assert.AreNotEqual(e8.Identity, e9.Identity);
        Assert.ThrowsExactly<InvalidOperationException>(() => TextEncoders.EnsureCompatible(e8, e9.Identity));
        TextEncoders.EnsureCompatible(e8, e8.Identity);
    }
}
