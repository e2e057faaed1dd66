using TexTok.ML.Data.Metrics;
using TexTok.ML.Onnx;

namespace TexTok.ML.Data.Tests;

[TestClass]
public sealed class OnnxImageFeatureExtractorTests
{
    private const long Batch = OnnxGraphBuilder.Batch;
    private const int Classes = 4;

    // The classifier head: logits = W · pool + b with W [Classes, 3].
    private static readonly float[] HeadWeights = [2f, -1f, 0.5f, -1.5f, 3f, 1f, 0.25f, 0.75f, -2f, 1f, 1f, 1f];
    private static readonly float[] HeadBias = [0.1f, -0.2f, 0.3f, 0f];

    [TestMethod]
    public void UpsamplingInterpolatesBetweenPixelCentres()
    {
        // Red rises left to right, green top to bottom, blue is constant.
        var image = new RgbImage(2, 2, [0, 0, 51, 255, 0, 51, 0, 255, 51, 255, 255, 51]);
        using var extractor = new OnnxImageFeatureExtractor(
            Model(size: 4, pixels: true),
            new OnnxImageFeatureExtractorOptions { FeatureOutputName = "pixels", Normalization = PixelNormalization.ZeroToOne });
        float[] pixels = extractor.Extract([image]).Features[0];

        float[] ramp = [0f, 0.25f, 0.75f, 1f];
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                Assert.AreEqual(ramp[x], pixels[(y * 4) + x], 1e-6, $"red ({x}, {y})");
                Assert.AreEqual(ramp[y], pixels[16 + (y * 4) + x], 1e-6, $"green ({x}, {y})");
                Assert.AreEqual(0.2f, pixels[32 + (y * 4) + x], 1e-6, $"blue ({x}, {y})");
            }
        }
    }

    [TestMethod]
    public void HalvingTheSizeAveragesEachTwoByTwoBlock()
    {
        var image = TestImages.Random(8, 8, seed: 3);
        using var extractor = new OnnxImageFeatureExtractor(
            Model(size: 4, pixels: true),
            new OnnxImageFeatureExtractorOptions { FeatureOutputName = "pixels", Normalization = PixelNormalization.ZeroToOne });
        float[] pixels = extractor.Extract([image]).Features[0];

        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < 4; y++)
            {
                for (int x = 0; x < 4; x++)
                {
                    double sum = 0;
                    foreach (var (dx, dy) in new[] { (0, 0), (1, 0), (0, 1), (1, 1) })
                    {
                        sum += image.Pixels[((((2 * y) + dy) * 8) + (2 * x) + dx) * 3 + c] / 255.0;
                    }

                    Assert.AreEqual(sum / 4, pixels[(c * 16) + (y * 4) + x], 1e-6);
                }
            }
        }
    }

    [TestMethod]
    [DataRow(PixelNormalization.MinusOneToOne)]
    [DataRow(PixelNormalization.ImageNet)]
    [DataRow(PixelNormalization.ZeroToOne)]
    [DataRow(PixelNormalization.Custom)]
    public void FeaturesEqualTheHandComputation(PixelNormalization normalization)
    {
        var (mean, std) = normalization switch
        {
            PixelNormalization.MinusOneToOne => (new[] { 0.5, 0.5, 0.5 }, new[] { 0.5, 0.5, 0.5 }),
            PixelNormalization.ImageNet => (new[] { 0.485, 0.456, 0.406 }, new[] { 0.229, 0.224, 0.225 }),
            PixelNormalization.ZeroToOne => (new[] { 0.0, 0.0, 0.0 }, new[] { 1.0, 1.0, 1.0 }),
            _ => (new[] { 0.1, 0.2, 0.3 }, new[] { 2.0, 0.5, 0.25 }),
        };
        var options = new OnnxImageFeatureExtractorOptions
        {
            FeatureOutputName = "pool",
            Normalization = normalization,
            CustomMean = normalization == PixelNormalization.Custom ? [0.1f, 0.2f, 0.3f] : null,
            CustomStd = normalization == PixelNormalization.Custom ? [2f, 0.5f, 0.25f] : null,
        };
        var images = new[] { TestImages.Random(5, 7, 1), TestImages.Random(8, 8, 2), TestImages.Random(12, 9, 3), TestImages.Random(3, 3, 4) };
        using var pooling = new OnnxImageFeatureExtractor(Model(pixels: true), options);
        using var flattening = new OnnxImageFeatureExtractor(Model(pixels: true), options with { FeatureOutputName = "pixels" });
        var pooled = pooling.Extract(images);
        var flattened = flattening.Extract(images);

        Assert.AreEqual(images.Length, pooled.Count);
        Assert.IsNull(pooled.Probabilities);
        for (int i = 0; i < images.Length; i++)
        {
            double[] expected = HandPreprocess(images[i], 8, mean, std);
            AssertClose(expected, flattened.Features[i], 1e-5);
            AssertClose(expected, pooling.Preprocess(images[i]), 1e-5);
            AssertClose(ChannelMeans(expected), pooled.Features[i], 1e-5);
        }
    }

    [TestMethod]
    public void FloatImagesGiveTheSameFeaturesAsByteImages()
    {
        var images = Enumerable.Range(0, 3).Select(i => TestImages.Random(6, 5, 10 + i)).ToList();
        using var extractor = new OnnxImageFeatureExtractor(Model(pixels: true), new OnnxImageFeatureExtractorOptions { FeatureOutputName = "pixels" });
        var fromBytes = extractor.Extract(images);
        var fromFloats = extractor.Extract(images.Select(ImagePixels.ToChw), width: 6, height: 5);
        for (int i = 0; i < images.Count; i++)
        {
            CollectionAssert.AreEqual(fromBytes.Features[i], fromFloats.Features[i]);
        }

        var error = Assert.ThrowsExactly<ArgumentException>(() => extractor.Extract([new float[3 * 6 * 5], new float[10]], 6, 5));
        StringAssert.Contains(error.Message, "Image 1");
        StringAssert.Contains(error.Message, "90 values");
    }

    [TestMethod]
    public void FixedAndDynamicBatchesGiveTheSameFeatures()
    {
        var images = Enumerable.Range(0, 5).Select(i => TestImages.Random(4 + i, 6, 20 + i)).ToList();
        var options = new OnnxImageFeatureExtractorOptions { FeatureOutputName = "pool", ClassOutputName = "logits" };
        using var whole = new OnnxImageFeatureExtractor(Model(logits: true), options);
        using var pairs = new OnnxImageFeatureExtractor(Model(logits: true), options with { BatchSize = 2 });
        using var single = new OnnxImageFeatureExtractor(Model(batch: 1, logits: true), options);
        using var fixedPairs = new OnnxImageFeatureExtractor(Model(batch: 2, logits: true), options with { BatchSize = 7 });

        Assert.IsFalse(whole.IsBatchFixed);
        Assert.AreEqual(OnnxImageFeatureExtractorOptions.DefaultBatchSize, whole.BatchSize);
        Assert.AreEqual(2, pairs.BatchSize);
        Assert.IsTrue(single.IsBatchFixed);
        Assert.AreEqual(1, single.BatchSize);
        Assert.AreEqual(2, fixedPairs.BatchSize);

        var expected = whole.Extract(images);
        foreach (var extractor in new[] { pairs, single, fixedPairs })
        {
            var actual = extractor.Extract(images);
            Assert.AreEqual(images.Count, actual.Count);
            for (int i = 0; i < images.Count; i++)
            {
                AssertClose(expected.Features[i], actual.Features[i], 1e-6);
                AssertClose(expected.Probabilities![i], actual.Probabilities![i], 1e-6);
            }
        }

        Assert.AreEqual(0, whole.Extract([]).Count);
    }

    [TestMethod]
    public void OptionsChooseTheOutputsAndLogitsGoThroughASoftmax()
    {
        var images = Enumerable.Range(0, 3).Select(i => TestImages.Random(8, 8, 30 + i)).ToList();
        byte[] model = Model(logits: true, softmax: true, pixels: true);
        using var poolAndLogits = new OnnxImageFeatureExtractor(model, new() { FeatureOutputName = "pool", ClassOutputName = "logits" });
        using var logitsAsFeatures = new OnnxImageFeatureExtractor(model, new() { FeatureOutputName = "logits" });
        using var rawLogits = new OnnxImageFeatureExtractor(model, new() { FeatureOutputName = "pool", ClassOutputName = "logits", ClassOutput = ClassOutputKind.Probabilities });
        using var graphSoftmax = new OnnxImageFeatureExtractor(model, new() { FeatureOutputName = "pool", ClassOutputName = "probs", ClassOutput = ClassOutputKind.Probabilities });
        Assert.AreEqual("images", poolAndLogits.InputName);
        Assert.AreEqual("pool", poolAndLogits.FeatureOutputName);
        Assert.AreEqual("logits", poolAndLogits.ClassOutputName);

        var chosen = poolAndLogits.Extract(images);
        var asFeatures = logitsAsFeatures.Extract(images);
        var raw = rawLogits.Extract(images);
        var fromGraph = graphSoftmax.Extract(images);
        Assert.IsNull(asFeatures.Probabilities);
        for (int i = 0; i < images.Count; i++)
        {
            double[] pool = ChannelMeans(HandPreprocess(images[i], 8, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]));
            double[] logits = HandLogits(pool);
            double[] softmax = HandSoftmax(logits);
            Assert.HasCount(3, chosen.Features[i]);
            AssertClose(pool, chosen.Features[i], 1e-5);
            AssertClose(logits, asFeatures.Features[i], 1e-5);
            AssertClose(logits, raw.Probabilities![i], 1e-5);
            AssertClose(softmax, chosen.Probabilities![i], 1e-5);
            AssertClose(softmax, fromGraph.Probabilities![i], 1e-5);
            Assert.AreEqual(1.0, chosen.Probabilities![i].Sum(p => (double)p), 1e-6);
        }
    }

    [TestMethod]
    public void DynamicSpatialSizeComesFromTheOptionsOr299()
    {
        var image = TestImages.Random(9, 7, seed: 40);
        using var defaultSize = new OnnxImageFeatureExtractor(Model(size: OnnxGraphBuilder.Sequence));
        Assert.AreEqual(299, defaultSize.InputHeight);
        Assert.AreEqual(299, defaultSize.InputWidth);
        using var fixedModel = new OnnxImageFeatureExtractor(Model(size: 8));
        Assert.AreEqual(8, fixedModel.InputHeight);

        using var six = new OnnxImageFeatureExtractor(Model(size: OnnxGraphBuilder.Sequence), new() { InputSize = 6 });
        Assert.AreEqual(6, six.InputWidth);
        double[] expected = ChannelMeans(HandPreprocess(image, 6, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]));
        AssertClose(expected, six.Extract([image]).Features[0], 1e-5);
    }

    [TestMethod]
    public void ModelErrorsNameTheProblem()
    {
        string missing = Path.Combine(Path.GetTempPath(), "textok-no-such-inception-" + Guid.NewGuid().ToString("N") + ".onnx");
        var notFound = Assert.ThrowsExactly<FileNotFoundException>(() => new OnnxImageFeatureExtractor(missing));
        StringAssert.Contains(notFound.Message, missing);
        Assert.ThrowsExactly<InvalidDataException>(() => new OnnxImageFeatureExtractor([1, 2, 3, 4], sourceName: "junk.onnx"));

        var gray = Assert.ThrowsExactly<InvalidDataException>(() => new OnnxImageFeatureExtractor(ModelWithInput(OnnxElementType.Float, Batch, 1, 8, 8), sourceName: "gray.onnx"));
        StringAssert.Contains(gray.Message, "'images'");
        StringAssert.Contains(gray.Message, "'gray.onnx'");
        StringAssert.Contains(gray.Message, "[N, 3, H, W]");
        StringAssert.Contains(gray.Message, "[?, 1, 8, 8]");
        var ints = Assert.ThrowsExactly<InvalidDataException>(() => new OnnxImageFeatureExtractor(ModelWithInput(OnnxElementType.Int64, Batch, 3, 8, 8)));
        StringAssert.Contains(ints.Message, "got Int64 [?, 3, 8, 8]");
        var flat = Assert.ThrowsExactly<InvalidDataException>(() => new OnnxImageFeatureExtractor(ModelWithInput(OnnxElementType.Float, Batch, 192)));
        StringAssert.Contains(flat.Message, "[?, 192]");

        byte[] model = Model(logits: true);
        var unknown = Assert.ThrowsExactly<ArgumentException>(() => new OnnxImageFeatureExtractor(model, new() { FeatureOutputName = "pool3" }));
        StringAssert.Contains(unknown.Message, "FeatureOutputName 'pool3'");
        StringAssert.Contains(unknown.Message, "pool, logits");
        var unknownClass = Assert.ThrowsExactly<ArgumentException>(() => new OnnxImageFeatureExtractor(model, new() { FeatureOutputName = "pool", ClassOutputName = "fc" }));
        StringAssert.Contains(unknownClass.Message, "ClassOutputName 'fc'");
        var ambiguous = Assert.ThrowsExactly<ArgumentException>(() => new OnnxImageFeatureExtractor(model));
        StringAssert.Contains(ambiguous.Message, "2 outputs (pool, logits)");
        StringAssert.Contains(ambiguous.Message, "FeatureOutputName");

        var size = Assert.ThrowsExactly<ArgumentException>(() => new OnnxImageFeatureExtractor(Model(size: 8), new() { InputSize = 299 }));
        StringAssert.Contains(size.Message, "InputSize is 299");
        StringAssert.Contains(size.Message, "fixed height of 8");

        byte[] twoInputs = ModelWithTwoInputs();
        var inputs = Assert.ThrowsExactly<ArgumentException>(() => new OnnxImageFeatureExtractor(twoInputs));
        StringAssert.Contains(inputs.Message, "2 inputs (images, scale)");
        var wrongInput = Assert.ThrowsExactly<ArgumentException>(() => new OnnxImageFeatureExtractor(twoInputs, new() { InputName = "image" }));
        StringAssert.Contains(wrongInput.Message, "no input 'image'; its inputs are: images, scale");
    }

    [TestMethod]
    public void InvalidOptionsAreRefusedByName()
    {
        byte[] model = Model();
        var batch = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new OnnxImageFeatureExtractor(model, new() { BatchSize = 0 }));
        Assert.AreEqual("BatchSize", batch.ParamName);
        var size = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new OnnxImageFeatureExtractor(model, new() { InputSize = 0 }));
        Assert.AreEqual("InputSize", size.ParamName);
        var mean = Assert.ThrowsExactly<ArgumentException>(() => new OnnxImageFeatureExtractor(model, new() { Normalization = PixelNormalization.Custom, CustomStd = [1f, 1f, 1f] }));
        Assert.AreEqual("CustomMean", mean.ParamName);
        var std = Assert.ThrowsExactly<ArgumentException>(() => new OnnxImageFeatureExtractor(model, new() { Normalization = PixelNormalization.Custom, CustomMean = [0f, 0f, 0f], CustomStd = [1f, 0f, 1f] }));
        Assert.AreEqual("CustomStd", std.ParamName);
    }

    [TestMethod]
    public void FidAndInceptionScoreOfExtractedFeaturesMatchTheHandComputation()
    {
        var real = Enumerable.Range(0, 16).Select(i => TestImages.Random(10, 10, 100 + i)).ToList();
        var generated = Enumerable.Range(0, 16).Select(i => Darker(TestImages.Random(6, 12, 200 + i), i)).ToList();
        using var extractor = new OnnxImageFeatureExtractor(Model(logits: true), new() { FeatureOutputName = "pool", ClassOutputName = "logits", BatchSize = 5 });
        var realFeatures = extractor.Extract(real);
        var generatedFeatures = extractor.Extract(generated);

        List<float[]> Hand(IEnumerable<RgbImage> images) =>
            [.. images.Select(image => ChannelMeans(HandPreprocess(image, 8, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])).Select(v => (float)v).ToArray())];
        var handReal = Hand(real);
        var handGenerated = Hand(generated);
        double expectedFid = FrechetDistance.Compute(handReal, handGenerated);
        Assert.IsGreaterThan(0.01, expectedFid);
        Assert.AreEqual(expectedFid, FrechetDistance.Compute(realFeatures.Features, generatedFeatures.Features), 1e-4 * expectedFid);

        var handProbabilities = handGenerated.Select(f => HandSoftmax(HandLogits([.. f.Select(v => (double)v)])).Select(v => (float)v).ToArray()).ToList();
        var (expectedScore, _) = InceptionScore.Compute(handProbabilities);
        Assert.AreEqual(expectedScore, InceptionScore.Compute(generatedFeatures.Probabilities!).Mean, 1e-5);
    }

    // A network over [batch, 3, size, size] images: "pool" (global average pooling, flattened to [batch, 3]),
    // optionally "logits" (a Gemm head on the pool), "probs" (their softmax) and "pixels" (the input, flattened).
    private static byte[] Model(long batch = Batch, long size = 8, bool logits = false, bool softmax = false, bool pixels = false)
    {
        var g = new OnnxGraphBuilder("features");
        string images = g.AddInput("images", batch, 3, size, size);
        string pooled = g.AddNode("GlobalAveragePool", "gap", [images]);
        string flat = g.AddNode("Flatten", "flatten", [pooled], OnnxAttribute.Int("axis", 1));
        g.AddOutput(flat, "pool", batch, 3);
        if (logits || softmax)
        {
            string weights = g.AddInitializer("fc.weight", HeadWeights, Classes, 3);
            string bias = g.AddInitializer("fc.bias", HeadBias, Classes);
            string scores = g.AddNode("Gemm", "fc", [flat, weights, bias], OnnxAttribute.Int("transB", 1));
            g.AddOutput(scores, "logits", batch, Classes);
            if (softmax)
            {
                g.AddOutput(g.AddNode("Softmax", "softmax", [scores], OnnxAttribute.Int("axis", 1)), "probs", batch, Classes);
            }
        }

        if (pixels)
        {
            g.AddOutput(g.AddNode("Flatten", "flatten_input", [images], OnnxAttribute.Int("axis", 1)), "pixels", batch, 3 * size * size);
        }

        return g.ToBytes();
    }

    private static byte[] ModelWithInput(OnnxElementType type, params long[] shape)
    {
        var g = new OnnxGraphBuilder("bad");
        string input = g.AddInput("images", type, shape);
        g.AddOutput(input, "same", type, shape);
        return g.ToBytes();
    }

    private static byte[] ModelWithTwoInputs()
    {
        var g = new OnnxGraphBuilder("two");
        string images = g.AddInput("images", Batch, 3, 8, 8);
        string scale = g.AddInput("scale", 1);
        string scaled = g.AddNode("Mul", "mul", [images, scale]);
        g.AddOutput(g.AddNode("GlobalAveragePool", "gap", [scaled]), "pool", Batch, 3, 1, 1);
        return g.ToBytes();
    }

    private static RgbImage Darker(RgbImage image, int seed)
    {
        int shift = 40 + (seed % 5);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (byte)Math.Max(0, image.Pixels[i] - shift - (i % 3 == 0 ? 30 : 0));
        }

        return image;
    }

    // Bilinear sampling with half-pixel centres, written per output pixel, then (x − mean) / std.
    private static double[] HandPreprocess(RgbImage image, int size, double[] mean, double[] std)
    {
        var result = new double[3 * size * size];
        double Pixel(int x, int y, int c) => image.Pixels[(((y * image.Width) + x) * 3) + c] / 255.0;
        for (int c = 0; c < 3; c++)
        {
            for (int oy = 0; oy < size; oy++)
            {
                double sy = Math.Max(((oy + 0.5) * image.Height / size) - 0.5, 0);
                int y0 = (int)Math.Floor(sy), y1 = Math.Min(y0 + 1, image.Height - 1);
                double fy = sy - y0;
                for (int ox = 0; ox < size; ox++)
                {
                    double sx = Math.Max(((ox + 0.5) * image.Width / size) - 0.5, 0);
                    int x0 = (int)Math.Floor(sx), x1 = Math.Min(x0 + 1, image.Width - 1);
                    double fx = sx - x0;
                    double value = ((1 - fy) * (((1 - fx) * Pixel(x0, y0, c)) + (fx * Pixel(x1, y0, c))))
                                 + (fy * (((1 - fx) * Pixel(x0, y1, c)) + (fx * Pixel(x1, y1, c))));
                    result[(c * size * size) + (oy * size) + ox] = (value - mean[c]) / std[c];
                }
            }
        }

        return result;
    }

    private static double[] ChannelMeans(double[] chw)
    {
        int plane = chw.Length / 3;
        return [.. Enumerable.Range(0, 3).Select(c => chw.Skip(c * plane).Take(plane).Average())];
    }

    private static double[] HandLogits(double[] pool) =>
        [.. Enumerable.Range(0, Classes).Select(k => HeadBias[k] + Enumerable.Range(0, 3).Sum(j => HeadWeights[(k * 3) + j] * pool[j]))];

    private static double[] HandSoftmax(double[] logits)
    {
        double[] exps = [.. logits.Select(Math.Exp)];
        double sum = exps.Sum();
        return [.. exps.Select(e => e / sum)];
    }

    private static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<float> actual, double tolerance)
    {
        Assert.HasCount(expected.Count, actual);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.AreEqual(expected[i], actual[i], tolerance, $"index {i}");
        }
    }

    private static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double tolerance) =>
        AssertClose([.. expected.Select(v => (double)v)], actual, tolerance);
}
