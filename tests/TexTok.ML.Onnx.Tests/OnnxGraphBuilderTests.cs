using TexTok.ML.Onnx;

namespace TexTok.ML.Onnx.Tests;

[TestClass]
public sealed class OnnxGraphBuilderTests
{
    private static OnnxGraphBuilder Tagged()
    {
        var g = new OnnxGraphBuilder("test");
        g.SetMetadata(OnnxScoringSession.FormatKey, OnnxScoringSession.Format);
        return g;
    }

    [TestMethod]
    public void MatMulAddGraphRunsWithKnownOutput()
    {
        var g = Tagged();
        var x = g.AddInput("x", OnnxGraphBuilder.Batch, 2);
        var w = g.AddInitializer("w", [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var b = g.AddInitializer("b", [0.5f, -1f, 2f], 3);
        var y = g.AddNode("MatMul", "mm", [x, w]);
        y = g.AddNode("Add", "add", [y, b]);
        g.AddOutput(y, "y", OnnxGraphBuilder.Batch, 3);

        using var session = new OnnxScoringSession(g.ToBytes());
        var result = session.Run(("x", new[] { 1f, 0f, 1f, 1f }, new long[] { 2, 2 }))["y"];
        CollectionAssert.AreEqual(new long[] { 2, 3 }, result.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 1.5f, 1f, 5f, 5.5f, 6f, 11f }, result.Data);
    }

    [TestMethod]
    public void SharedValuesAreAddedOnceAndInt64InputsTakeLabels()
    {
        var g = Tagged();
        var labels = g.AddInt64Input("labels", OnnxGraphBuilder.Batch);
        int created = 0;
        string Table() => g.Shared(("table", 1), () =>
        {
            created++;
            return g.AddInitializer("table", [10f, 20f, 30f], 3);
        });
        var first = g.AddNode("Gather", "first", [Table(), labels], OnnxAttribute.Int("axis", 0));
        var second = g.AddNode("Gather", "second", [Table(), labels], OnnxAttribute.Int("axis", 0));
        Assert.AreEqual(1, created);
        g.AddOutput(g.AddNode("Add", "sum", [first, second]), "y", OnnxGraphBuilder.Batch);

        using var session = new OnnxScoringSession(g.ToBytes());
        CollectionAssert.AreEqual(new[] { "labels" }, session.Int64InputNames.ToArray());
        var y = session.Run(new Dictionary<string, OnnxFloatTensor>(), new Dictionary<string, OnnxInt64Tensor> { ["labels"] = new([2, 0], 2) })["y"];
        CollectionAssert.AreEqual(new[] { 60f, 20f }, y.Data);
        var asFloat = new Dictionary<string, OnnxFloatTensor> { ["labels"] = new([2f, 0f], 2) };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => session.Run(asFloat)).Message, "holds Int64 values");
    }

    [TestMethod]
    public void AttributesAndInt64InitializersReachTheRuntime()
    {
        var g = Tagged();
        var x = g.AddInput("x", OnnxGraphBuilder.Batch, 2, 3);
        var t = g.AddNode("Transpose", "t", [x], OnnxAttribute.Ints("perm", 0, 2, 1));
        var r = g.AddNode("Reshape", "r", [t, g.AddInt64Vector("shape", 0, -1)]);
        var s = g.AddNode("Softmax", "s", [r], OnnxAttribute.Int("axis", -1));
        var ones = g.AddNode("ConstantOfShape", "ones", [g.AddInt64Vector("ones_shape", 1, 6)], OnnxAttribute.FloatTensor("value", 2f));
        var y = g.AddNode("Mul", "y", [s, ones]);
        g.AddOutput(y, "y", OnnxGraphBuilder.Batch, 6);

        using var session = new OnnxScoringSession(g.ToBytes());
        var output = session.Run(("x", new float[] { 0, 1, 2, 3, 4, 5 }, new long[] { 1, 2, 3 }))["y"];
        CollectionAssert.AreEqual(new long[] { 1, 6 }, output.Shape.ToArray());
        double[] logits = [0, 3, 1, 4, 2, 5];
        double sum = logits.Sum(Math.Exp);
        for (int i = 0; i < 6; i++)
        {
            Assert.AreEqual(2 * Math.Exp(logits[i]) / sum, output.Data[i], 1e-6);
        }
    }

    [TestMethod]
    public void Int64InputsAndDynamicSequenceDimensionsReachTheRuntime()
    {
        var g = Tagged();
        var ids = g.AddInput("ids", OnnxElementType.Int64, OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence);
        var table = g.AddInitializer("table", [0f, 1f, 10f, 11f, 20f, 21f], 3, 2);
        var rows = g.AddNode("Gather", "rows", [table, ids], OnnxAttribute.Int("axis", 0));
        g.AddOutput(rows, "rows_out", OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence, 2);
        g.AddOutput(ids, "ids_out", OnnxElementType.Int64, OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => g.AddInput("bad", OnnxElementType.Float16, 2));

        using var session = new OnnxScoringSession(g.ToBytes());
        Assert.AreEqual(OnnxElementType.Int64, session.InputElementTypes["ids"]);
        CollectionAssert.AreEqual(new[] { -1, -1 }, session.InputShapes["ids"].ToArray());
        CollectionAssert.AreEqual(new[] { -1, -1, 2 }, session.OutputShapes["rows_out"].ToArray());
        Assert.AreEqual(OnnxElementType.Int64, session.OutputElementTypes["ids_out"]);
        foreach (int length in new[] { 1, 3 })
        {
            var input = new Dictionary<string, OnnxTensor> { ["ids"] = new OnnxInt64Tensor(Enumerable.Range(0, 2 * length).Select(i => (long)(i % 3)).ToArray(), 2, length) };
            var outputs = session.Run(input);
            Assert.IsFalse(outputs.ContainsKey("ids_out"), "only float outputs are fetched");
            CollectionAssert.AreEqual(new long[] { 2, length, 2 }, outputs["rows_out"].Shape.ToArray());
            Assert.AreEqual(10f * ((2 * length - 1) % 3) + 1f, outputs["rows_out"].Data[^1]);
        }

        var wrongType = new Dictionary<string, OnnxTensor> { ["ids"] = new OnnxFloatTensor(new float[2], 1, 2) };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => session.Run(wrongType)).Message, "Int64");
    }

    [TestMethod]
    public void NamesAreMadeUniqueAndUndefinedInputsAreRejected()
    {
        var g = Tagged();
        var x = g.AddInput("x", 2);
        var a = g.AddInitializer("c", [1f, 2f], 2);
        var b = g.AddInitializer("c", [3f, 4f], 2);
        Assert.AreNotEqual(a, b);
        var y1 = g.AddNode("Add", "sum", [x, a]);
        var y2 = g.AddNode("Add", "sum", [y1, b]);
        Assert.AreNotEqual(y1, y2);
        Assert.ThrowsExactly<InvalidOperationException>(() => g.AddNode("Relu", "relu", ["missing"]));
        Assert.ThrowsExactly<ArgumentException>(() => g.AddInput("x", 2));
        Assert.ThrowsExactly<ArgumentException>(() => g.AddInitializer("bad", [1f, 2f, 3f], 2, 2));
        g.AddOutput(y2, "y", 2);
        using var session = new OnnxScoringSession(g.ToBytes());
        CollectionAssert.AreEqual(new[] { 5f, 7f }, session.Run(("x", new[] { 1f, 1f }, new long[] { 2 }))["y"].Data);
    }

    [TestMethod]
    public void SaveWritesAtomicallyAndMetadataRoundTrips()
    {
        var dir = Directory.CreateTempSubdirectory("textok-onnx-");
        try
        {
            var g = Tagged();
            g.SetMetadata("custom.key", "värde ✓");
            var x = g.AddInput("x", OnnxGraphBuilder.Batch, 1);
            g.AddOutput(g.AddNode("Neg", "neg", [x]), "y", OnnxGraphBuilder.Batch, 1);
            string path = Path.Combine(dir.FullName, "sub", "model.onnx");
            g.Save(path);
            g.Save(path);
            Assert.AreEqual(1, Directory.GetFiles(Path.GetDirectoryName(path)!).Length, "no temporary files are left behind");
            using var session = new OnnxScoringSession(path, new OnnxScoringOptions { IntraOpNumThreads = 1 });
            Assert.AreEqual("värde ✓", session.Metadata["custom.key"]);
            Assert.AreEqual(path, session.Source);
            CollectionAssert.AreEqual(new[] { -3f }, session.Run(("x", new[] { 3f }, new long[] { 1, 1 }))["y"].Data);
            CollectionAssert.AreEqual(new[] { -1, 1 }, session.InputShapes["x"].ToArray());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
