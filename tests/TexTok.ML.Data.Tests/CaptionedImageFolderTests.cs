using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace TexTok.ML.Data.Tests;

[TestClass]
public sealed class CaptionedImageFolderTests
{
    private string _folder = null!;

    [TestInitialize]
    public void CreateFolder() => _folder = TestImages.TempFolder();

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [TestMethod]
    public void JsonLinesFileLoadsImagesCaptionsAndLabels()
    {
        RgbImage cat = WriteImage("cat.png", 3, 2, seed: 1);
        RgbImage dog = WriteImage(Path.Combine("pets", "dog.png"), 4, 5, seed: 2);
        RgbImage other = WriteImage("other.png", 2, 2, seed: 3);
        string captions = WriteLines(
            "captions.jsonl",
            """{"path": "cat.png", "caption": "a grey cat", "label": "cat"}""",
            "",
            """{"path": "pets/dog.png", "caption": "  a happy dog ", "label": "dog", "extra": 1}""",
            $$"""{"path": {{System.Text.Json.JsonSerializer.Serialize(Path.Combine(_folder, "other.png"))}}, "caption": "something else"}""");

        CaptionedImageFolder folder = CaptionedImageFolder.Open(captions);
        CollectionAssert.AreEqual(new[] { "cat", "dog" }, folder.LabelNames.ToArray());
        CollectionAssert.AreEqual(new[] { 1, 3, 4 }, folder.Entries.Select(e => e.LineNumber).ToArray());

        IDataView view = CaptionedImageFolder.Load(new MLContext(), captions);
        var imageType = (ImageDataViewType)view.Schema["Image"].Type;
        Assert.AreEqual(0, imageType.Height, "folder images have no fixed size");
        var rows = ReadFolderRows(view);
        Assert.HasCount(3, rows);
        CollectionAssert.AreEqual(cat.Pixels, rows[0].Image.Pixels);
        CollectionAssert.AreEqual(dog.Pixels, rows[1].Image.Pixels);
        CollectionAssert.AreEqual(other.Pixels, rows[2].Image.Pixels);
        Assert.AreEqual(Path.Combine(_folder, "pets", "dog.png"), rows[1].Path);
        CollectionAssert.AreEqual(new[] { "a grey cat", "a happy dog", "something else" }, rows.Select(r => r.Caption).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, -1 }, rows.Select(r => r.Label).ToArray());
        CollectionAssert.AreEqual(new[] { "cat", "dog", "" }, rows.Select(r => r.LabelName).ToArray());
    }

    [TestMethod]
    public void TabSeparatedFileWithHeaderAndImageRoot()
    {
        string images = Path.Combine(_folder, "images");
        RgbImage first = WriteImage(Path.Combine("images", "a.png"), 2, 3, seed: 4);
        RgbImage second = WriteImage(Path.Combine("images", "b.png"), 2, 3, seed: 5);
        string captions = WriteLines("list.tsv", "path\tcaption\tlabel", "b.png\ta red square\tzebra", "a.png\ta blue circle\tApple");

        CaptionedImageFolder folder = CaptionedImageFolder.Open(captions, images);
        Assert.AreEqual(Path.GetFullPath(images), folder.ImageRoot);
        CollectionAssert.AreEqual(new[] { "Apple", "zebra" }, folder.LabelNames.ToArray(), "labels sort ordinally");
        var rows = ReadFolderRows(folder.ToDataView(new MLContext()));
        CollectionAssert.AreEqual(second.Pixels, rows[0].Image.Pixels);
        CollectionAssert.AreEqual(first.Pixels, rows[1].Image.Pixels);
        CollectionAssert.AreEqual(new[] { 1, 0 }, rows.Select(r => r.Label).ToArray());
        Assert.AreEqual(3, folder.Entries[1].LineNumber);
        CollectionAssert.AreEqual(first.Pixels, folder.ReadImage(1).Pixels);
    }

    [TestMethod]
    public void IntegerLabelsSortNumerically()
    {
        WriteImage("x.png", 1, 1, seed: 6);
        string captions = WriteLines(
            "numbers.jsonl",
            """{"path": "x.png", "caption": "ten", "label": 10}""",
            """{"path": "x.png", "caption": "two", "label": "2"}""",
            """{"path": "x.png", "caption": "nine", "label": 9}""");
        CaptionedImageFolder folder = CaptionedImageFolder.Open(captions);
        CollectionAssert.AreEqual(new[] { "2", "9", "10" }, folder.LabelNames.ToArray());
        CollectionAssert.AreEqual(new[] { 2, 0, 1 }, folder.Entries.Select(e => e.Label).ToArray());
    }

    [TestMethod]
    public void MalformedJsonNamesFileAndLine()
    {
        WriteImage("x.png", 1, 1, seed: 7);
        string captions = WriteLines("bad.jsonl", """{"path": "x.png", "caption": "fine"}""", """{"path": "x.png", "caption": """);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => CaptionedImageFolder.Open(captions));
        StringAssert.Contains(error.Message, "bad.jsonl");
        StringAssert.Contains(error.Message, "line 2");
    }

    [TestMethod]
    public void MissingOrEmptyCaptionNamesFileAndLine()
    {
        WriteImage("x.png", 1, 1, seed: 8);
        string json = WriteLines("nocaption.jsonl", """{"path": "x.png", "caption": "ok"}""", "", """{"path": "x.png"}""");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => CaptionedImageFolder.Open(json));
        StringAssert.Contains(error.Message, "nocaption.jsonl, line 3");
        StringAssert.Contains(error.Message, "'caption'");

        string empty = WriteLines("empty.jsonl", """{"path": "x.png", "caption": "   "}""");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => CaptionedImageFolder.Open(empty)).Message, "empty.jsonl, line 1");

        string numeric = WriteLines("numeric.jsonl", """{"path": "x.png", "caption": 5}""");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => CaptionedImageFolder.Open(numeric)).Message, "numeric.jsonl, line 1");

        string tsv = WriteLines("list.txt", "x.png\tok", "x.png\t\tlabel");
        var tsvError = Assert.ThrowsExactly<InvalidDataException>(() => CaptionedImageFolder.Open(tsv));
        StringAssert.Contains(tsvError.Message, "list.txt, line 2");
        StringAssert.Contains(tsvError.Message, "caption is empty");

        string fields = WriteLines("fields.tsv", "x.png");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => CaptionedImageFolder.Open(fields)).Message, "fields.tsv, line 1");
    }

    [TestMethod]
    public void MissingImageNamesFileAndLine()
    {
        WriteImage("x.png", 1, 1, seed: 9);
        string captions = WriteLines("list.tsv", "x.png\tthere", "x.png\tstill there", "gone.png\tnot there");
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => CaptionedImageFolder.Open(captions));
        StringAssert.Contains(error.Message, "list.tsv, line 3");
        StringAssert.Contains(error.Message, "gone.png");
        Assert.AreEqual(Path.Combine(_folder, "gone.png"), error.FileName);
    }

    [TestMethod]
    public void UndecodableImageFailsWhenRead()
    {
        WriteImage("good.png", 2, 2, seed: 10);
        var noise = new byte[300];
        new Random(11).NextBytes(noise);
        File.WriteAllBytes(Path.Combine(_folder, "broken.png"), noise);
        string captions = WriteLines("captions.jsonl", """{"path": "good.png", "caption": "fine"}""", """{"path": "broken.png", "caption": "noise"}""");

        IDataView view = CaptionedImageFolder.Load(new MLContext(), captions);
        using DataViewRowCursor cursor = view.GetRowCursor(view.Schema);
        var image = cursor.GetGetter<MLImage>(view.Schema["Image"]);
        Assert.IsTrue(cursor.MoveNext());
        Assert.AreEqual(2, TestImages.ReadImage(image).Width);
        Assert.IsTrue(cursor.MoveNext());
        var error = Assert.ThrowsExactly<InvalidDataException>(() => TestImages.ReadImage(image));
        StringAssert.Contains(error.Message, Path.Combine(_folder, "broken.png"));
        StringAssert.Contains(error.Message, "captions.jsonl, line 2");
    }

    [TestMethod]
    public void UnsupportedOrMissingCaptionsFileIsRejected()
    {
        string csv = WriteLines("captions.csv", "x.png,caption");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => CaptionedImageFolder.Open(csv)).Message, "captions.csv");
        string missing = Path.Combine(_folder, "none.jsonl");
        Assert.AreEqual(missing, Assert.ThrowsExactly<FileNotFoundException>(() => CaptionedImageFolder.Open(missing)).FileName);
        string blank = WriteLines("blank.jsonl", "", "  ");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => CaptionedImageFolder.Open(blank)).Message, "lists no images");
    }

    private static List<(RgbImage Image, string Path, string Caption, int Label, string LabelName)> ReadFolderRows(IDataView view)
    {
        DataViewSchema schema = view.Schema;
        using DataViewRowCursor cursor = view.GetRowCursor(schema);
        var image = cursor.GetGetter<MLImage>(schema["Image"]);
        var path = cursor.GetGetter<ReadOnlyMemory<char>>(schema["ImagePath"]);
        var caption = cursor.GetGetter<ReadOnlyMemory<char>>(schema["Caption"]);
        var label = cursor.GetGetter<int>(schema["Label"]);
        var labelName = cursor.GetGetter<ReadOnlyMemory<char>>(schema["LabelName"]);
        var rows = new List<(RgbImage, string, string, int, string)>();
        while (cursor.MoveNext())
        {
            rows.Add((TestImages.ReadImage(image), TestImages.ReadText(path), TestImages.ReadText(caption), TestImages.ReadInt(label), TestImages.ReadText(labelName)));
        }

        return rows;
    }

    private RgbImage WriteImage(string relativePath, int width, int height, int seed)
    {
        RgbImage image = TestImages.Random(width, height, seed);
        ImagePixels.SavePng(image, Path.Combine(_folder, relativePath));
        return image;
    }

    private string WriteLines(string name, params string[] lines)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}
