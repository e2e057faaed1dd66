using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using CsCheck;
using TexTok.ML.Testing;

namespace TexTok.ML.Data.Tests;

/// <summary>
/// Mutated captions files, Fashion-MNIST IDX files and images: each reader succeeds or throws its documented
/// exception naming the file, and never allocates far beyond what the file holds (docs/reliability.md).
/// </summary>
[TestClass]
public sealed class ReaderFuzzTests
{
    private const string Tsv = "path\tcaption\tlabel\nred.png\ta red square on white\tshape\n\nblue.png\ta blue disc\t7\n";

    private const string Jsonl =
        "{\"path\": \"red.png\", \"caption\": \"a red square on white\", \"label\": \"shape\"}\n" +
        "{\"path\": \"blue.png\", \"caption\": \"a blue disc\", \"label\": 7}\n";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void CaptionsFilesKeepTheirContractUnderByteMutations()
    {
        foreach ((string extension, string content) in new[] { (".tsv", Tsv), (".jsonl", Jsonl) })
        {
            using var folder = new FolderWithImages();
            string captions = Path.Combine(folder.Path, "captions" + extension);
            byte[] valid = Encoding.UTF8.GetBytes(content);
            var tally = ReaderFuzz.Run(ReaderFuzz.Mutations, ReaderFuzz.Iterations(500), seed: 11, mutation =>
            {
                File.WriteAllBytes(captions, mutation.Apply(valid));
                return ReaderFuzz.WithinAllocation(
                    () => ReaderFuzz.Contract(() => CaptionedImageFolder.Open(captions), captions, typeof(InvalidDataException), typeof(FileNotFoundException)),
                    bound: 4 << 20, captions);
            }, m => $"{extension}: {m}");
            TestContext.WriteLine($"captions{extension}: {tally}");
            Assert.IsGreaterThan(0, tally.Refused, "no mutation was refused: the mutations do not reach the parser");
        }
    }

    [TestMethod]
    public void CaptionsJsonLinesKeepTheirContractUnderFieldMutations()
    {
        using var folder = new FolderWithImages();
        string captions = Path.Combine(folder.Path, "captions.jsonl");
        var gen = Gen.Select(Gen.OneOf<string>("path", "caption", "label"), ReaderFuzz.JsonValues, Gen.Int[0, 1]);
        var tally = ReaderFuzz.Run(gen, ReaderFuzz.Iterations(150), seed: 12, input =>
        {
            (string field, string value, int line) = input;
            string[] lines = Jsonl.Split('\n');
            lines[line] = System.Text.RegularExpressions.Regex.Replace(lines[line], $"\"{field}\": (\"[^\"]*\"|\\d+)", $"\"{field}\": {value}");
            File.WriteAllText(captions, string.Join('\n', lines));
            return ReaderFuzz.Contract(() => CaptionedImageFolder.Open(captions), captions, typeof(InvalidDataException), typeof(FileNotFoundException));
        }, input => input.ToString());
        TestContext.WriteLine($"captions.jsonl fields: {tally}");
        Assert.IsGreaterThan(0, tally.Accepted);
        Assert.IsGreaterThan(0, tally.Refused);
    }

