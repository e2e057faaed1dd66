using System.Text.Json.Nodes;
using CsCheck;
using TexTok.ML.Testing;

namespace TexTok.ML.T5.Tests;

/// <summary>
/// Mutated SentencePiece models and T5 <c>config.json</c> files: each reader succeeds or throws its documented
/// exception naming the file (docs/reliability.md).
/// </summary>
[TestClass]
public sealed class ReaderFuzzTests
{
    private static readonly string[] ConfigKeys =
        ["d_model", "d_kv", "d_ff", "num_layers", "num_heads", "relative_attention_num_buckets", "relative_attention_max_distance", "vocab_size", "layer_norm_epsilon", "feed_forward_proj"];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void SentencePieceModelsKeepTheirContractUnderMutations()
    {
        string path = Path.Combine(Path.GetTempPath(), $"textok-fuzz-{Guid.NewGuid():N}.model");
        byte[] valid = SentencePieceModelWriter.Build(SentencePieceModelWriter.TestPieces);
        var tally = ReaderFuzz.Run(ReaderFuzz.Mutations, ReaderFuzz.Iterations(600), seed: 31, mutation =>
        {
            byte[] bytes = mutation.Apply(valid);
            File.WriteAllBytes(path, bytes);
            return ReaderFuzz.WithinAllocation(
                () => ReaderFuzz.Contract(() => T5Tokenizer.FromFile(path), path, typeof(InvalidDataException)),
                bound: (64L * bytes.Length) + (4 << 20), path);
        }, m => m.ToString());
        File.Delete(path);
        TestContext.WriteLine($"spiece.model: {tally}");
        Assert.IsGreaterThan(0, tally.Accepted);
        Assert.IsGreaterThan(0, tally.Refused);
    }

    [TestMethod]
    public void T5ConfigFilesKeepTheirContractUnderMutations()
    {
        string path = Path.Combine(Path.GetTempPath(), $"textok-fuzz-{Guid.NewGuid():N}.json");
        string valid = T5Config.V11Small.ToJson();
        var gen = Gen.Frequency(
            (1, ReaderFuzz.Mutations.Select(m => (Mutation: m, Key: (string?)null, Value: (string?)null))),
            (2, Gen.Select(Gen.Int[0, ConfigKeys.Length - 1], ReaderFuzz.JsonValues, (k, v) => (Mutation: (ReaderFuzz.Mutation?)null, Key: (string?)ConfigKeys[k], Value: (string?)v))));
        var tally = ReaderFuzz.Run(gen, ReaderFuzz.Iterations(600), seed: 32, input =>
        {
            if (input.Mutation is not null)
            {
                File.WriteAllBytes(path, input.Mutation.Apply(System.Text.Encoding.UTF8.GetBytes(valid)));
            }
            else
            {
                var root = JsonNode.Parse(valid)!.AsObject();
                root[input.Key!] = JsonNode.Parse(input.Value!);
                File.WriteAllText(path, root.ToJsonString());
            }

            return ReaderFuzz.Contract(() => T5Config.FromFile(path), path, typeof(InvalidDataException));
        }, input => input.Mutation?.ToString() ?? $"{input.Key} = {input.Value}");
        File.Delete(path);
        TestContext.WriteLine($"config.json: {tally}");
        Assert.IsGreaterThan(0, tally.Accepted);
        Assert.IsGreaterThan(0, tally.Refused);
    }

    [TestMethod]
    public void SentencePieceFieldLengthsBeyondAnIntAreRefusedNamingTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"textok-fuzz-{Guid.NewGuid():N}.model");

        // A pieces field (tag 0x0A) whose length varint is 2^32 + 5, then one length just under 2^31 that overflows
        // position + length.
        foreach (byte[] bytes in new byte[][] { [0x0A, 0x85, 0x80, 0x80, 0x80, 0x10, 1, 2], [0x0A, 0xFE, 0xFF, 0xFF, 0xFF, 0x07, 1, 2] })
        {
            File.WriteAllBytes(path, bytes);
            var error = Assert.ThrowsExactly<InvalidDataException>(() => T5Tokenizer.FromFile(path));
            StringAssert.Contains(error.Message, path);
            StringAssert.Contains(error.Message, "truncated or not protobuf");
        }

        File.Delete(path);
    }
}
