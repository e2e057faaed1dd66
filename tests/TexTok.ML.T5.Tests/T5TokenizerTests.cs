using TexTok.ML.Text;

namespace TexTok.ML.T5.Tests;

[TestClass]
public sealed class T5TokenizerTests
{
    private static readonly T5Tokenizer Tokenizer = SentencePieceModelWriter.TestTokenizer();

    [TestMethod]
    public void CaptionsRoundTripThroughWordPieces()
    {
        var ids = Tokenizer.EncodeToIds("a red circle");
        CollectionAssert.AreEqual(
            new[] { SentencePieceModelWriter.IdOf("\u2581a"), SentencePieceModelWriter.IdOf("\u2581red"), SentencePieceModelWriter.IdOf("\u2581circle") },
            ids.ToArray());
        Assert.AreEqual("a red circle", Tokenizer.Decode(ids));

        var plural = Tokenizer.EncodeToIds("blue circles on the left");
        CollectionAssert.AreEqual(
            new[] { "\u2581blue", "\u2581circle", "s", "\u2581on", "\u2581the", "\u2581left" }.Select(SentencePieceModelWriter.IdOf).ToArray(),
            plural.ToArray());
        Assert.AreEqual("blue circles on the left", Tokenizer.Decode(plural));
        Assert.AreEqual(SentencePieceModelWriter.TestPieces.Length, Tokenizer.VocabularySize);
        Assert.AreEqual(2, Tokenizer.UnknownId);
    }

    [TestMethod]
    public void UnknownWordsFallBackToLettersAndUnknownCharactersToUnk()
    {
        var ids = Tokenizer.EncodeToIds("a big");
        Assert.AreEqual("a big", Tokenizer.Decode(ids));
        var unknown = Tokenizer.EncodeToIds("a 7");
        CollectionAssert.Contains(unknown.ToArray(), Tokenizer.UnknownId);
    }

    [TestMethod]
    public void EosIsAppendedAndPaddingUsesZero()
    {
        var t = Tokenizer.Tokenize("a red circle", maxTokens: 8);
        CollectionAssert.AreEqual(new[] { 4, 5, 6, T5Tokenizer.EosId }, t.Ids.ToArray());
        Assert.AreEqual(4, t.TokenCount);
        Assert.AreEqual(4, t.OriginalTokenCount);
        Assert.IsFalse(t.Truncated);
        CollectionAssert.AreEqual(new long[] { 4, 5, 6, 1, 0, 0 }, t.ToPaddedIds(6));
        Assert.AreEqual("a red circle", Tokenizer.Decode(t.ToPaddedIds(6).Select(i => (int)i)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => t.ToPaddedIds(3));
    }

    [TestMethod]
    public void TruncationKeepsEosLastAndIsReported()
    {
        var tokenizer = SentencePieceModelWriter.TestTokenizer();
        var events = new List<CaptionTruncatedEventArgs>();
        tokenizer.CaptionTruncated += (_, e) => events.Add(e);
        var t = tokenizer.Tokenize("a red circle on the left", maxTokens: 3);
        CollectionAssert.AreEqual(new[] { 4, 5, T5Tokenizer.EosId }, t.Ids.ToArray());
        Assert.IsTrue(t.Truncated);
        Assert.AreEqual(7, t.OriginalTokenCount);
        Assert.AreEqual(1, events.Count);
        Assert.AreEqual(7, events[0].OriginalTokenCount);
        Assert.AreEqual(3, events[0].KeptTokenCount);
        Assert.AreEqual("a red circle on the left", events[0].Caption);

        var exact = tokenizer.Tokenize("a red", maxTokens: 3);
        Assert.IsFalse(exact.Truncated);
        Assert.AreEqual(1, events.Count);
        CollectionAssert.AreEqual(new[] { T5Tokenizer.EosId }, tokenizer.Tokenize("a red", maxTokens: 1).Ids.ToArray());
    }

    [TestMethod]
    public void FilesAreReadAndBadInputIsRefused()
    {
        string path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.model");
        File.WriteAllBytes(path, SentencePieceModelWriter.Build(SentencePieceModelWriter.TestPieces));
        try
        {
            Assert.AreEqual(SentencePieceModelWriter.TestPieces.Length, T5Tokenizer.FromFile(path).VocabularySize);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.ThrowsExactly<FileNotFoundException>(() => T5Tokenizer.FromFile(path));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Tokenizer.Tokenize("a", 0));
        Assert.ThrowsExactly<InvalidDataException>(() => new T5Tokenizer(new MemoryStream([0x0A, 0x7F, 0x01])));
        Assert.ThrowsExactly<InvalidDataException>(() => new T5Tokenizer(new MemoryStream([0x0B])));
    }
}
