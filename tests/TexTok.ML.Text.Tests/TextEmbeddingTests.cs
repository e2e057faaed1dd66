namespace TexTok.ML.Text.Tests;

[TestClass]
public sealed class TextEmbeddingTests
{
    [TestMethod]
    public void Constructor_DerivesShapeAndTruncation()
    {
        var embedding = new TextEmbedding([1, 2, 3, 4, 0, 0], [1, 1, 0], tokenCount: 2, originalTokenCount: 2);

        Assert.AreEqual(3, embedding.MaxTokens);
        Assert.AreEqual(2, embedding.EmbeddingDim);
        Assert.IsFalse(embedding.Truncated);
        Assert.IsTrue(new TextEmbedding([1, 2], [1], 1, 5).Truncated);
    }

    [TestMethod]
    public void Constructor_RejectsInconsistentArguments()
    {
        Assert.ThrowsExactly<ArgumentNullException>(() => new TextEmbedding(null!, [1], 1, 1));
        Assert.ThrowsExactly<ArgumentNullException>(() => new TextEmbedding([1], null!, 1, 1));
        Assert.ThrowsExactly<ArgumentException>(() => new TextEmbedding([1], [], 0, 0));
        Assert.ThrowsExactly<ArgumentException>(() => new TextEmbedding([1, 2, 3], [1, 0], 1, 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TextEmbedding([1, 2], [1, 1], 3, 3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TextEmbedding([1, 2], [1, 1], 2, 1));
        Assert.ThrowsExactly<ArgumentException>(() => new TextEmbedding([1, 2], [0, 1], 1, 1));
        Assert.ThrowsExactly<ArgumentException>(() => new TextEmbedding([1, 2], [1, 0], 1, 1));
    }

    [TestMethod]
    public void Pack_ConcatenatesInOrder()
    {
        var encoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 5, EmbeddingDim = 8 });
        IReadOnlyList<TextEmbedding> embeddings = encoder.EncodeBatch(["a cat", "a big brown dog", "sky"]);

        TextEmbeddingBatch batch = TextEmbeddingBatch.Pack(embeddings);

        CollectionAssert.AreEqual(new[] { 3, 5, 8 }, batch.ValuesShape);
        CollectionAssert.AreEqual(new[] { 3, 5 }, batch.MaskShape);
        Assert.AreEqual(3 * 5 * 8, batch.Values.Length);
        Assert.AreEqual(3 * 5, batch.Mask.Length);
        for (int b = 0; b < 3; b++)
        {
            CollectionAssert.AreEqual(embeddings[b].Values, batch.Values.AsSpan(b * 40, 40).ToArray());
            CollectionAssert.AreEqual(embeddings[b].Mask, batch.Mask.AsSpan(b * 5, 5).ToArray());
        }
    }

    [TestMethod]
    public void Pack_RejectsEmptyNullAndMixedShapes()
    {
        TextEmbedding small = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 4 }).Encode("a cat");
        TextEmbedding large = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 8 }).Encode("a cat");

        Assert.ThrowsExactly<ArgumentNullException>(() => TextEmbeddingBatch.Pack(null!));
        Assert.ThrowsExactly<ArgumentException>(() => TextEmbeddingBatch.Pack([]));
        Assert.ThrowsExactly<ArgumentNullException>(() => TextEmbeddingBatch.Pack([small, null!]));
        var mixed = Assert.ThrowsExactly<ArgumentException>(() => TextEmbeddingBatch.Pack([small, large]));
        StringAssert.Contains(mixed.Message, "Embedding 1");
    }
}
