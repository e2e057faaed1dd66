using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TexTok.ML.T5;

/// <summary>
/// The shape of a T5 encoder, as in a Hugging Face <c>config.json</c>. The defaults are those of T5 v1.1
/// (gated-GELU feed-forward, 32 relative-position buckets over a maximum distance of 128, RMSNorm ε = 1e-6).
/// </summary>
public sealed record T5Config
{
    /// <summary>Model width, <c>d_model</c>; the embedding dimension Dt of the encoder's output.</summary>
    public int DModel { get; init; } = 512;

    /// <summary>Width of one attention head, <c>d_kv</c>.</summary>
    public int DKv { get; init; } = 64;

    /// <summary>Inner width of the feed-forward layer, <c>d_ff</c>.</summary>
    public int DFf { get; init; } = 1024;

    /// <summary>Number of encoder blocks, <c>num_layers</c>.</summary>
    public int NumLayers { get; init; } = 8;

    /// <summary>Number of attention heads, <c>num_heads</c>.</summary>
    public int NumHeads { get; init; } = 6;

    /// <summary>Number of relative-position buckets, <c>relative_attention_num_buckets</c> (split between the two directions).</summary>
    public int RelativeAttentionNumBuckets { get; init; } = 32;

    /// <summary>Distance beyond which all relative positions share a bucket, <c>relative_attention_max_distance</c>.</summary>
    public int RelativeAttentionMaxDistance { get; init; } = 128;

    /// <summary>Vocabulary size, <c>vocab_size</c>: rows of the token embedding.</summary>
    public int VocabSize { get; init; } = 32128;

    /// <summary>The ε added to the mean square in every RMSNorm, <c>layer_norm_epsilon</c>.</summary>
    public double LayerNormEpsilon { get; init; } = 1e-6;

    /// <summary>
    /// The feed-forward kind, <c>feed_forward_proj</c>: <c>"gated-gelu"</c> (T5 v1.1: gelu_new(wi_0 x) · wi_1 x),
    /// <c>"relu"</c> (original T5: relu(wi x)), or the general form <c>"[gated-]act"</c> with act <c>relu</c>,
    /// <c>gelu_new</c> or <c>gelu</c> (read as <c>gelu_new</c> when gated, as Hugging Face does).
    /// </summary>
    public string FeedForwardProj { get; init; } = "gated-gelu";

    /// <summary>Whether the feed-forward layer is gated (two input projections <c>wi_0</c>, <c>wi_1</c>).</summary>
    public bool IsGated => FeedForwardProj.StartsWith("gated-", StringComparison.Ordinal);

    /// <summary>The feed-forward activation: <c>gelu_new</c> (tanh-approximate GELU) or <c>relu</c>.</summary>
    public string Activation
    {
        get
        {
            string act = IsGated ? FeedForwardProj["gated-".Length..] : FeedForwardProj;
            return act == "gelu" && IsGated ? "gelu_new" : act;
        }
    }

    /// <summary>Width of all heads together, <c>num_heads · d_kv</c>.</summary>
    public int InnerDim => NumHeads * DKv;

    /// <summary>The sizes of the T5 v1.1 "small" encoder (d_model 512, 8 layers, 6 heads, d_ff 1024).</summary>
    public static T5Config V11Small => new();

    /// <summary>The sizes of the T5 v1.1 XL encoder (d_model 2048, 24 layers, 32 heads, d_ff 5120, ≈1.2B encoder parameters).</summary>
    public static T5Config V11XL => new() { DModel = 2048, DKv = 64, DFf = 5120, NumLayers = 24, NumHeads = 32 };

    /// <summary>The sizes of the T5 v1.1 XXL encoder (d_model 4096, 24 layers, 64 heads, d_ff 10240, ≈4.7B encoder parameters).</summary>
    public static T5Config V11XXL => new() { DModel = 4096, DKv = 64, DFf = 10240, NumLayers = 24, NumHeads = 64 };

