using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace TexTok.ML.Data.Tests;

[TestClass]
public sealed class CaptionedShapesViewTests
{
    [TestMethod]
    public void ViewHasSchemaAndReadsBackRenderedBytes()
    {
        var options = new CaptionedShapesOptions { ImageSize = 48, Seed = 3 };
        IDataView view = CaptionedShapes.Load(new MLContext(seed: 1), DataSplit.Test, 6, options);

        DataViewSchema schema = view.Schema;
        Assert.AreEqual(4, schema.Count);
        var imageType = schema["Image"].Type as ImageDataViewType;
        Assert.IsNotNull(imageType);
        Assert.AreEqual(48, imageType.Height);
        Assert.AreEqual(48, imageType.Width);
        Assert.AreEqual(TextDataViewType.Instance, schema["Caption"].Type);
        Assert.AreEqual(NumberDataViewType.Int32, schema["Label"].Type);
        Assert.AreEqual(TextDataViewType.Instance, schema["ClassName"].Type);

        for (int pass = 0; pass < 2; pass++)
        {
            var rows = TestImages.ReadLabeledRows(view);
            Assert.HasCount(6, rows);
            for (int i = 0; i < rows.Count; i++)
            {
                ImageSample expected = CaptionedShapes.Render(options, DataSplit.Test, i);
                CollectionAssert.AreEqual(expected.Image.Pixels, rows[i].Image.Pixels);
                Assert.AreEqual(expected.Caption, rows[i].Caption);
                Assert.AreEqual(expected.Label, rows[i].Label);
                Assert.AreEqual(CaptionedShapes.ClassNames[expected.Label], rows[i].ClassName);
            }
        }
    }
}
