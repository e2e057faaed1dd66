using System.Security.Cryptography;
using System.Text;

namespace TexTok.ML.Data.Tests;

[TestClass]
public sealed class CaptionedShapesTests
{
    private const string RecordedDigest = "477EC0FEBFC1C81CAC8E34FCC591185AA8B56CAFBC7EFE8D5E28160DF8C7F93B";

    [TestMethod]
    public void SameSeedGivesIdenticalBytesAndOtherSeedsDiffer()
    {
        var options = new CaptionedShapesOptions { Seed = 42, ImageSize = 40 };
        var sameSeed = new CaptionedShapesOptions { Seed = 42, ImageSize = 40 };
        var otherSeed = new CaptionedShapesOptions { Seed = 43, ImageSize = 40 };
        int differing = 0;
        for (int i = 0; i < 20; i++)
        {
            ImageSample first = CaptionedShapes.Render(options, DataSplit.Train, i);
            ImageSample again = CaptionedShapes.Render(sameSeed, DataSplit.Train, i);
            CollectionAssert.AreEqual(first.Image.Pixels, again.Image.Pixels, $"sample {i}");
            Assert.AreEqual(first.Caption, again.Caption);
            if (!first.Image.Pixels.AsSpan().SequenceEqual(CaptionedShapes.Render(otherSeed, DataSplit.Train, i).Image.Pixels))
            {
                differing++;
            }
        }

        Assert.AreEqual(20, differing);
    }

    [TestMethod]
    public void RenderingMatchesRecordedDigest()
    {
        // A digest of fixed samples recorded from this implementation: rendering uses only integer and IEEE
        // double arithmetic, so any machine must reproduce it exactly.
        var options = new CaptionedShapesOptions { Seed = 2024, ImageSize = 64, WordProbability = 0.5 };
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (DataSplit split in new[] { DataSplit.Train, DataSplit.Test })
        {
            foreach (ImageSample sample in CaptionedShapes.Enumerate(split, 16, options))
            {
                digest.AppendData(sample.Image.Pixels);
                digest.AppendData(Encoding.UTF8.GetBytes(sample.Caption));
            }
        }

        Assert.AreEqual(RecordedDigest, Convert.ToHexString(digest.GetHashAndReset()));
    }

    [TestMethod]
    [DataRow(32)]
    [DataRow(33)]
    [DataRow(97)]
    [DataRow(255)]
    [DataRow(256)]
    public void EverySizeRendersShapesOnTheBackground(int size)
    {
        var options = new CaptionedShapesOptions { ImageSize = size, Seed = 9 };
        for (int i = 0; i < 4; i++)
        {
            ShapeScene scene = CaptionedShapes.Describe(options, DataSplit.Train, i);
            ImageSample sample = CaptionedShapes.Render(options, DataSplit.Train, i);
            Assert.AreEqual(size, sample.Image.Width);
            Assert.AreEqual(size, sample.Image.Height);
            Assert.AreEqual(size * size * 3, sample.Image.Pixels.Length);

            var counts = new Dictionary<(byte, byte, byte), int>();
            byte[] p = sample.Image.Pixels;
            for (int j = 0; j < p.Length; j += 3)
            {
                counts[(p[j], p[j + 1], p[j + 2])] = counts.GetValueOrDefault((p[j], p[j + 1], p[j + 2])) + 1;
            }

            var background = scene.Background;
            Assert.AreEqual((background.R, background.G, background.B), counts.MaxBy(c => c.Value).Key, "the background should be the most common colour");
            Assert.IsTrue(counts[(background.R, background.G, background.B)] < size * size, "shapes should cover part of the image");
            foreach (SceneShape shape in scene.Shapes)
            {
                Assert.IsTrue(counts.ContainsKey((shape.Color.R, shape.Color.G, shape.Color.B)), $"{shape.Color.Name} should appear at size {size}");
            }
        }
    }

