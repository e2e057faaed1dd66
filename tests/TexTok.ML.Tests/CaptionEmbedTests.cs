using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML.Text;

namespace TexTok.ML.Tests;

[TestClass]
public sealed class CaptionEmbedTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly string[] Captions =
    [
        "a small red circle at the top left",
        "two blue squares on a yellow background, with the word CAT in green",
        "a large purple star in the centre",
    ];

    private sealed class Row
    {
        public string Caption { get; set; } = string.Empty;
    }

    private sealed class Embedded
    {
        public float[] TextEmbedding { get; set; } = [];

        public float[] TextMask { get; set; } = [];
    }

    [TestMethod]
    public void EmbeddingsEqualTheEncoderAndSurviveSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Captions.Select(c => new Row { Caption = c }));
        var model = ml.Transforms.CaptionEmbed().Fit(data);
        var rows = ml.Data.CreateEnumerable<Embedded>(model.Transform(data), reuseRowObject: false).ToList();
        var encoder = new FrozenBpeTextEncoder();
        for (int i = 0; i < Captions.Length; i++)
        {
            var expected = encoder.Encode(Captions[i]);
            CollectionAssert.AreEqual(expected.Values, rows[i].TextEmbedding, $"row {i} embedding");
            CollectionAssert.AreEqual(expected.Mask, rows[i].TextMask, $"row {i} mask");
        }

        string path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-caption.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = CaptionEmbedTransformer.FromLoaded(new MLContext().Model.Load(path, out var schema));
        Assert.AreEqual("Caption", schema[0].Name);
        var reloaded = ml.Data.CreateEnumerable<Embedded>(loaded.Transform(data), reuseRowObject: false).ToList();
        for (int i = 0; i < Captions.Length; i++)
        {
            CollectionAssert.AreEqual(rows[i].TextEmbedding, reloaded[i].TextEmbedding);
            CollectionAssert.AreEqual(rows[i].TextMask, reloaded[i].TextMask);
        }

        var engine = ml.Model.CreatePredictionEngine<Row, Embedded>(loaded);
        CollectionAssert.AreEqual(rows[1].TextEmbedding, engine.Predict(new Row { Caption = Captions[1] }).TextEmbedding);
    }

    [TestMethod]
    public void OutputSchemaIsKnownBeforeFitAndNamesTheTypes()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Captions.Select(c => new Row { Caption = c }));
        var estimator = ml.Transforms.CaptionEmbed("Emb", "Caption", "Mask");
        var shape = estimator.GetOutputSchema(ShapeOf(data.Schema));
        var embedding = shape.Single(c => c.Name == "Emb");
        Assert.AreEqual(NumberDataViewType.Single, embedding.ItemType);
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, embedding.Kind);
        Assert.IsFalse(shape.Any(c => c.Name.StartsWith("__textok", StringComparison.Ordinal)), "temporary columns leaked");
        var output = estimator.Fit(data).GetOutputSchema(data.Schema);
        Assert.AreEqual(CaptionEmbedMapping.DefaultTokens * CaptionEmbedMapping.DefaultDim, ((VectorDataViewType)output["Emb"].Type).Size);
        Assert.AreEqual(CaptionEmbedMapping.DefaultTokens, ((VectorDataViewType)output["Mask"].Type).Size);
    }

    // SchemaShape.Create is internal to ML.NET; EstimatorChain reaches it the same way.
    private static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!
            .Invoke(null, [schema])!;

    [TestMethod]
    public void SchemaErrorsNameTheColumnAndTypes()
    {
        var ml = new MLContext(seed: 1);
        var numbers = ml.Data.LoadFromEnumerable(new[] { new { Caption = 1f } });
        var wrongType = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.CaptionEmbed().Fit(numbers));
        StringAssert.Contains(wrongType.Message, "'Caption'");
        StringAssert.Contains(wrongType.Message, "expected Text, got Single");
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.CaptionEmbed(inputColumnName: "Text").Fit(numbers));
        StringAssert.Contains(missing.Message, "'Text' not found");
    }

    [TestMethod]
    public void BlankCaptionsFailWithAClearMessage()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Caption = "a red circle" }, new Row { Caption = "   " } });
        var model = ml.Transforms.CaptionEmbed().Fit(data);
        var error = Assert.Throws<Exception>(() => ml.Data.CreateEnumerable<Embedded>(model.Transform(data), reuseRowObject: false).ToList());
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        Assert.IsTrue(messages.Any(m => m.Contains("empty or missing caption", StringComparison.Ordinal)), string.Join(" | ", messages));
    }
}
