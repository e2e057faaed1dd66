using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Transforms.Image;

namespace TexTok.ML.Data.Tests;

[TestClass]
public sealed class FashionMnistTests
{
    [TestMethod]
    public void InstalledSplitsHaveTheReleasedCountsAndBalancedLabels()
    {
        RequireInstalledFiles();
        foreach ((DataSplit split, int count) in new[] { (DataSplit.Train, 60000), (DataSplit.Test, 10000) })
        {
            FashionMnistSplit data = FashionMnist.Read(split);
            Assert.AreEqual(count, data.Count);
            var perClass = new int[10];
            for (int i = 0; i < data.Count; i++)
            {
                int label = data.GetLabel(i);
                Assert.IsInRange(0, 9, label);
                perClass[label]++;
            }

            // The released data has exactly one tenth of each split in every class.
            CollectionAssert.AreEqual(Enumerable.Repeat(count / 10, 10).ToArray(), perClass, split.ToString());
        }
    }

    [TestMethod]
    public void ViewExposesGrayImagesAsRgbWithCaptions()
    {
        RequireInstalledFiles();
        IDataView view = FashionMnist.Load(new MLContext(seed: 1), DataSplit.Test, count: 5);
        var imageType = (ImageDataViewType)view.Schema["Image"].Type;
        Assert.AreEqual(28, imageType.Height);
        Assert.AreEqual(28, imageType.Width);

        FashionMnistSplit raw = FashionMnist.Read(DataSplit.Test);
        var rows = TestImages.ReadLabeledRows(view);
        Assert.HasCount(5, rows);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(raw.GetLabel(i), rows[i].Label);
            Assert.AreEqual(FashionMnist.ClassNames[rows[i].Label], rows[i].ClassName);
            Assert.AreEqual(FashionMnist.Caption(rows[i].Label), rows[i].Caption);
            byte[] gray = raw.GetGrayPixels(i).ToArray();
            Assert.IsTrue(gray.Any(v => v > 0), "an image should not be blank");
            CollectionAssert.AreEqual(ImagePixels.FromGray(gray, 28, 28).Pixels, rows[i].Image.Pixels);
        }

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FashionMnist.Load(new MLContext(), DataSplit.Test, count: 10001));
    }

    [TestMethod]
    public void CaptionsUseTheRightArticle()
    {
        Assert.AreEqual("a photo of a t-shirt", FashionMnist.Caption(0));
        Assert.AreEqual("a photo of a pair of trousers", FashionMnist.Caption(1));
        Assert.AreEqual("a photo of an ankle boot", FashionMnist.Caption(9));
        Assert.AreEqual("Ankle boot", FashionMnist.ClassNames[9]);
        Assert.HasCount(10, FashionMnist.ClassNames);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FashionMnist.Caption(10));
    }

    [TestMethod]
    public void SmallValidFilesAreRead()
    {
        string folder = TestImages.TempFolder();
        try
        {
            byte[] pixels = new byte[2 * 784];
            pixels[5] = 200;
            pixels[784 + 783] = 17;
            WriteIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), 0x0803, [2, 28, 28], pixels);
            WriteIdx(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), 0x0801, [2], [9, 0]);
            FashionMnistSplit data = FashionMnist.Read(DataSplit.Test, folder);
            Assert.AreEqual(2, data.Count);
            Assert.AreEqual(200, data.GetGrayPixels(0)[5]);
            Assert.AreEqual(17, data.GetGrayPixels(1)[783]);
            ImageSample sample = data.GetSample(0);
            Assert.AreEqual("a photo of an ankle boot", sample.Caption);
            Assert.AreEqual(200, sample.Image.Pixels[(5 * 3) + 2]);
            Assert.AreEqual(2, data.Samples().Count());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void PaddedSamplesAreCentredAndClippedToTheSplit()
    {
        string folder = TestImages.TempFolder();
        try
        {
            byte[] pixels = new byte[3 * 784];
            pixels[784] = 99;        // image 1, pixel (0, 0)
            pixels[2 * 784] = 55;    // image 2, pixel (0, 0)
            WriteIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), 0x0803, [3, 28, 28], pixels);
            WriteIdx(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), 0x0801, [3], [9, 0, 7]);
            FashionMnistSplit data = FashionMnist.Read(DataSplit.Test, folder);

            var samples = data.Samples(1, 5, 32).ToList();
            CollectionAssert.AreEqual(new[] { 0, 7 }, samples.Select(s => s.Label).ToList());
            Assert.IsTrue(samples.All(s => s.Image.Width == 32 && s.Image.Height == 32));
            // The 28 px image sits 2 px in from the top and left: its pixel (0, 0) is the canvas's (2, 2).
            Assert.AreEqual(99, samples[0].Image.Pixels[((2 * 32) + 2) * 3]);
            Assert.AreEqual(55, samples[1].Image.Pixels[((2 * 32) + 2) * 3]);
            Assert.AreEqual(0, samples[0].Image.Pixels[0]);
            CollectionAssert.AreEqual(data.GetSample(2).Image.Pixels, data.Samples(2, 1, 28).Single().Image.Pixels);
            Assert.AreEqual(0, data.Samples(3, 4, 32).Count());

            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => data.Samples(-1, 1, 32));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => data.Samples(4, 1, 32));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => data.Samples(0, -1, 32));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => data.Samples(0, 1, 27));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void TruncatedImagesFileIsNamed()
    {
        AssertMalformed(
            folder => WriteIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), 0x0803, [3, 28, 28], new byte[(2 * 784) + 100]),
            "t10k-images-idx3-ubyte.gz",
            "announces 2352 values");
    }

    [TestMethod]
    public void GarbageFileIsNamed()
    {
        AssertMalformed(
            folder => File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
            "t10k-images-idx3-ubyte.gz",
            "gzip");
    }

    [TestMethod]
    public void WrongMagicNumberIsNamed()
    {
        AssertMalformed(
            folder => WriteIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), 0x0801, [3, 28, 28], new byte[3 * 784]),
            "t10k-images-idx3-ubyte.gz",
            "magic number");
    }

    [TestMethod]
    public void WrongImageSizeAndLabelCountAreNamed()
    {
        AssertMalformed(
            folder => WriteIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), 0x0803, [3, 27, 29], new byte[3 * 27 * 29]),
            "t10k-images-idx3-ubyte.gz",
            "27x29");
        AssertMalformed(
            folder => WriteIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), 0x0803, [2, 28, 28], new byte[2 * 784]),
            "t10k-images-idx3-ubyte.gz",
            "3 labels");
        AssertMalformed(
            folder =>
            {
                WriteIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), 0x0803, [3, 28, 28], new byte[3 * 784]);
                WriteIdx(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), 0x0801, [3], [1, 10, 2]);
            },
            "t10k-labels-idx1-ubyte.gz",
            "label 1 is 10");
    }

    [TestMethod]
    public void MissingFilesNameThePathAndThePackage()
    {
        string missing = Path.Combine(Path.GetTempPath(), "textok-no-such-folder-" + Guid.NewGuid().ToString("N"));
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => FashionMnist.Load(new MLContext(), DataSplit.Train, directory: missing));
        StringAssert.Contains(error.Message, Path.Combine(missing, "train-images-idx3-ubyte.gz"));
        StringAssert.Contains(error.Message, "apt-get install dataset-fashion-mnist");
        Assert.AreEqual(Path.Combine(missing, "train-images-idx3-ubyte.gz"), error.FileName);
    }

    private static void RequireInstalledFiles()
    {
        (string images, string labels) = FashionMnist.FilePaths(DataSplit.Train);
        if (!File.Exists(images) || !File.Exists(labels) || !File.Exists(FashionMnist.FilePaths(DataSplit.Test).Images))
        {
            Assert.Inconclusive($"Fashion-MNIST is not installed in {FashionMnist.DefaultDirectory} (apt-get install dataset-fashion-mnist).");
        }
    }

    /// <summary>Writes valid three-image test files, lets <paramref name="corrupt"/> overwrite some, and checks the error.</summary>
    private static void AssertMalformed(Action<string> corrupt, string fileName, string detail)
    {
        string folder = TestImages.TempFolder();
        try
        {
            WriteIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), 0x0803, [3, 28, 28], new byte[3 * 784]);
            WriteIdx(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), 0x0801, [3], [1, 2, 3]);
            corrupt(folder);
            var error = Assert.ThrowsExactly<InvalidDataException>(() => FashionMnist.Read(DataSplit.Test, folder));
            StringAssert.Contains(error.Message, Path.Combine(folder, fileName));
            StringAssert.Contains(error.Message, detail);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void WriteIdx(string path, int magic, int[] sizes, byte[] values)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, magic);
        gzip.Write(number);
        foreach (int size in sizes)
        {
            BinaryPrimitives.WriteInt32BigEndian(number, size);
            gzip.Write(number);
        }

        gzip.Write(values);
    }
}
