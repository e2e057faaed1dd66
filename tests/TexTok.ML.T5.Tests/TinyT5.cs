using System.Text;
using System.Text.Json.Nodes;
using TexTok.ML.Torch.Checkpoints;
using static TorchSharp.torch;

namespace TexTok.ML.T5.Tests;

/// <summary>A tiny T5 encoder with seeded random weights in Hugging Face's layout, written in several file forms.</summary>
internal static class TinyT5
{
    /// <summary>3 heads × 4 = 12 inner width (not d_model), 8 buckets over distance 12 so short sequences reach the log-spaced buckets.</summary>
    public static readonly T5Config Config = new()
    {
        DModel = 16,
        DKv = 4,
        DFf = 20,
        NumLayers = 2,
        NumHeads = 3,
        RelativeAttentionNumBuckets = 8,
        RelativeAttentionMaxDistance = 12,
        VocabSize = 48,
        FeedForwardProj = "gated-gelu",
    };

    /// <summary>The encoder's tensors by Hugging Face name, as float arrays with shapes.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> Weights(T5Config config, int seed)
    {
        var random = new Random(seed);
        var weights = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
        void Add(string name, double scale, double offset, params long[] shape)
        {
            long count = shape.Aggregate(1L, (a, s) => a * s);
            var values = new float[count];
            for (long i = 0; i < count; i++)
            {
                values[i] = (float)(offset + scale * Gaussian(random));
            }

            weights[name] = (values, shape);
        }

        int d = config.DModel, inner = config.InnerDim, ff = config.DFf;
        Add("shared.weight", 1.0, 0, config.VocabSize, d);
        for (int i = 0; i < config.NumLayers; i++)
        {
            string p = $"encoder.block.{i}.layer.";
            foreach (string m in new[] { "q", "k", "v" })
            {
                Add($"{p}0.SelfAttention.{m}.weight", 1 / Math.Sqrt(d), 0, inner, d);
            }

            Add($"{p}0.SelfAttention.o.weight", 1 / Math.Sqrt(inner), 0, d, inner);
            if (i == 0)
            {
                Add($"{p}0.SelfAttention.relative_attention_bias.weight", 0.5, 0, config.RelativeAttentionNumBuckets, config.NumHeads);
            }

            Add($"{p}0.layer_norm.weight", 0.1, 1, d);
            if (config.IsGated)
            {
                Add($"{p}1.DenseReluDense.wi_0.weight", 1 / Math.Sqrt(d), 0, ff, d);
                Add($"{p}1.DenseReluDense.wi_1.weight", 1 / Math.Sqrt(d), 0, ff, d);
            }
            else
            {
                Add($"{p}1.DenseReluDense.wi.weight", 1 / Math.Sqrt(d), 0, ff, d);
            }

            Add($"{p}1.DenseReluDense.wo.weight", 1 / Math.Sqrt(ff), 0, d, ff);
            Add($"{p}1.layer_norm.weight", 0.1, 1, d);
        }

        Add("encoder.final_layer_norm.weight", 0.1, 1, d);
        return weights;
    }

    /// <summary>Tensors for <see cref="SafeTensors.Save"/>; the caller disposes them.</summary>
    public static Dictionary<string, Tensor> ToTensors(Dictionary<string, (float[] Values, long[] Shape)> weights) =>
        weights.ToDictionary(kv => kv.Key, kv => tensor(kv.Value.Values, kv.Value.Shape), StringComparer.Ordinal);

    public static void SaveSingle(string path, Dictionary<string, (float[] Values, long[] Shape)> weights)
    {
        var tensors = ToTensors(weights);
        try
        {
            SafeTensors.Save(path, tensors);
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>Writes two shards and <c>model.safetensors.index.json</c> in <paramref name="directory"/>.</summary>
    public static void SaveSharded(string directory, Dictionary<string, (float[] Values, long[] Shape)> weights)
    {
        var names = weights.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        var map = new JsonObject();
        for (int shard = 0; shard < 2; shard++)
        {
            string file = $"model-0000{shard + 1}-of-00002.safetensors";
            var part = names.Where((_, i) => i % 2 == shard).ToDictionary(n => n, n => weights[n], StringComparer.Ordinal);
            SaveSingle(Path.Combine(directory, file), part);
            foreach (var n in part.Keys)
            {
                map[n] = file;
            }
        }

        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = map };
        File.WriteAllText(Path.Combine(directory, T5WeightLoader.IndexFileName), index.ToJsonString());
    }

    /// <summary>Writes float16 (or bfloat16, by truncation) safetensors by hand (the library's writer writes float32 only).</summary>
    public static void SaveHalf(string path, Dictionary<string, (float[] Values, long[] Shape)> weights, bool bfloat16 = false)
    {
        var names = weights.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        long offset = 0;
        foreach (var name in names)
        {
            long bytes = weights[name].Values.LongLength * 2;
            header[name] = new JsonObject
            {
                ["dtype"] = bfloat16 ? "BF16" : "F16",
                ["shape"] = new JsonArray(weights[name].Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var stream = File.Create(path);
        stream.Write(BitConverter.GetBytes((long)headerBytes.Length));
        stream.Write(headerBytes);
        foreach (var name in names)
        {
            foreach (float v in weights[name].Values)
            {
                stream.Write(bfloat16 ? BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)) : BitConverter.GetBytes((Half)v));
            }
        }
    }

    /// <summary>The weights truncated to bfloat16 and back, as the bfloat16 file holds them.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> TruncatedToBFloat16(Dictionary<string, (float[] Values, long[] Shape)> weights) =>
        weights.ToDictionary(
            kv => kv.Key,
            kv => (kv.Value.Values.Select(v => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(v) & 0xFFFF0000u)).ToArray(), kv.Value.Shape),
            StringComparer.Ordinal);

    /// <summary>The weights rounded to float16 and back, as the float16 file holds them.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> RoundedToHalf(Dictionary<string, (float[] Values, long[] Shape)> weights) =>
        weights.ToDictionary(kv => kv.Key, kv => (kv.Value.Values.Select(v => (float)(Half)v).ToArray(), kv.Value.Shape), StringComparer.Ordinal);

    /// <summary>A model directory: config.json, spiece.model and model.safetensors.</summary>
    public static string WriteModelDirectory(string parent, string name, int seed)
    {
        string dir = Path.Combine(parent, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, T5WeightLoader.ConfigFileName), Config.ToJson());
        File.WriteAllBytes(Path.Combine(dir, T5TextEncoder.SentencePieceFileName), SentencePieceModelWriter.Build(SentencePieceModelWriter.TestPieces));
        SaveSingle(Path.Combine(dir, T5WeightLoader.SingleFileName), Weights(Config, seed));
        return dir;
    }

    public static string NewTempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "t5-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
