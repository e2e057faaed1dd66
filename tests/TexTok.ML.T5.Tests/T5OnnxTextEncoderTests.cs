using System.Text.RegularExpressions;
using TexTok.ML.Onnx;
using TexTok.ML.Text;

namespace TexTok.ML.T5.Tests;

[TestClass]
public sealed class T5OnnxTextEncoderTests
{
    private static readonly string[] Captions = ["a red circle", "a blue square on the left side", "blue", "a red circle on the left"];

    private static string _root = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void Setup(TestContext context) => _root = TinyT5.NewTempDirectory();

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_root, recursive: true);

    [TestMethod]
    public void ExportedEncoderGivesTheSameEmbeddingsAsTorchSharp()
    {
        string dir = TinyT5.WriteModelDirectory(_root, "tiny-t5", seed: 41);
        using var torchEncoder = T5TextEncoder.FromDirectory(dir, maxTokens: 6, batchSize: 3);
        string onnxDir = Path.Combine(_root, "tiny-t5-onnx");
        Directory.CreateDirectory(onnxDir);
        string onnxPath = Path.Combine(onnxDir, "encoder.onnx");
        torchEncoder.ExportOnnx(onnxPath);
        CollectionAssert.AreEqual(File.ReadAllBytes(onnxPath), torchEncoder.ExportOnnx());
        string spiece = Path.Combine(dir, T5TextEncoder.SentencePieceFileName);
        using var onnxEncoder = T5OnnxTextEncoder.FromFiles(onnxPath, spiece, maxTokens: 6, batchSize: 2, new OnnxScoringOptions { IntraOpNumThreads = 1 });

        Assert.AreEqual(6, onnxEncoder.MaxTokens);
        Assert.AreEqual(16, onnxEncoder.EmbeddingDim);
        StringAssert.Matches(onnxEncoder.Identity, new Regex("^t5-onnx/tiny-t5-onnx/Nt=6/Dt=16/w=[0-9a-f]{16}$"));
        Assert.AreEqual(T5OnnxTextEncoder.Fingerprint(onnxPath, spiece), onnxEncoder.Identity[^16..]);
        Assert.AreNotEqual(torchEncoder.Identity, onnxEncoder.Identity);

        var truncations = new List<CaptionTruncatedEventArgs>();
        onnxEncoder.CaptionTruncated += (_, e) => truncations.Add(e);
        var expected = torchEncoder.EncodeBatch(Captions);
        var actual = onnxEncoder.EncodeBatch(Captions);
        Assert.AreEqual(2, truncations.Count);
        double maxDiff = 0;
        for (int c = 0; c < Captions.Length; c++)
        {
            Assert.AreEqual(expected[c].TokenCount, actual[c].TokenCount);
            Assert.AreEqual(expected[c].OriginalTokenCount, actual[c].OriginalTokenCount);
            Assert.AreEqual(expected[c].Truncated, actual[c].Truncated);
            CollectionAssert.AreEqual(expected[c].Mask, actual[c].Mask);
            Assert.IsTrue(actual[c].Values.Skip(actual[c].TokenCount * 16).All(v => v == 0), "padding rows are zero");
            maxDiff = Math.Max(maxDiff, expected[c].Values.Zip(actual[c].Values, (a, b) => Math.Abs(a - b)).Max());
        }

        TestContext.WriteLine($"T5OnnxTextEncoder vs T5TextEncoder: max |Δ| = {maxDiff:E2}");
        Assert.IsTrue(maxDiff <= 1e-4, $"max |Δ| = {maxDiff}");

        // Alone or padded next to a longer caption, a caption gets the same embedding.
        var single = onnxEncoder.Encode(Captions[2]);
        for (int i = 0; i < single.Values.Length; i++)
        {
            Assert.AreEqual(actual[2].Values[i], single.Values[i], 1e-5);
        }
    }

    [TestMethod]
    public void ForeignModelWithFloatMaskAndFixedLengthIsPadded()
    {
        // A stand-in for an export made elsewhere: no TexTok metadata, float mask, sequence fixed at 8, d_model left
        // dynamic; last_hidden_state = table[input_ids] · mask, so every row is known.
        var g = new OnnxGraphBuilder("foreign");
        var ids = g.AddInput(T5OnnxExport.InputIdsName, OnnxElementType.Int64, OnnxGraphBuilder.Batch, 8);
        var mask = g.AddInput(T5OnnxExport.AttentionMaskName, OnnxElementType.Float, OnnxGraphBuilder.Batch, 8);
        const int Vocab = 48, D = 3;
        var table = g.AddInitializer("table", Enumerable.Range(0, Vocab * D).Select(i => (float)i).ToArray(), Vocab, D);
        var rows = g.AddNode("Gather", "rows", [table, ids], OnnxAttribute.Int("axis", 0));
        var masked = g.AddNode("Mul", "masked", [rows, g.AddNode("Unsqueeze", "mask3", [mask, g.AddInt64Vector("axes", 2)])]);
        g.AddOutput(masked, T5OnnxExport.LastHiddenStateName, OnnxGraphBuilder.Batch, 8, OnnxGraphBuilder.Sequence);
        string path = Path.Combine(_root, "foreign.onnx");
        g.Save(path);

        var tokenizer = SentencePieceModelWriter.TestTokenizer();
        using var encoder = new T5OnnxTextEncoder(tokenizer, path, "foreign", "f00d", maxTokens: 5, batchSize: 4);
        Assert.AreEqual(D, encoder.EmbeddingDim);
        Assert.AreEqual("t5-onnx/foreign/Nt=5/Dt=3/w=f00d", encoder.Identity);
        var embeddings = encoder.EncodeBatch(["a red circle", "blue"]);
        var expectedIds = tokenizer.Tokenize("a red circle", 5).Ids;
        Assert.AreEqual(4, expectedIds.Count);
        for (int t = 0; t < 5; t++)
        {
            for (int j = 0; j < D; j++)
            {
                float want = t < expectedIds.Count ? expectedIds[t] * D + j : 0f;
                Assert.AreEqual(want, embeddings[0].Values[t * D + j]);
            }
        }

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new T5OnnxTextEncoder(tokenizer, path, "foreign", "f00d", maxTokens: 9));
    }

    [TestMethod]
    public void WrongOnnxFilesAreRejectedNamingTheFileAndTheProblem()
    {
        var tokenizer = SentencePieceModelWriter.TestTokenizer();
        string Write(string name, Action<OnnxGraphBuilder> build)
        {
            var g = new OnnxGraphBuilder(name);
            build(g);
            string path = Path.Combine(_root, name + ".onnx");
            g.Save(path);
            return path;
        }

        void Identity(OnnxGraphBuilder g, string input, string output, OnnxElementType type = OnnxElementType.Int64)
        {
            var x = g.AddInput(input, type, OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence);
            g.AddOutput(g.AddNode("Cast", input + ".float", [x], OnnxAttribute.Int("to", 1)), output, OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence);
        }

        string noMask = Write("no-mask", g => Identity(g, T5OnnxExport.InputIdsName, T5OnnxExport.LastHiddenStateName));
        string noOutput = Write("no-output", g =>
        {
            Identity(g, T5OnnxExport.InputIdsName, "logits");
            g.AddInput(T5OnnxExport.AttentionMaskName, OnnxElementType.Int64, OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence);
        });
        string decoder = Write("decoder", g =>
        {
            Identity(g, T5OnnxExport.InputIdsName, T5OnnxExport.LastHiddenStateName);
            g.AddInput(T5OnnxExport.AttentionMaskName, OnnxElementType.Int64, OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence);
            g.AddInput("encoder_hidden_states", OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence, 16);
        });
        string floatIds = Write("float-ids", g =>
        {
            Identity(g, T5OnnxExport.InputIdsName, T5OnnxExport.LastHiddenStateName, OnnxElementType.Float);
            g.AddInput(T5OnnxExport.AttentionMaskName, OnnxElementType.Int64, OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence);
        });
        string notOnnx = Path.Combine(_root, "not-onnx.onnx");
        File.WriteAllText(notOnnx, "definitely not a protobuf model");

        foreach (var (path, expected) in new[]
        {
            (noMask, "no input 'attention_mask'"),
            (noOutput, "no output 'last_hidden_state'"),
            (decoder, "encoder_hidden_states"),
            (floatIds, "must be int64"),
            (notOnnx, "not a valid ONNX model"),
        })
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new T5OnnxTextEncoder(tokenizer, path, "x", "y"), path);
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, expected);
        }

        Assert.ThrowsExactly<FileNotFoundException>(() => T5OnnxTextEncoder.FromFiles(Path.Combine(_root, "missing.onnx"), "spiece.model"));
    }
}
