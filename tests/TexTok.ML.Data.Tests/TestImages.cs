using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML.Data;

namespace TexTok.ML.Data.Tests;

/// <summary>Helpers shared by the test classes.</summary>
internal static class TestImages
{
    public static string Hash(RgbImage image) => Convert.ToHexString(SHA256.HashData(image.Pixels));

    public static RgbImage Random(int width, int height, int seed)
    {
        var image = new RgbImage(width, height);
        new Random(seed).NextBytes(image.Pixels);
        return image;
    }

    /// <summary>A fresh folder under the system temp folder, removed by the caller.</summary>
    public static string TempFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "textok-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Reads every row of a view with Image, Caption, Label and ClassName columns.</summary>
    public static List<(RgbImage Image, string Caption, int Label, string ClassName)> ReadLabeledRows(IDataView view)
    {
        DataViewSchema schema = view.Schema;
        using DataViewRowCursor cursor = view.GetRowCursor(schema);
        var image = cursor.GetGetter<MLImage>(schema["Image"]);
        var caption = cursor.GetGetter<ReadOnlyMemory<char>>(schema["Caption"]);
        var label = cursor.GetGetter<int>(schema["Label"]);
        var className = cursor.GetGetter<ReadOnlyMemory<char>>(schema["ClassName"]);
        var rows = new List<(RgbImage, string, int, string)>();
        while (cursor.MoveNext())
        {
            rows.Add((ReadImage(image), ReadText(caption), ReadInt(label), ReadText(className)));
        }

        return rows;
    }

    public static RgbImage ReadImage(ValueGetter<MLImage> getter)
    {
        MLImage image = default!;
        getter(ref image);
        using (image)
        {
            return ImagePixels.FromMLImage(image);
        }
    }

    public static string ReadText(ValueGetter<ReadOnlyMemory<char>> getter)
    {
        ReadOnlyMemory<char> text = default;
        getter(ref text);
        return text.ToString();
    }

    public static int ReadInt(ValueGetter<int> getter)
    {
        int value = 0;
        getter(ref value);
        return value;
    }
}