    [TestMethod]
    public void FashionMnistIdxFilesKeepTheirContractUnderMutations()
    {
        string folder = TestImages.TempFolder();
        try
        {
            (string imagesPath, string labelsPath) = FashionMnist.FilePaths(DataSplit.Test, folder);
            byte[] images = Idx(0x0803, [3, 28, 28], Enumerable.Range(0, 3 * 784).Select(i => (byte)i).ToArray());
            byte[] labels = Idx(0x0801, [3], [1, 2, 3]);

            // Half the inputs mutate the gzip bytes, half the decompressed IDX bytes (header sizes and magic among them).
            var gen = Gen.Select(ReaderFuzz.Mutations, Gen.Bool, Gen.Bool);
            var tally = ReaderFuzz.Run(gen, ReaderFuzz.Iterations(300), seed: 13, input =>
            {
                (ReaderFuzz.Mutation mutation, bool mutateImages, bool mutateCompressed) = input;
                byte[] target = mutateImages ? images : labels;
                byte[] mutated = mutateCompressed ? mutation.Apply(Gzip(target)) : Gzip(mutation.Apply(target));
                File.WriteAllBytes(imagesPath, mutateImages ? mutated : Gzip(images));
                File.WriteAllBytes(labelsPath, mutateImages ? Gzip(labels) : mutated);
                string named = mutateImages ? imagesPath : labelsPath;
                return ReaderFuzz.WithinAllocation(
                    () => ReaderFuzz.Contract(() => FashionMnist.Read(DataSplit.Test, folder), named, typeof(InvalidDataException)),
                    bound: 4 << 20, named);
            }, input => $"{(input.Item2 ? "images" : "labels")}, {(input.Item3 ? "gzip" : "idx")} bytes: {input.Item1}");
            TestContext.WriteLine($"idx.gz: {tally}");
            Assert.IsGreaterThan(0, tally.Accepted);
            Assert.IsGreaterThan(0, tally.Refused);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ImagesKeepTheirContractUnderMutations()
    {
        using var folder = new FolderWithImages();
        string captions = Path.Combine(folder.Path, "captions.tsv");
        File.WriteAllText(captions, "image.bin\tan image\n");
        string image = Path.Combine(folder.Path, "image.bin");
        byte[] png = File.ReadAllBytes(Path.Combine(folder.Path, "red.png"));
        byte[] bmp = Bmp(12, 10);
        var gen = Gen.Select(ReaderFuzz.Mutations, Gen.Bool);
        var tally = ReaderFuzz.Run(gen, ReaderFuzz.Iterations(300), seed: 14, input =>
        {
            (ReaderFuzz.Mutation mutation, bool isPng) = input;
            File.WriteAllBytes(image, mutation.Apply(isPng ? png : bmp));
            return ReaderFuzz.WithinAllocation(
                () => ReaderFuzz.Contract(() =>
                {
                    RgbImage decoded = CaptionedImageFolder.Open(captions).ReadImage(0);
                    Assert.AreEqual(3L * decoded.Width * decoded.Height, decoded.Pixels.LongLength);
                }, image, typeof(InvalidDataException)),
                bound: 64 << 20, image);
        }, input => $"{(input.Item2 ? "png" : "bmp")}: {input.Item1}");
        TestContext.WriteLine($"images: {tally}");
        Assert.IsGreaterThan(0, tally.Accepted);
        Assert.IsGreaterThan(0, tally.Refused);
    }

    [TestMethod]
    public void CaptionsFileWithANulCharacterInAPathIsRefusedNamingTheLine()
    {
        using var folder = new FolderWithImages();
        string captions = Path.Combine(folder.Path, "captions.tsv");
        File.WriteAllText(captions, "red.png\ta red square\nbl\0ue.png\ta blue disc\n");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => CaptionedImageFolder.Open(captions));
        StringAssert.Contains(error.Message, $"{captions}, line 2");
        StringAssert.Contains(error.Message, "not a valid path");
    }

    [TestMethod]
    public void IdxFileStopsReadingPastTheSizeItsHeaderAnnounces()
    {
        string folder = TestImages.TempFolder();
        try
        {
            (string imagesPath, string labelsPath) = FashionMnist.FilePaths(DataSplit.Test, folder);
            File.WriteAllBytes(labelsPath, Gzip(Idx(0x0801, [1], [3])));

            // One image announced, 256 MiB of zeros following: a 256 KiB file that inflates a thousandfold.
            using (var file = File.Create(imagesPath))
            using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
            {
                gzip.Write(Idx(0x0803, [1, 28, 28], new byte[784]));
                var zeros = new byte[1 << 20];
                for (int i = 0; i < 256; i++)
                {
                    gzip.Write(zeros);
                }
            }

            Assert.IsLessThan(1L << 20, new FileInfo(imagesPath).Length);
            var error = ReaderFuzz.WithinAllocation(
                () => Assert.ThrowsExactly<InvalidDataException>(() => FashionMnist.Read(DataSplit.Test, folder)),
                bound: 4 << 20, imagesPath);
            StringAssert.Contains(error.Message, imagesPath);
            StringAssert.Contains(error.Message, "more than 784 follow");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void IdxHeaderWhoseSizesOverflowALongIsRefused()
    {
        string folder = TestImages.TempFolder();
        try
        {
            (string imagesPath, string labelsPath) = FashionMnist.FilePaths(DataSplit.Test, folder);
            File.WriteAllBytes(labelsPath, Gzip(Idx(0x0801, [1], [3])));

            // 2^31-1 cubed wraps a 64-bit product; the header must still be refused as announcing too many values.
            File.WriteAllBytes(imagesPath, Gzip(Idx(0x0803, [int.MaxValue, int.MaxValue, int.MaxValue], new byte[16])));
            var error = Assert.ThrowsExactly<InvalidDataException>(() => FashionMnist.Read(DataSplit.Test, folder));
            StringAssert.Contains(error.Message, imagesPath);
            StringAssert.Contains(error.Message, "more than the");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ImagesClaimingHugeDimensionsAreRefusedBeforeDecoding()
    {
        using var folder = new FolderWithImages();
        string captions = Path.Combine(folder.Path, "captions.tsv");
        File.WriteAllText(captions, "huge.png\ta huge image\nhuge.bmp\tanother\n");
        string png = Path.Combine(folder.Path, "huge.png");
        PngWriter.WriteWithData(png, 60000, 60000, Zlib(new byte[100]));
        string bmp = Path.Combine(folder.Path, "huge.bmp");
        byte[] header = Bmp(2, 2);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(18), 60000);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(22), 60000);
        File.WriteAllBytes(bmp, header);

        var images = CaptionedImageFolder.Open(captions);
        foreach ((int index, string path) in new[] { (0, png), (1, bmp) })
        {
            var error = ReaderFuzz.WithinAllocation(
                () => Assert.ThrowsExactly<InvalidDataException>(() => images.ReadImage(index)), bound: 16 << 20, path);
            StringAssert.Contains(error.Message, path);
            StringAssert.Contains(error.Message, "60000x60000");
        }
    }

    internal static byte[] Idx(int magic, int[] sizes, byte[] values)
    {
        var bytes = new byte[4 + (4 * sizes.Length) + values.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < sizes.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), sizes[i]);
        }

        values.CopyTo(bytes, 4 + (4 * sizes.Length));
        return bytes;
    }

    internal static byte[] Zlib(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return buffer.ToArray();
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    /// <summary>An uncompressed 24-bit bottom-up BMP of a colour gradient.</summary>
    internal static byte[] Bmp(int width, int height)
    {
        int stride = ((width * 3) + 3) / 4 * 4;
        var bytes = new byte[54 + (stride * height)];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), stride * height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int at = 54 + (y * stride) + (x * 3);
                bytes[at] = (byte)(x * 20);
                bytes[at + 1] = (byte)(y * 20);
                bytes[at + 2] = 128;
            }
        }

        return bytes;
    }

    /// <summary>A temporary folder holding red.png and blue.png, removed on dispose.</summary>
    private sealed class FolderWithImages : IDisposable
    {
        public FolderWithImages()
        {
            Path = TestImages.TempFolder();
            ImagePixels.SavePng(TestImages.Random(8, 6, seed: 1), System.IO.Path.Combine(Path, "red.png"));
            ImagePixels.SavePng(TestImages.Random(5, 5, seed: 2), System.IO.Path.Combine(Path, "blue.png"));
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