    [TestMethod]
    public void ShapeCentresHaveTheirColours()
    {
        var options = new CaptionedShapesOptions { ImageSize = 129, Seed = 11, WordProbability = 0 };
        for (int i = 0; i < 40; i++)
        {
            ShapeScene scene = CaptionedShapes.Describe(options, DataSplit.Train, i);
            RgbImage image = CaptionedShapes.Render(options, DataSplit.Train, i).Image;
            foreach (SceneShape shape in scene.Shapes)
            {
                // At this size even a small star covers the whole pixel that holds its centre.
                (double centreX, double centreY, double radius) = shape.Geometry(129);
                int x = (int)centreX;
                int y = (int)centreY;
                Assert.IsTrue(radius > 8, "radius");
                int p = ((y * image.Width) + x) * 3;
                Assert.AreEqual((shape.Color.R, shape.Color.G, shape.Color.B), (image.Pixels[p], image.Pixels[p + 1], image.Pixels[p + 2]), $"{scene.Caption}: {shape}");
            }
        }
    }

    [TestMethod]
    public void CaptionsDescribeEveryShapeBackgroundAndWord()
    {
        var options = new CaptionedShapesOptions { Seed = 5, WordProbability = 0.5 };
        int withWord = 0;
        for (int i = 0; i < 200; i++)
        {
            ShapeScene scene = CaptionedShapes.Describe(options, DataSplit.Train, i);
            ImageSample sample = CaptionedShapes.Render(options, DataSplit.Train, i);
            string caption = sample.Caption;
            Assert.AreEqual(scene.Caption, caption);
            StringAssert.Contains(caption, $", on a {scene.Background.Name} background");
            Assert.IsInRange(1, 3, scene.Shapes.Count);
            Assert.HasCount(scene.Shapes.Count, scene.Shapes.Select(s => s.Position).Distinct());
            foreach (SceneShape shape in scene.Shapes)
            {
                StringAssert.Contains(caption, $"{shape.Color.Name} {CaptionedShapes.ClassNames[(int)shape.Kind]}");
                Assert.AreNotEqual(scene.Background, shape.Color);
                Assert.IsTrue(shape.Size <= scene.Shapes[0].Size, "the first shape is a largest one");
            }

            Assert.AreEqual((int)scene.Shapes[0].Kind, sample.Label);
            Assert.AreEqual(CaptionedShapes.ClassNames[sample.Label], sample.ClassName);
            Assert.IsTrue(caption.StartsWith(scene.Shapes[0].Describe(), StringComparison.Ordinal));
            if (scene.Word is null)
            {
                Assert.DoesNotContain("with the word", caption);
                Assert.IsNull(scene.WordColor);
            }
            else
            {
                withWord++;
                Assert.Contains(scene.Word, CaptionedShapes.Words);
                Assert.AreNotEqual(scene.Background, scene.WordColor);
                Assert.IsTrue(caption.EndsWith($", with the word {scene.Word} in {scene.WordColor!.Name}", StringComparison.Ordinal));
            }
        }

        Assert.IsInRange(70, 130, withWord, "about half the images should carry a word");
    }

    [TestMethod]
    public void CaptionReadsAsPlainEnglish()
    {
        var shapes = Enumerable.Range(0, 300)
            .Select(i => CaptionedShapes.Describe(new CaptionedShapesOptions { Seed = 1 }, DataSplit.Train, i))
            .First(s => s.Shapes.Count == 3 && s.Word is not null);
        string expected = $"{shapes.Shapes[0].Describe()}, {shapes.Shapes[1].Describe()} and {shapes.Shapes[2].Describe()}, "
            + $"on a {shapes.Background.Name} background, with the word {shapes.Word} in {shapes.WordColor!.Name}";
        Assert.AreEqual(expected, shapes.Caption);
        var shape = new SceneShape(ShapeKind.Triangle, CaptionedShapes.Palette[0], ShapeSize.Small, GridPosition.TopLeft, 0, 0);
        Assert.AreEqual("a small red triangle at the top left", shape.Describe());
        Assert.AreEqual("a large blue hexagon in the centre", (shape with { Kind = ShapeKind.Hexagon, Color = CaptionedShapes.Palette[2], Size = ShapeSize.Large, Position = GridPosition.Centre }).Describe());
    }

