using TexTok.ML.Torch.Tokenizer;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests;

[TestClass]
public sealed class TexTokModelTests
{
    [TestMethod]
    [DataRow(TexTokPreset.Tiny, 64, 16)]
    [DataRow(TexTokPreset.Mini, 64, 32)]
    [DataRow(TexTokPreset.S, 32, 8)]
    [DataRow(TexTokPreset.B, 32, 8)]
    [DataRow(TexTokPreset.L, 32, 8)]
    public void EveryPresetProducesTokenAndImageShapes(TexTokPreset preset, int imageSize, int numTokens)
    {
        manual_seed(0);
        // Full width, heads and patch size of each preset; depth is cut to one block for the large ones to keep
        // the test fast (the preset depths are checked in PresetsMatchThePaperSizes).
        var config = TexTokConfig.FromPreset(preset, imageSize, numTokens, textTokens: 8, textDim: 32);
        if (preset is TexTokPreset.S or TexTokPreset.B or TexTokPreset.L)
        {
            config = config with { Depth = 1 };
        }

        using var model = new TexTokModel(config);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var image = rand(2, 3, imageSize, imageSize).Times(2).Minus(1);
        var text = randn(2, 8, 32);
        var mask = ones(2, 8);
        var (mean, logVar) = model.Encode(image, text, mask);
        CollectionAssert.AreEqual(new long[] { 2, numTokens, 8 }, mean.shape);
        CollectionAssert.AreEqual(new long[] { 2, numTokens, 8 }, logVar.shape);
        var decoded = model.Decode(mean, text, mask);
        CollectionAssert.AreEqual(new long[] { 2, 3, imageSize, imageSize }, decoded.shape);
        Assert.IsTrue(decoded.isfinite().all().item<bool>());
    }

    [TestMethod]
    public void PresetsMatchThePaperSizes()
    {
        var b256 = TexTokConfig.FromPreset(TexTokPreset.B, 256, 32);
        Assert.AreEqual((768, 12, 12, 8, 8), (b256.Width, b256.Depth, b256.Heads, b256.PatchSize, b256.TokenDim));
        Assert.AreEqual(16, TexTokConfig.FromPreset(TexTokPreset.B, 512, 32).PatchSize);
        Assert.AreEqual((512, 8), (TexTokConfig.FromPreset(TexTokPreset.S).Width, TexTokConfig.FromPreset(TexTokPreset.S).Depth));
        Assert.AreEqual((1024, 24, 16), (TexTokConfig.FromPreset(TexTokPreset.L).Width, TexTokConfig.FromPreset(TexTokPreset.L).Depth, TexTokConfig.FromPreset(TexTokPreset.L).Heads));
    }

