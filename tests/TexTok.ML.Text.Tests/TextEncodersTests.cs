namespace TexTok.ML.Text.Tests;

[TestClass]
public sealed class TextEncodersTests
{
    [TestMethod]
    public void Identity_DescribesEncoderAndSettings()
    {
        var encoder = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = 16, EmbeddingDim = 128, Seed = -42 });

        Assert.AreEqual("frozen-bpe/cl100k_base/Nt=16/Dt=128/seed=-42/v1", encoder.Identity);
        Assert.AreEqual($"frozen-bpe/cl100k_base/Nt=32/Dt=64/seed={FrozenBpeTextEncoderOptions.DefaultSeed}/v1", new FrozenBpeTextEncoder().Identity);
    }

    [TestMethod]
    [DataRow(32, 64, FrozenBpeTextEncoderOptions.DefaultSeed)]
    [DataRow(1, 8, int.MinValue)]
    [DataRow(512, 4096, int.MaxValue)]
    [DataRow(77, 33, 0)]
    public void FromIdentity_RoundTrips(int maxTokens, int embeddingDim, int seed)
    {
        var original = new FrozenBpeTextEncoder(new FrozenBpeTextEncoderOptions { MaxTokens = maxTokens, EmbeddingDim = embeddingDim, Seed = seed });

        ITextEncoder recreated = TextEncoders.FromIdentity(original.Identity);

        Assert.IsInstanceOfType<FrozenBpeTextEncoder>(recreated);
        Assert.AreEqual(original.Identity, recreated.Identity);
        Assert.AreEqual(maxTokens, recreated.MaxTokens);
        Assert.AreEqual(embeddingDim, recreated.EmbeddingDim);
        CollectionAssert.AreEqual(original.Encode("a blue bird").Values, recreated.Encode("a blue bird").Values);
    }

    [TestMethod]
    public void FromIdentity_NullThrows()
    {
        Assert.AreEqual("identity", Assert.ThrowsExactly<ArgumentNullException>(() => TextEncoders.FromIdentity(null!)).ParamName);
    }

    [TestMethod]
    [DataRow("t5-base/whatever")]
    [DataRow("")]
    [DataRow("frozen-bpe")]
    public void FromIdentity_UnknownEncoderThrows(string identity)
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => TextEncoders.FromIdentity(identity));

        Assert.AreEqual("identity", ex.ParamName);
        StringAssert.Contains(ex.Message, "No built-in text encoder");
        Assert.IsFalse(TextEncoders.TryFromIdentity(identity, out ITextEncoder? encoder));
        Assert.IsNull(encoder);
    }

    [TestMethod]
    [DataRow("frozen-bpe/cl100k_base/Nt=32/Dt=64/seed=1/v2", "version")]
    [DataRow("frozen-bpe/o200k_base/Nt=32/Dt=64/seed=1/v1", "encoding")]
    [DataRow("frozen-bpe/cl100k_base/Nt=0/Dt=64/seed=1/v1", "range")]
    [DataRow("frozen-bpe/cl100k_base/Nt=32/Dt=5000/seed=1/v1", "range")]
    [DataRow("frozen-bpe/cl100k_base/Nt=032/Dt=64/seed=1/v1", "canonical")]
    [DataRow("frozen-bpe/cl100k_base/Nt=32/Dt=64/seed=+1/v1", "canonical")]
    [DataRow("frozen-bpe/cl100k_base/Dt=64/Nt=32/seed=1/v1", "integer")]
    [DataRow("frozen-bpe/cl100k_base/Nt=32/Dt=64/seed=x/v1", "integer")]
    [DataRow("frozen-bpe/cl100k_base/Nt=32/Dt=64/seed=1/v1/", "segments")]
    public void FromIdentity_MalformedFrozenBpeIdentityThrowsWithReason(string identity, string reason)
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => TextEncoders.FromIdentity(identity));

        Assert.AreEqual("identity", ex.ParamName);
        StringAssert.Contains(ex.Message, reason);
        StringAssert.Contains(ex.Message, "frozen-bpe/cl100k_base/Nt=<1..512>/Dt=<8..4096>/seed=<int>/v1");
        Assert.IsFalse(TextEncoders.TryFromIdentity(identity, out _));
    }

    [TestMethod]
    public void TryFromIdentity_ReturnsEncoder()
    {
        string identity = new FrozenBpeTextEncoder().Identity;

        Assert.IsTrue(TextEncoders.TryFromIdentity(identity, out ITextEncoder? encoder));
        Assert.AreEqual(identity, encoder.Identity);
    }

    [TestMethod]
    public void EnsureCompatible_AcceptsMatchAndRefusesMismatch()
    {
        var encoder = new FrozenBpeTextEncoder();

        TextEncoders.EnsureCompatible(encoder, encoder.Identity);
        var ex = Assert.ThrowsExactly<InvalidOperationException>(
            () => TextEncoders.EnsureCompatible(encoder, "frozen-bpe/cl100k_base/Nt=32/Dt=64/seed=1/v1"));

        StringAssert.Contains(ex.Message, encoder.Identity);
    }
}
