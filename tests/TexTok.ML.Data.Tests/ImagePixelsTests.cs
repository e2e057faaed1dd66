using Microsoft.ML.Data;

namespace TexTok.ML.Data.Tests;

[TestClass]
public sealed class ImagePixelsTests
{
    [TestMethod]
    public void ChwLayoutPutsEachChannelInItsOwnPlane()
    {
        // A 2x1 image: a red-ish pixel then a blue-ish one.
        var image = new RgbImage(2, 1, [255, 51, 0, 0, 102, 255]);
        float[] chw = ImagePixels.ToChw(image);
        CollectionAssert.AreEqual(new[] { 1f, 0f, 0.2f, 0.4f, 0f, 1f }, chw);
        CollectionAssert.AreEqual(image.Pixels, ImagePixels.FromChw(chw, 2, 1).Pixels);
    }

    [TestMethod]
    public void ChwRoundTripIsExactForEveryByte()
    {
        RgbImage image = TestImages.Random(17, 5, seed: 1);
        float[] chw = ImagePixels.ToChw(image);
        Assert.IsTrue(chw.All(v => v is >= 0f and <= 1f));
        CollectionAssert.AreEqual(image.Pixels, ImagePixels.FromChw(chw, 17, 5).Pixels);
    }

    [TestMethod]
    public void PadToCentresTheImageOnBlack()
    {
        RgbImage image = TestImages.Random(3, 2, seed: 4);
        RgbImage padded = image.PadTo(6, 5);
        Assert.AreEqual(6, padded.Width);
        Assert.AreEqual(5, padded.Height);
        // Left margin (6 - 3) / 2 = 1, top margin (5 - 2) / 2 = 1; everything else is black.
        for (int y = 0; y < 5; y++)
        {
            for (int x = 0; x < 6; x++)
            {
                bool inside = x is >= 1 and < 4 && y is >= 1 and < 3;
                for (int c = 0; c < 3; c++)
                {
                    byte expected = inside ? image.Pixels[((((y - 1) * 3) + (x - 1)) * 3) + c] : (byte)0;
                    Assert.AreEqual(expected, padded.Pixels[(((y * 6) + x) * 3) + c], $"pixel ({x}, {y}) channel {c}");
                }
            }
        }

        CollectionAssert.AreEqual(image.Pixels, image.PadTo(3, 2).Pixels);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => image.PadTo(2, 5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => image.PadTo(6, 1));
    }

