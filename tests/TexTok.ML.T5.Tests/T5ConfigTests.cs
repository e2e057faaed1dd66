namespace TexTok.ML.T5.Tests;

[TestClass]
public sealed class T5ConfigTests
{
    [TestMethod]
    public void HuggingFaceConfigIsRead()
    {
        const string Json = """
            {
              "architectures": ["T5ForConditionalGeneration"],
              "d_ff": 5120, "d_kv": 64, "d_model": 2048, "decoder_start_token_id": 0, "dropout_rate": 0.1,
              "eos_token_id": 1, "feed_forward_proj": "gated-gelu", "initializer_factor": 1.0,
              "is_encoder_decoder": true, "layer_norm_epsilon": 1e-06, "model_type": "t5",
              "num_decoder_layers": 24, "num_heads": 32, "num_layers": 24, "output_past": true,
              "pad_token_id": 0, "relative_attention_num_buckets": 32, "tie_word_embeddings": false,
              "vocab_size": 32128
            }
            """;
        var config = T5Config.FromJson(Json);
        Assert.AreEqual(T5Config.V11XL, config);
        Assert.IsTrue(config.IsGated);
        Assert.AreEqual("gelu_new", config.Activation);
        Assert.AreEqual(128, config.RelativeAttentionMaxDistance);
        Assert.AreEqual(config, T5Config.FromJson(config.ToJson()));
    }

    [TestMethod]
    public void ParameterCountsMatchTheKnownSizes()
    {
        // T5 v1.1 XL and XXL encoders: about 1.2B and 4.7B parameters.
        Assert.AreEqual(1.22e9, T5Config.V11XL.EncoderParameterCount(), 0.03e9);
        Assert.AreEqual(4.76e9, T5Config.V11XXL.EncoderParameterCount(), 0.06e9);
    }

    [TestMethod]
    public void InvalidConfigsAreRefused()
    {
        Assert.ThrowsExactly<InvalidDataException>(() => T5Config.FromJson("""{"feed_forward_proj": "gated-silu"}"""));
        Assert.ThrowsExactly<InvalidDataException>(() => T5Config.FromJson("""{"d_model": 0}"""));
        Assert.ThrowsExactly<InvalidDataException>(() => T5Config.FromJson("""{"d_model": "wide"}"""));
        Assert.ThrowsExactly<InvalidDataException>(() => T5Config.FromJson("not json"));
        Assert.AreEqual("relu", T5Config.FromJson("""{"feed_forward_proj": "relu"}""").Activation);
    }

    [TestMethod]
    public void RelativeBucketsMatchHandComputedValues()
    {
        // 32 buckets, max distance 128: 16 per direction (keys after the query get +16), exact below 8,
        // then 8 + floor(log(n / 8) / log(16) · 8), at most 15.
        var expected = new (int Relative, int Bucket)[]
        {
            (0, 0), (-1, 1), (-7, 7), (-8, 8), (-11, 8), (-12, 9), (-16, 10), (-23, 11), (-32, 12),
            (-64, 14), (-90, 14), (-91, 15), (-128, 15), (-1000, 15),
            (1, 17), (7, 23), (8, 24), (12, 25), (16, 26), (32, 28), (64, 30), (91, 31), (500, 31),
        };
        foreach (var (relative, bucket) in expected)
        {
            Assert.AreEqual(bucket, T5RelativePosition.Bucket(relative, 32, 128), $"relative position {relative}");
        }

        var grid = T5RelativePosition.Buckets(3, 32, 128);
        CollectionAssert.AreEqual(new long[] { 0, 17, 18, 1, 0, 17, 2, 1, 0 }, grid);
    }
}