    [TestMethod]
    public void InvalidConfigurationNamesTheOption()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (TexTokConfig.FromPreset(TexTokPreset.Tiny) with { PatchSize = 7 }).Validate());
        Assert.AreEqual("PatchSize", error.ParamName);
        error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TexTokConfig.FromPreset(TexTokPreset.Tiny, numTokens: 0));
        Assert.AreEqual("NumTokens", error.ParamName);
    }

    [TestMethod]
    public void TheCaptionChangesTokensAndReconstruction()
    {
        manual_seed(1);
        var config = TestData.TinyConfig();
        using var model = new TexTokModel(config);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (image, text, mask) = TestData.Batch(config, 2, seed: 3);
        manual_seed(99);
        var otherText = randn(text.shape);
        var (meanA, _) = model.Encode(image, text, mask);
        var (meanB, _) = model.Encode(image, otherText, mask);
        Assert.IsTrue((meanA - meanB).abs().max().item<float>() > 1e-6, $"the encoder ignored the caption ({(meanA - meanB).abs().max().item<float>()})");
        var decodedA = model.Decode(meanA, text, mask);
        var decodedB = model.Decode(meanA, otherText, mask);
        Assert.IsTrue((decodedA - decodedB).abs().max().item<float>() > 1e-4, "the decoder ignored the caption");
    }

    [TestMethod]
    public void TheBaselineHasNoTextPathAndIgnoresCaptions()
    {
        manual_seed(1);
        var config = TestData.TinyConfig(useText: false);
        using var model = new TexTokModel(config);
        Assert.IsFalse(model.named_parameters().Any(p => p.name.Contains(".text.")));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (image, text, mask) = TestData.Batch(TestData.TinyConfig(), 2, seed: 3);
        var withCaption = model.forward(image, text, mask);
        var withOther = model.forward(image, randn(text.shape), mask);
        var without = model.forward(image, null, null);
        Assert.AreEqual(0f, (withCaption - without).abs().max().item<float>());
        Assert.AreEqual(0f, (withOther - without).abs().max().item<float>());
    }

    [TestMethod]
    public void TextConditionedModelRejectsMissingOrMisshapedText()
    {
        var config = TestData.TinyConfig();
        using var model = new TexTokModel(config);
        using var scope = NewDisposeScope();
        var (image, text, mask) = TestData.Batch(config, 1, seed: 3);
        Assert.ThrowsExactly<ArgumentException>(() => model.forward(image, null, null));
        var error = Assert.ThrowsExactly<ArgumentException>(() => model.forward(image, randn(1, 5, 16), mask));
        StringAssert.Contains(error.Message, "[B, 6, 16]");
    }

    [TestMethod]
    public void PaddedTextPositionsDoNotChangeTheOutput()
    {
        manual_seed(2);
        var config = TestData.TinyConfig();
        using var model = new TexTokModel(config);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (image, text, _) = TestData.Batch(config, 2, seed: 4);
        var mask = tensor(new float[] { 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0 }, new long[] { 2, 6 });
        var scrambled = text.clone();
        scrambled[0, 3..] = randn(3, 16).Times(50);
        scrambled[1, 5] = randn(16).Times(50);
        var (meanA, logA) = model.Encode(image, text, mask);
        var (meanB, logB) = model.Encode(image, scrambled, mask);
        Assert.AreEqual(0f, (meanA - meanB).abs().max().item<float>(), 1e-6f);
        Assert.AreEqual(0f, (logA - logB).abs().max().item<float>(), 1e-6f);
        var decodedA = model.Decode(meanA, text, mask);
        var decodedB = model.Decode(meanA, scrambled, mask);
        Assert.AreEqual(0f, (decodedA - decodedB).abs().max().item<float>(), 1e-6f);

        var unmasked = ones(2, 6);
        var (meanC, _) = model.Encode(image, scrambled, unmasked);
        Assert.IsTrue((meanA - meanC).abs().max().item<float>() > 1e-6, $"changing visible text should change the tokens ({(meanA - meanC).abs().max().item<float>()})");
    }
    [TestMethod]
    public void TheRecipeLayersHaveTheirShapes()
    {
        manual_seed(2);
        var config = TestData.TinyConfig(imageSize: 32, numTokens: 8) with { ConvStemChannels = 12, ConvHeadChannels = 6 };
        using var model = new TexTokModel(config);
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        int patches = config.NumPatches, p = config.PatchSize;
        CollectionAssert.AreEqual(new long[] { 8, patches }, shapes["encoder.token_mix"]);
        CollectionAssert.AreEqual(new long[] { patches, 8 }, shapes["decoder.token_mix"]);
        CollectionAssert.AreEqual(new long[] { 12, 3, 3, 3 }, shapes["encoder.stem.weight"]);
        CollectionAssert.AreEqual(new long[] { config.Width, 12, p / 2, p / 2 }, shapes["encoder.patch_embed.weight"]);
        CollectionAssert.AreEqual(new long[] { p * p * 6, config.Width }, shapes["decoder.pixel_head.weight"]);
        CollectionAssert.AreEqual(new long[] { 3, 6, 3, 3 }, shapes["decoder.conv_head.weight"]);
        Assert.IsFalse(shapes.ContainsKey("decoder.refine.weight"), "the convolutional head replaces the refinement");

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (image, text, mask) = TestData.Batch(config, 3, seed: 4);
        var (mean, _) = model.Encode(image, text, mask);
        CollectionAssert.AreEqual(new long[] { 3, 8, config.TokenDim }, mean.shape);
        CollectionAssert.AreEqual(new long[] { 3, 3, 32, 32 }, model.Decode(mean, text, mask).shape);
    }

    [TestMethod]
    public void PresetsCarryTheRecipeAndOlderConfigurationsDoNot()
    {
        foreach (var preset in Enum.GetValues<TexTokPreset>())
        {
            var config = TexTokConfig.FromPreset(preset, 64, 16);
            Assert.IsTrue(config.TokenMixing, preset.ToString());
            Assert.AreEqual(TexTokConfig.RecipeQueryKeyInitStd, config.QueryKeyInitStd, preset.ToString());
        }

        // A configuration written before the recipe existed has none of its keys: it must read as the old network.
        const string written = "{\"ImageSize\":32,\"PatchSize\":4,\"Width\":64,\"Depth\":2,\"Heads\":4,\"MlpRatio\":4,\"NumTokens\":16," +
                               "\"TokenDim\":8,\"TextTokens\":32,\"TextDim\":64,\"UseText\":true,\"RefineConv\":true}";
        var old = TexTokConfig.FromJson(written);
        Assert.IsFalse(old.TokenMixing);
        Assert.AreEqual(0, old.ConvStemChannels);
        Assert.AreEqual(0, old.ConvHeadChannels);
        Assert.AreEqual(0.02, old.QueryKeyInitStd);
        Assert.AreEqual(old, TexTokConfig.FromJson(old.ToJson()));
    }

    [TestMethod]
    public void BadRecipeOptionsNameTheOption()
    {
        var tiny = TestData.TinyConfig();
        Assert.AreEqual("ConvStemChannels", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (tiny with { ConvStemChannels = -1 }).Validate()).ParamName);
        Assert.AreEqual("PatchSize", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (tiny with { ImageSize = 24, PatchSize = 3, ConvStemChannels = 8 }).Validate()).ParamName);
        Assert.AreEqual("ConvHeadChannels", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (tiny with { ConvHeadChannels = -2 }).Validate()).ParamName);
        Assert.AreEqual("QueryKeyInitStd", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (tiny with { QueryKeyInitStd = double.NaN }).Validate()).ParamName);
    }
    [TestMethod]
    public void TheTokenAxisPathStartsWithEachTokenOwningABlockOfPatches()
    {
        var config = TestData.TinyConfig(imageSize: 32, numTokens: 16);
        manual_seed(3);
        using var model = new TexTokModel(config);
        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var scope = NewDisposeScope();
        // 16 tokens on the 8 × 8 patch grid: a 4 × 4 layout, each token owning a 2 × 2 block.
        var encoder = weights["encoder.token_mix"].detach();
        var decoder = weights["decoder.token_mix"].detach();
        foreach (var (patch, token) in new[] { (0, 0), (1, 0), (8, 0), (9, 0), (2, 1), (16, 4), (63, 15), (54, 15) })
        {
            Assert.AreEqual(0.25f, encoder[token, patch].item<float>(), $"M_e[{token}, {patch}]");
            Assert.AreEqual(1f, decoder[patch, token].item<float>(), $"M_d[{patch}, {token}]");
        }

        CollectionAssert.AreEqual(Enumerable.Repeat(1f, 16).ToArray(), encoder.sum(1).data<float>().ToArray(), "each token averages its patches");
        CollectionAssert.AreEqual(Enumerable.Repeat(1f, 64).ToArray(), decoder.sum(1).data<float>().ToArray(), "each query gets one token");
        Assert.AreEqual(64L, encoder.count_nonzero().item<long>());

        // Layouts for other counts: 2 tokens split the grid left and right, 32 own 2 × 1 blocks, 128 cannot tile 8 × 8.
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 0, 1, 1, 1, 1 }, TokenAxisPath.PatchOwners(config with { NumTokens = 2 })!.Take(8).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4, 5, 6, 7 }, TokenAxisPath.PatchOwners(config with { NumTokens = 32 })!.Take(8).ToArray());
        Assert.AreEqual(8, TokenAxisPath.PatchOwners(config with { NumTokens = 32 })![16]);
        Assert.IsNull(TokenAxisPath.PatchOwners(config with { NumTokens = 128 }));
    }
}