    /// <summary>Checks that every size is positive and the feed-forward kind is supported.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the <c>config.json</c> key.</exception>
    public void Validate()
    {
        Positive(DModel, "d_model");
        Positive(DKv, "d_kv");
        Positive(DFf, "d_ff");
        Positive(NumLayers, "num_layers");
        Positive(NumHeads, "num_heads");
        Positive(VocabSize, "vocab_size");
        if (RelativeAttentionNumBuckets < 4 || RelativeAttentionNumBuckets % 4 != 0)
        {
            throw new ArgumentException(
                $"relative_attention_num_buckets must be a positive multiple of 4 (bidirectional buckets, half exact); it is {RelativeAttentionNumBuckets}.");
        }

        if (RelativeAttentionMaxDistance <= RelativeAttentionNumBuckets / 4)
        {
            throw new ArgumentException(
                $"relative_attention_max_distance ({RelativeAttentionMaxDistance}) must exceed relative_attention_num_buckets / 4 ({RelativeAttentionNumBuckets / 4}).");
        }

        if (!(LayerNormEpsilon > 0))
        {
            throw new ArgumentException($"layer_norm_epsilon must be positive; it is {LayerNormEpsilon}.");
        }

        if (Activation is not ("gelu_new" or "relu"))
        {
            throw new ArgumentException(
                $"feed_forward_proj '{FeedForwardProj}' is not supported; use 'gated-gelu' (T5 v1.1), 'relu' (original T5) or '[gated-](relu|gelu_new)'.");
        }
    }

    /// <summary>Reads a Hugging Face T5 <c>config.json</c>; keys that are absent keep the T5 v1.1 defaults.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The validated configuration.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid T5 configuration; the message names the file.</exception>
    public static T5Config FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"T5 configuration '{path}' does not exist.", path);
        }

        try
        {
            return FromJson(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }

    /// <summary>Parses the text of a Hugging Face T5 <c>config.json</c>; keys that are absent keep the T5 v1.1 defaults.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The validated configuration.</returns>
    /// <exception cref="InvalidDataException">The text is not JSON, a value has the wrong type, or a value is out of range.</exception>
    public static T5Config FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("the configuration is empty.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"the T5 configuration is not a JSON object ({e.Message}).", e);
        }

        var defaults = new T5Config();
        try
        {
            var config = new T5Config
            {
                DModel = Int(root, "d_model", defaults.DModel),
                DKv = Int(root, "d_kv", defaults.DKv),
                DFf = Int(root, "d_ff", defaults.DFf),
                NumLayers = Int(root, "num_layers", defaults.NumLayers),
                NumHeads = Int(root, "num_heads", defaults.NumHeads),
                RelativeAttentionNumBuckets = Int(root, "relative_attention_num_buckets", defaults.RelativeAttentionNumBuckets),
                RelativeAttentionMaxDistance = Int(root, "relative_attention_max_distance", defaults.RelativeAttentionMaxDistance),
                VocabSize = Int(root, "vocab_size", defaults.VocabSize),
                LayerNormEpsilon = root["layer_norm_epsilon"] is JsonNode eps ? eps.GetValue<double>() : defaults.LayerNormEpsilon,
                FeedForwardProj = root["feed_forward_proj"] is JsonNode ff ? ff.GetValue<string>() : defaults.FeedForwardProj,
            };
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"invalid T5 configuration: {e.Message}", e);
        }
    }

    /// <summary>Writes the configuration as a Hugging Face style <c>config.json</c> text (encoder keys only).</summary>
    /// <returns>Indented JSON.</returns>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["model_type"] = "t5",
            ["d_model"] = DModel,
            ["d_kv"] = DKv,
            ["d_ff"] = DFf,
            ["num_layers"] = NumLayers,
            ["num_heads"] = NumHeads,
            ["relative_attention_num_buckets"] = RelativeAttentionNumBuckets,
            ["relative_attention_max_distance"] = RelativeAttentionMaxDistance,
            ["vocab_size"] = VocabSize,
            ["layer_norm_epsilon"] = LayerNormEpsilon,
            ["feed_forward_proj"] = FeedForwardProj,
            ["pad_token_id"] = 0,
            ["eos_token_id"] = 1,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The number of encoder parameters (token embedding included) this configuration has.</summary>
    public long EncoderParameterCount()
    {
        long d = DModel, inner = InnerDim, ff = DFf;
        long attention = 4 * d * inner;
        long feedForward = (IsGated ? 3 : 2) * d * ff;
        long perBlock = attention + feedForward + 2 * d;
        return (long)VocabSize * d + NumLayers * perBlock + (long)RelativeAttentionNumBuckets * NumHeads + d;
    }

    private static int Int(JsonObject root, string key, int fallback) =>
        root[key] is JsonNode node ? node.GetValue<int>() : fallback;

    private static void Positive(int value, string key)
    {
        if (value <= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{key} must be positive; it is {value}."));
        }
    }
}