    [TestMethod]
    public void EnlargeRepeatsEachPixel()
    {
        RgbImage image = TestImages.Random(3, 2, seed: 6);
        RgbImage large = image.Enlarge(4);
        Assert.AreEqual((12, 8), (large.Width, large.Height));
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 12; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    Assert.AreEqual(image.Pixels[((((y / 4) * 3) + (x / 4)) * 3) + c], large.Pixels[(((y * 12) + x) * 3) + c], $"pixel ({x}, {y}) channel {c}");
                }
            }
        }

        CollectionAssert.AreEqual(image.Pixels, image.Enlarge(1).Pixels);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => image.Enlarge(0));
    }

    [TestMethod]
    public void FromChwClampsAndRounds()
    {
        // Planes: red (-0.5, 1.7), green (NaN, just over half a level), blue (just under half a level, 0.5).
        float[] chw = [-0.5f, 1.7f, float.NaN, (0.5f / 255f) + 1e-4f, (0.5f / 255f) - 1e-4f, 0.5f];
        CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 255, 1, 128 }, ImagePixels.FromChw(chw, 2, 1).Pixels);
    }

    [TestMethod]
    public void PixelValuesAndSignedValuesRoundTripEveryByte()
    {
        // [0, 255] as ExtractPixels and Detokenize write, [−1, 1] as the networks do: both back to the same bytes.
        RgbImage image = TestImages.Random(17, 5, seed: 3);
        float[] unit = ImagePixels.ToChw(image);
        CollectionAssert.AreEqual(image.Pixels, ImagePixels.FromChwPixelValues(unit.Select(v => v * 255f).ToArray(), 17, 5).Pixels);
        CollectionAssert.AreEqual(image.Pixels, ImagePixels.FromChwSigned(unit.Select(v => (v * 2f) - 1f).ToArray(), 17, 5).Pixels);
        // Mid-grey in each convention, and out-of-range values clamped.
        CollectionAssert.AreEqual(new byte[] { 0, 128, 255 }, ImagePixels.FromChwPixelValues([-3f, 127.5f, 300f], 1, 1).Pixels);
        CollectionAssert.AreEqual(new byte[] { 0, 128, 255 }, ImagePixels.FromChwSigned([-1.5f, 0f, 1f], 1, 1).Pixels);
    }

    [TestMethod]
    public void WrongLengthsAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => ImagePixels.FromChwPixelValues(new float[11], 2, 2));
        Assert.ThrowsExactly<ArgumentException>(() => ImagePixels.FromChwSigned(new float[13], 2, 2));
        Assert.ThrowsExactly<ArgumentException>(() => new RgbImage(2, 2, new byte[11]));
        Assert.ThrowsExactly<ArgumentException>(() => ImagePixels.FromChw(new float[11], 2, 2));
        Assert.ThrowsExactly<ArgumentException>(() => ImagePixels.ToChw(new byte[12], new float[9]));
        Assert.ThrowsExactly<ArgumentException>(() => ImagePixels.FromGray(new byte[3], 2, 2));
    }

    [TestMethod]
    public void MLImageRoundTripsInBothByteOrders()
    {
        RgbImage image = TestImages.Random(5, 3, seed: 2);
        using (MLImage rgba = ImagePixels.ToMLImage(image))
        {
            Assert.AreEqual(MLPixelFormat.Rgba32, rgba.PixelFormat);
            CollectionAssert.AreEqual(image.Pixels, ImagePixels.FromMLImage(rgba).Pixels);
        }

        byte[] bgra = new byte[5 * 3 * 4];
        for (int p = 0; p < 15; p++)
        {
            bgra[4 * p] = image.Pixels[(3 * p) + 2];
            bgra[(4 * p) + 1] = image.Pixels[(3 * p) + 1];
            bgra[(4 * p) + 2] = image.Pixels[3 * p];
            bgra[(4 * p) + 3] = 255;
        }

        using MLImage fromBgra = MLImage.CreateFromPixels(5, 3, MLPixelFormat.Bgra32, bgra);
        CollectionAssert.AreEqual(image.Pixels, ImagePixels.FromMLImage(fromBgra).Pixels);
    }

    [TestMethod]
    public void PngFilesDecodeBackToTheSameRgb()
    {
        string folder = TestImages.TempFolder();
        try
        {
            RgbImage image = TestImages.Random(7, 4, seed: 3);
            string path = Path.Combine(folder, "nested", "image.png");
            ImagePixels.SavePng(image, path);
            using MLImage decoded = MLImage.CreateFromFile(path);
            Assert.AreEqual(7, decoded.Width);
            Assert.AreEqual(4, decoded.Height);
            CollectionAssert.AreEqual(image.Pixels, ImagePixels.FromMLImage(decoded).Pixels);
            Assert.ThrowsExactly<ArgumentException>(() => ImagePixels.SavePng(image, Path.Combine(folder, "image.bmp")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void GrayscaleAndTransparentFilesBecomeRgb()
    {
        string folder = TestImages.TempFolder();
        try
        {
            string grayPath = Path.Combine(folder, "gray.png");
            byte[] gray = [0, 40, 128, 200, 255, 7];
            PngWriter.Write(grayPath, 3, 2, PngWriter.Grayscale, gray);
            using (MLImage decoded = MLImage.CreateFromFile(grayPath))
            {
                CollectionAssert.AreEqual(ImagePixels.FromGray(gray, 3, 2).Pixels, ImagePixels.FromMLImage(decoded).Pixels);
            }

            // Opaque pixels keep their colour and a fully transparent one reads as black.
            string rgbaPath = Path.Combine(folder, "rgba.png");
            PngWriter.Write(rgbaPath, 2, 1, PngWriter.Rgba, [10, 20, 30, 255, 200, 100, 50, 0]);
            using MLImage transparent = MLImage.CreateFromFile(rgbaPath);
            CollectionAssert.AreEqual(new byte[] { 10, 20, 30, 0, 0, 0 }, ImagePixels.FromMLImage(transparent).Pixels);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void GridsPlaceImagesWithSpacing()
    {
        var a = new RgbImage(2, 1, [1, 1, 1, 2, 2, 2]);
        var b = new RgbImage(2, 1, [3, 3, 3, 4, 4, 4]);
        var c = new RgbImage(2, 1, [5, 5, 5, 6, 6, 6]);

        RgbImage row = ImagePixels.HorizontalGrid([a, b, c], spacing: 1, spacingValue: 9);
        Assert.AreEqual(8, row.Width);
        Assert.AreEqual(1, row.Height);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 9, 3, 4, 9, 5, 6 }, row.Pixels.Where((_, i) => i % 3 == 0).ToArray());

        RgbImage column = ImagePixels.VerticalGrid([a, b]);
        Assert.AreEqual(2, column.Width);
        Assert.AreEqual(2, column.Height);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4 }, column.Pixels.Where((_, i) => i % 3 == 0).ToArray());

        RgbImage grid = ImagePixels.Grid([a, b, c], columns: 2);
        Assert.AreEqual(4, grid.Width);
        Assert.AreEqual(2, grid.Height);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4, 5, 6, 255, 255 }, grid.Pixels.Where((_, i) => i % 3 == 0).ToArray());

        Assert.ThrowsExactly<ArgumentException>(() => ImagePixels.HorizontalGrid([a, new RgbImage(1, 1)]));
        Assert.ThrowsExactly<ArgumentException>(() => ImagePixels.HorizontalGrid([]));
    }
}