    [TestMethod]
    public void OptionsShapeTheScenes()
    {
        var single = new CaptionedShapesOptions { MaxShapes = 1, WordProbability = 1 };
        var plain = new CaptionedShapesOptions { MaxShapes = 2, WordProbability = 0 };
        for (int i = 0; i < 50; i++)
        {
            ShapeScene one = CaptionedShapes.Describe(single, DataSplit.Test, i);
            Assert.HasCount(1, one.Shapes);
            Assert.IsNotNull(one.Word);
            ShapeScene two = CaptionedShapes.Describe(plain, DataSplit.Test, i);
            Assert.IsInRange(1, 2, two.Shapes.Count);
            Assert.IsNull(two.Word);
        }
    }

    [TestMethod]
    public void EveryClassOccurs()
    {
        var labels = CaptionedShapes.Enumerate(DataSplit.Train, 300, new CaptionedShapesOptions { ImageSize = 32 }).Select(s => s.Label).ToHashSet();
        CollectionAssert.AreEquivalent(Enumerable.Range(0, CaptionedShapes.ClassNames.Count).ToArray(), labels.ToArray());
        Assert.HasCount(Enum.GetValues<ShapeKind>().Length, CaptionedShapes.ClassNames);
    }

    [TestMethod]
    public void TrainAndTestSplitsAreDisjoint()
    {
        var options = new CaptionedShapesOptions { ImageSize = 32, Seed = 7, MaxShapes = 1, WordProbability = 0 };
        var train = CaptionedShapes.Enumerate(DataSplit.Train, 400, options).ToList();
        var test = CaptionedShapes.Enumerate(DataSplit.Test, 400, options).ToList();
        var trainHashes = train.Select(s => TestImages.Hash(s.Image)).ToHashSet();
        var testHashes = test.Select(s => TestImages.Hash(s.Image)).ToHashSet();

        // One plain shape per image makes repeats likely within a split, which shows the check has teeth.
        Assert.IsTrue(trainHashes.Count > 350 && testHashes.Count > 350, "samples within a split should mostly differ");
        Assert.IsFalse(trainHashes.Overlaps(testHashes), "no image may occur in both splits");
        var trainCaptions = train.Select(s => s.Caption).ToHashSet();
        Assert.IsTrue(trainCaptions.Count < 400, "captions repeat within a split");
        Assert.IsFalse(trainCaptions.Overlaps(test.Select(s => s.Caption)), "no scene description may occur in both splits");
    }

    [TestMethod]
    public void SamplesAreRandomAccess()
    {
        var options = new CaptionedShapesOptions { ImageSize = 32, Seed = 3 };
        var sequence = CaptionedShapes.Enumerate(DataSplit.Test, 10, options, start: 1000).ToList();
        for (int i = 9; i >= 0; i--)
        {
            CollectionAssert.AreEqual(sequence[i].Image.Pixels, CaptionedShapes.Render(options, DataSplit.Test, 1000 + i).Image.Pixels);
        }

        CollectionAssert.AreEqual(
            CaptionedShapes.Render(options, DataSplit.Train, 123456789).Image.Pixels,
            CaptionedShapes.Render(options, DataSplit.Train, 123456789).Image.Pixels);
    }

    [TestMethod]
    public void BadOptionsNameTheOption()
    {
        AssertNames("ImageSize", () => new CaptionedShapesOptions { ImageSize = 31 });
        AssertNames("ImageSize", () => new CaptionedShapesOptions { ImageSize = 257 });
        AssertNames("MaxShapes", () => new CaptionedShapesOptions { MaxShapes = 0 });
        AssertNames("MaxShapes", () => new CaptionedShapesOptions { MaxShapes = 4 });
        AssertNames("WordProbability", () => new CaptionedShapesOptions { WordProbability = -0.01 });
        AssertNames("WordProbability", () => new CaptionedShapesOptions { WordProbability = 1.01 });
        AssertNames("WordProbability", () => new CaptionedShapesOptions { WordProbability = double.NaN });
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CaptionedShapes.Render(null, DataSplit.Train, -1));

        var bounds = new CaptionedShapesOptions { ImageSize = 32, MaxShapes = 1, WordProbability = 1 };
        Assert.AreEqual(32, bounds.ImageSize);
        Assert.AreEqual(256, new CaptionedShapesOptions { ImageSize = 256 }.ImageSize);
    }

    private static void AssertNames(string option, Func<CaptionedShapesOptions> create)
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => create());
        Assert.AreEqual(option, error.ParamName);
        StringAssert.Contains(error.Message, option);
    }
}
