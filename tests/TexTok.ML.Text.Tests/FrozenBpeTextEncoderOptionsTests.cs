namespace TexTok.ML.Text.Tests;

[TestClass]
public sealed class FrozenBpeTextEncoderOptionsTests
{
    [TestMethod]
    public void Defaults()
    {
        var options = new FrozenBpeTextEncoderOptions();

        Assert.AreEqual(32, options.MaxTokens);
        Assert.AreEqual(64, options.EmbeddingDim);
        Assert.AreEqual(FrozenBpeTextEncoderOptions.DefaultSeed, options.Seed);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-1)]
    [DataRow(513)]
    public void MaxTokens_OutOfRangeThrowsNamingTheOption(int value)
    {
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FrozenBpeTextEncoderOptions { MaxTokens = value });

        Assert.AreEqual(nameof(FrozenBpeTextEncoderOptions.MaxTokens), ex.ParamName);
        Assert.AreEqual(value, ex.ActualValue);
    }

    [TestMethod]
    [DataRow(7)]
    [DataRow(0)]
    [DataRow(4097)]
    public void EmbeddingDim_OutOfRangeThrowsNamingTheOption(int value)
    {
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FrozenBpeTextEncoderOptions { EmbeddingDim = value });

        Assert.AreEqual(nameof(FrozenBpeTextEncoderOptions.EmbeddingDim), ex.ParamName);
    }

    [TestMethod]
    [DataRow(1, 8)]
    [DataRow(512, 4096)]
    public void Bounds_AreAccepted(int maxTokens, int embeddingDim)
    {
        var encoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = maxTokens, EmbeddingDim = embeddingDim });

        TextEmbedding embedding = encoder.Encode("a small test caption");

        Assert.AreEqual(maxTokens * embeddingDim, embedding.Values.Length);
        Assert.AreEqual(Math.Min(maxTokens, encoder.Tokenize("a small test caption").Count), embedding.TokenCount);
    }

    [TestMethod]
    public void Encoder_CopiesOptions()
    {
        var options = new FrozenBpeTextEncoderOptions { MaxTokens = 10 };
        var encoder = new FrozenBpeTextEncoder(options);

        options.MaxTokens = 20;

        Assert.AreEqual(10, encoder.MaxTokens);
    }
}
