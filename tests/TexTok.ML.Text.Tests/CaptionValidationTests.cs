namespace TexTok.ML.Text.Tests;

[TestClass]
public sealed class CaptionValidationTests
{
    [TestMethod]
    public void Encode_NullCaptionThrowsNamingTheParameter()
    {
        var encoder = new FrozenBpeTextEncoder();

        var ex = Assert.ThrowsExactly<ArgumentNullException>(() => encoder.Encode(null!));

        Assert.AreEqual("caption", ex.ParamName);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow(" ")]
    [DataRow("\t\r\n \u00A0")]
    public void Encode_EmptyOrWhiteSpaceCaptionThrowsNamingTheParameter(string caption)
    {
        var encoder = new FrozenBpeTextEncoder();

        var ex = Assert.ThrowsExactly<ArgumentException>(() => encoder.Encode(caption));

        Assert.AreEqual("caption", ex.ParamName);
        StringAssert.Contains(ex.Message, "empty");
    }

    [TestMethod]
    public void Tokenize_RejectsEmptyCaptionLikeEncode()
    {
        var encoder = new FrozenBpeTextEncoder();

        Assert.AreEqual("caption", Assert.ThrowsExactly<ArgumentNullException>(() => encoder.Tokenize(null!)).ParamName);
        Assert.AreEqual("caption", Assert.ThrowsExactly<ArgumentException>(() => encoder.Tokenize("  ")).ParamName);
    }

    [TestMethod]
    public void EncodeBatch_NullListThrows()
    {
        var encoder = new FrozenBpeTextEncoder();

        var ex = Assert.ThrowsExactly<ArgumentNullException>(() => encoder.EncodeBatch(null!));

        Assert.AreEqual("captions", ex.ParamName);
    }

    [TestMethod]
    public void EncodeBatch_BadItemThrowsNamingTheParameterAndIndex()
    {
        var encoder = new FrozenBpeTextEncoder();

        var nullItem = Assert.ThrowsExactly<ArgumentNullException>(() => encoder.EncodeBatch(["a cat", null!]));
        var blankItem = Assert.ThrowsExactly<ArgumentException>(() => encoder.EncodeBatch(["a cat", "a dog", "   "]));

        Assert.AreEqual("captions", nullItem.ParamName);
        StringAssert.Contains(nullItem.Message, "index 1");
        Assert.AreEqual("captions", blankItem.ParamName);
        StringAssert.Contains(blankItem.Message, "index 2");
        StringAssert.Contains(blankItem.Message, "empty");
    }

    [TestMethod]
    public void EncodeBatch_EmptyListGivesEmptyResult()
    {
        Assert.AreEqual(0, new FrozenBpeTextEncoder().EncodeBatch([]).Count);
    }
}
