namespace TexTok.ML.Text.Tests;

[TestClass]
public sealed class FrozenBpeTextEncoderTests
{
    private const string Caption = "A red car parked beside a small wooden house";

    [TestMethod]
    public void Encode_ProducesDeclaredShapes()
    {
        var encoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 16, EmbeddingDim = 24 });

        TextEmbedding embedding = encoder.Encode(Caption);

        Assert.AreEqual(16, encoder.MaxTokens);
        Assert.AreEqual(24, encoder.EmbeddingDim);
        Assert.AreEqual(16 * 24, embedding.Values.Length);
        Assert.AreEqual(16, embedding.Mask.Length);
        Assert.AreEqual(16, embedding.MaxTokens);
        Assert.AreEqual(24, embedding.EmbeddingDim);
        Assert.AreEqual(encoder.Tokenize(Caption).Count, embedding.TokenCount);
        Assert.AreEqual(embedding.TokenCount, embedding.OriginalTokenCount);
        Assert.IsFalse(embedding.Truncated);
    }

    [TestMethod]
    public void Encode_DefaultsAreThirtyTwoTokensOfSixtyFour()
    {
        var encoder = new FrozenBpeTextEncoder();

        Assert.AreEqual(32, encoder.MaxTokens);
        Assert.AreEqual(64, encoder.EmbeddingDim);
        Assert.AreEqual(32 * 64, encoder.Encode(Caption).Values.Length);
    }

    [TestMethod]
    public void Encode_SameCaptionIsBitIdenticalAcrossInstances()
    {
        TextEmbedding first = new FrozenBpeTextEncoder().Encode(Caption);
        TextEmbedding second = new FrozenBpeTextEncoder().Encode(Caption);

        CollectionAssert.AreEqual(first.Values, second.Values);
        CollectionAssert.AreEqual(first.Mask, second.Mask);
    }

    [TestMethod]
    public void Encode_MaskIsTokenCountOnesThenZeros()
    {
        TextEmbedding embedding = new FrozenBpeTextEncoder().Encode(Caption);

        Assert.IsTrue(embedding.TokenCount is > 0 and < 32);
        for (int t = 0; t < embedding.MaxTokens; t++)
        {
            Assert.AreEqual(t < embedding.TokenCount ? 1f : 0f, embedding.Mask[t], $"mask[{t}]");
        }
    }

    [TestMethod]
    public void Encode_PaddingRowsAreZeroAndTokenRowsAreNot()
    {
        TextEmbedding embedding = new FrozenBpeTextEncoder().Encode("a cat");
        int dim = embedding.EmbeddingDim;

        for (int t = 0; t < embedding.MaxTokens; t++)
        {
            ReadOnlySpan<float> row = embedding.Values.AsSpan(t * dim, dim);
            bool allZero = !row.ContainsAnyExcept(0f);
            Assert.AreEqual(t >= embedding.TokenCount, allZero, $"row {t}");
        }
    }

    [TestMethod]
    public void Encode_DifferentCaptionsDiffer()
    {
        var encoder = new FrozenBpeTextEncoder();

        TextEmbedding cat = encoder.Encode("a photo of a cat");
        TextEmbedding dog = encoder.Encode("a photo of a dog");

        CollectionAssert.AreNotEqual(cat.Values, dog.Values);
    }

    [TestMethod]
    public void Encode_WordOrderMatters()
    {
        var encoder = new FrozenBpeTextEncoder();
        // Without spaces BPE gives each word the same token in either order.
        IReadOnlyList<int> forward = encoder.Tokenize("cat;red");
        IReadOnlyList<int> backward = encoder.Tokenize("red;cat");
        CollectionAssert.AreEqual(forward.Reverse().ToArray(), backward.ToArray(), "precondition: same tokens reversed");

        TextEmbedding a = encoder.Encode("cat;red");
        TextEmbedding b = encoder.Encode("red;cat");

        CollectionAssert.AreNotEqual(a.Values, b.Values);
        CollectionAssert.AreEqual(a.Mask, b.Mask);
    }

    [TestMethod]
    public void Encode_SameTokenAtDifferentPositionsGivesDifferentRows()
    {
        var encoder = new FrozenBpeTextEncoder();
        IReadOnlyList<int> ids = encoder.Tokenize("cat,cat");
        Assert.AreEqual(3, ids.Count);
        Assert.AreEqual(ids[0], ids[2]);

        TextEmbedding embedding = encoder.Encode("cat,cat");

        CollectionAssert.AreNotEqual(embedding.Values.AsSpan(0, 64).ToArray(), embedding.Values.AsSpan(2 * 64, 64).ToArray());
    }

    [TestMethod]
    public void Encode_NormalisesCaseAndWhiteSpace()
    {
        var encoder = new FrozenBpeTextEncoder();

        TextEmbedding plain = encoder.Encode("a red car");
        TextEmbedding noisy = encoder.Encode("  A\tRED \r\n  Car ");

        CollectionAssert.AreEqual(plain.Values, noisy.Values);
    }

    [TestMethod]
    public void Encode_DifferentSeedsGiveDifferentEmbeddings()
    {
        TextEmbedding a = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { Seed = 1 }).Encode(Caption);
        TextEmbedding b = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { Seed = 2 }).Encode(Caption);

        CollectionAssert.AreNotEqual(a.Values, b.Values);
    }

    [TestMethod]
    public void Encode_LongCaptionIsTruncatedAndReported()
    {
        var encoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 8 });
        string caption = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"word{i}"));
        var reports = new List<CaptionTruncatedEventArgs>();
        encoder.CaptionTruncated += (sender, args) =>
        {
            Assert.AreSame(encoder, sender);
            reports.Add(args);
        };

        TextEmbedding embedding = encoder.Encode(caption);

        Assert.IsTrue(embedding.Truncated);
        Assert.AreEqual(8, embedding.TokenCount);
        Assert.IsTrue(embedding.OriginalTokenCount > 8, $"OriginalTokenCount = {embedding.OriginalTokenCount}");
        Assert.AreEqual(encoder.Tokenize(caption).Count, embedding.OriginalTokenCount);
        Assert.IsFalse(embedding.Mask.Contains(0f));
        Assert.AreEqual(1, reports.Count);
        Assert.AreEqual(caption, reports[0].Caption);
        Assert.AreEqual(embedding.OriginalTokenCount, reports[0].OriginalTokenCount);
        Assert.AreEqual(8, reports[0].KeptTokenCount);
    }

    [TestMethod]
    public void Encode_TruncationKeepsTheFirstTokens()
    {
        var shortEncoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 4 });
        var longEncoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 64 });
        string caption = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"word{i}"));

        TextEmbedding truncated = shortEncoder.Encode(caption);
        TextEmbedding full = longEncoder.Encode(caption);

        CollectionAssert.AreEqual(full.Values.AsSpan(0, 4 * 64).ToArray(), truncated.Values);
    }

    [TestMethod]
    public void Encode_ShortCaptionRaisesNoTruncationEvent()
    {
        var encoder = new FrozenBpeTextEncoder();
        int raised = 0;
        encoder.CaptionTruncated += (_, _) => Interlocked.Increment(ref raised);

        encoder.Encode(Caption);

        Assert.AreEqual(0, raised);
    }

    [TestMethod]
    public void EncodeBatch_MatchesSingleEncodesAndReportsTruncation()
    {
        var encoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 6 });
        string[] captions = ["a cat", "one two three four five six seven eight nine ten", "a dog"];
        var truncatedCaptions = new List<string>();
        encoder.CaptionTruncated += (_, args) => truncatedCaptions.Add(args.Caption);

        IReadOnlyList<TextEmbedding> batch = encoder.EncodeBatch(captions);

        Assert.AreEqual(3, batch.Count);
        for (int i = 0; i < captions.Length; i++)
        {
            CollectionAssert.AreEqual(new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 6 }).Encode(captions[i]).Values, batch[i].Values);
        }

        CollectionAssert.AreEqual(new[] { captions[1] }, truncatedCaptions);
    }

    [TestMethod]
    public void Encode_IsThreadSafe()
    {
        var encoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 12 });
        string[] captions = Enumerable.Range(0, 400)
            .Select(i => $"caption {i}: a {(i % 2 == 0 ? "red" : "blue")} {i % 7} shape number {i * 31} drawn on paper with extra words")
            .ToArray();
        TextEmbedding[] sequential = captions.Select(encoder.Encode).ToArray();
        int truncations = 0;
        encoder.CaptionTruncated += (_, _) => Interlocked.Increment(ref truncations);

        var parallel = new TextEmbedding[captions.Length];
        Parallel.For(0, captions.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = encoder.Encode(captions[i]));

        for (int i = 0; i < captions.Length; i++)
        {
            CollectionAssert.AreEqual(sequential[i].Values, parallel[i].Values, $"caption {i}");
            CollectionAssert.AreEqual(sequential[i].Mask, parallel[i].Mask, $"caption {i}");
        }

        Assert.AreEqual(sequential.Count(e => e.Truncated), truncations);
    }

    [TestMethod]
    public void Tokenize_MatchesKnownCl100kIds()
    {
        var encoder = new FrozenBpeTextEncoder();

        // Published cl100k_base ids: "hello" is 15339 and " world" is 1917.
        CollectionAssert.AreEqual(new[] { 15339 }, encoder.Tokenize("Hello").ToArray());
        CollectionAssert.AreEqual(new[] { 15339, 1917 }, encoder.Tokenize("  Hello \n  WORLD ").ToArray());
    }

    [TestMethod]
    public void Tokenize_DecodesBackToTheNormalisedCaption()
    {
        var encoder = new FrozenBpeTextEncoder();
        var vocabulary = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("cl100k_base");
        const string caption = "  Two Dogs   playing\tin the SNOW, near a café!  ";

        IReadOnlyList<int> ids = encoder.Tokenize(caption);

        Assert.AreEqual("two dogs playing in the snow, near a café!", FrozenBpeTextEncoder.NormalizeCaption(caption));
        Assert.AreEqual(FrozenBpeTextEncoder.NormalizeCaption(caption), vocabulary.Decode(ids));
        CollectionAssert.AreEqual(vocabulary.EncodeToIds(FrozenBpeTextEncoder.NormalizeCaption(caption)).ToArray(), ids.ToArray());
    }

    [TestMethod]
    public void Encode_TokenRowsHaveUnitRms()
    {
        var encoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 64, EmbeddingDim = 48 });
        TextEmbedding embedding = encoder.Encode(string.Join(' ', Enumerable.Range(0, 30).Select(i => $"w{i}")));

        for (int t = 0; t < embedding.TokenCount; t++)
        {
            double rms = ReferenceFormula.Rms(embedding.Values.AsSpan(t * 48, 48));
            Assert.AreEqual(1.0, rms, 1e-6, $"row {t}");
        }
    }

    [TestMethod]
    [DataRow(64, 24301)]
    [DataRow(33, -7)]
    [DataRow(8, 0)]
    public void Encode_FollowsTheDocumentedFormula(int dim, int seed)
    {
        var encoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 40, EmbeddingDim = dim, Seed = seed });
        string caption = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"token{i}"));
        IReadOnlyList<int> ids = encoder.Tokenize(caption);

        TextEmbedding embedding = encoder.Encode(caption);

        for (int p = 0; p < embedding.TokenCount; p++)
        {
            double[] expected = ReferenceFormula.Row(seed, ids[p], p, dim);
            for (int d = 0; d < dim; d++)
            {
                Assert.AreEqual(expected[d], embedding.Values[p * dim + d], 1e-5, $"row {p}, dim {d}");
            }
        }
    }

    [TestMethod]
    public void Encode_ValuesArePinnedForFormulaVersion1()
    {
        // Any change here alters every trained model's inputs and requires a new FormulaVersion.
        TextEmbedding embedding = new FrozenBpeTextEncoder().Encode("a red car");

        uint[] firstTokenStart = embedding.Values.Take(4).Select(BitConverter.SingleToUInt32Bits).ToArray();
        uint[] thirdTokenEnd = embedding.Values.Skip(2 * 64 + 60).Take(4).Select(BitConverter.SingleToUInt32Bits).ToArray();

        CollectionAssert.AreEqual(new uint[] { 0xBFDCF711, 0x3FB40A97, 0x3E9C0BAB, 0xBE6C4587 }, firstTokenStart);
        CollectionAssert.AreEqual(new uint[] { 0xBFD72976, 0x3E25F305, 0x3F8F1DCE, 0x3F233B31 }, thirdTokenEnd);
    }
}
