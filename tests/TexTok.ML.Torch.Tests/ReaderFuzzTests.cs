using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using TexTok.ML.Testing;
using TexTok.ML.Torch.Checkpoints;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Tokenizer;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests;

/// <summary>
/// Mutated safetensors files, TexTok model files and DiT model files: each reader succeeds or throws its documented
/// exception naming the file, and never allocates far beyond what the file holds (docs/reliability.md).
/// </summary>
[TestClass]
public sealed class ReaderFuzzTests
{
    private static readonly string[] TensorFields = ["dtype", "shape", "data_offsets"];

    private static readonly string[] TexTokFields =
        ["ImageSize", "PatchSize", "Width", "Depth", "Heads", "MlpRatio", "NumTokens", "TokenDim", "TextTokens", "TextDim", "ConvStemChannels", "ConvHeadChannels", "QueryKeyInitStd", "UseText"];

    private static readonly string[] DiTFields =
        ["NumTokens", "TokenDim", "Width", "Depth", "Heads", "MlpRatio", "NumClasses", "ClassDropout", "TextTokens", "TextDim", "FrequencyDim"];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void SafeTensorsKeepTheirContractUnderByteMutations()
    {
        string path = TempPath();
        byte[] valid = SmallSafeTensors(path);
        var tally = ReaderFuzz.Run(ReaderFuzz.Mutations, ReaderFuzz.Iterations(1000), seed: 21, mutation =>
        {
            byte[] bytes = mutation.Apply(valid);
            File.WriteAllBytes(path, bytes);
            return LoadSafeTensors(path, bytes.Length);
        }, m => m.ToString());
        File.Delete(path);
        TestContext.WriteLine($"safetensors bytes: {tally}");
        Assert.IsGreaterThan(0, tally.Accepted);
        Assert.IsGreaterThan(0, tally.Refused);
    }

    [TestMethod]
    public void SafeTensorsKeepTheirContractUnderHeaderFieldMutations()
    {
        string path = TempPath();
        byte[] valid = SmallSafeTensors(path);
        (JsonObject header, byte[] data) = Split(valid);
        string[] names = [.. header.Select(kv => kv.Key).Where(k => k != "__metadata__")];
        var gen = Gen.Select(Gen.Int[0, names.Length - 1], Gen.Int[0, TensorFields.Length - 1], ReaderFuzz.JsonValues, Gen.Bool);
        var tally = ReaderFuzz.Run(gen, ReaderFuzz.Iterations(600), seed: 22, input =>
        {
            (int tensor, int field, string value, bool exactLength) = input;
            var mutated = header.DeepClone().AsObject();
            mutated[names[tensor]]![TensorFields[field]] = JsonNode.Parse(value);
            byte[] bytes = Join(mutated, data, exactLength);
            File.WriteAllBytes(path, bytes);
            return LoadSafeTensors(path, bytes.Length);
        }, input => input.ToString());
        File.Delete(path);
        TestContext.WriteLine($"safetensors header fields: {tally}");
        Assert.IsGreaterThan(0, tally.Accepted);
        Assert.IsGreaterThan(0, tally.Refused);
    }

    [TestMethod]
    public void TexTokModelFilesKeepTheirContractUnderMutations()
    {
        string path = TempPath();
        using (var model = new TexTokModel(TestData.TinyConfig()))
        {
            TexTokModelFile.Save(path, model);
        }

        byte[] valid = File.ReadAllBytes(path);
        TexTokModelFile.Load(path).Dispose();
        var gen = ModelFileMutations(TexTokFields);
        var tally = ReaderFuzz.Run(gen, ReaderFuzz.Iterations(120), seed: 23, input =>
        {
            File.WriteAllBytes(path, MutateModelFile(valid, input));
            return ReaderFuzz.Contract(() => TexTokModelFile.Load(path).Dispose(), path, typeof(InvalidDataException));
        }, input => input.ToString());
        File.Delete(path);
        TestContext.WriteLine($"TexTok model file: {tally}");
        Assert.IsGreaterThan(0, tally.Refused);
    }

    [TestMethod]
    public void DiTModelFilesKeepTheirContractUnderMutations()
    {
        string path = TempPath();
        using (var model = new DiTModel(DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 8, tokenDim: 4) with { Depth = 1 }))
        {
            DiTModelFile.Save(path, model);
        }

        byte[] valid = File.ReadAllBytes(path);
        var gen = ModelFileMutations(DiTFields);
        var tally = ReaderFuzz.Run(gen, ReaderFuzz.Iterations(120), seed: 24, input =>
        {
            File.WriteAllBytes(path, MutateModelFile(valid, input));
            return ReaderFuzz.Contract(() => DiTModelFile.Load(path).Dispose(), path, typeof(InvalidDataException));
        }, input => input.ToString());
        File.Delete(path);
        TestContext.WriteLine($"DiT model file: {tally}");
        Assert.IsGreaterThan(0, tally.Accepted);
        Assert.IsGreaterThan(0, tally.Refused);
    }

    [TestMethod]
    public void SafeTensorsEntryWithOneOffsetIsRefusedNamingTheFile()
    {
        string path = TempPath();
        (JsonObject header, byte[] data) = Split(SmallSafeTensors(path));
        header["a"]!["data_offsets"] = new JsonArray(0);
        AssertRefused(path, Join(header, data), "data offsets");
    }

    [TestMethod]
    public void SafeTensorsEntryWithNegativeShapeAndReversedOffsetsIsRefusedNamingTheFile()
    {
        string path = TempPath();
        (JsonObject header, byte[] data) = Split(SmallSafeTensors(path));
        header["a"]!["shape"] = new JsonArray(-1);
        header["a"]!["data_offsets"] = new JsonArray(8, 4);
        AssertRefused(path, Join(header, data), "negative dimension");
    }

    [TestMethod]
    public void SafeTensorsShapeWhoseElementCountOverflowsIsRefusedNamingTheFile()
    {
        string path = TempPath();
        (JsonObject header, byte[] data) = Split(SmallSafeTensors(path));
        header["a"]!["shape"] = new JsonArray(1L << 32, 1L << 32, 4);
        header["a"]!["data_offsets"] = new JsonArray(0, 0);
        AssertRefused(path, Join(header, data), "more elements");
    }

    [TestMethod]
    public void SafeTensorsOverlappingEntriesAreRefusedBeforeReading()
    {
        // Ten thousand names for the same 16 KiB would make a 1 MiB file read as 160 MiB of tensors (twice that with
        // the raw bytes); parsing the header alone allocates a few dozen.
        string path = TempPath();
        var header = new JsonObject();
        for (int i = 0; i < 10_000; i++)
        {
            header[$"t{i}"] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(4096), ["data_offsets"] = new JsonArray(0, 16384) };
        }

        byte[] bytes = Join(header, new byte[16384]);
        File.WriteAllBytes(path, bytes);
        var error = ReaderFuzz.WithinAllocation(
            () => Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.Load(path)), bound: 64L << 20, path);
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "overlap");
        File.Delete(path);
    }

    [TestMethod]
    public void ModelFileWhoseConfigIsNotJsonIsRefusedNamingTheFile()
    {
        string path = TempPath();
        using (var model = new TexTokModel(TestData.TinyConfig()))
        {
            TexTokModelFile.Save(path, model);
        }

        (JsonObject header, byte[] data) = Split(File.ReadAllBytes(path));
        header["__metadata__"]!["config"] = "{\"Width\": ";
        AssertRefused(path, Join(header, data), "invalid model configuration", load: p => TexTokModelFile.Load(p).Dispose());
    }

    [TestMethod]
    public void ModelFilesWhoseConfigAsksForHugeNetworksAreRefusedBeforeBuildingThem()
    {
        string path = TempPath();
        using (var model = new TexTokModel(TestData.TinyConfig()))
        {
            TexTokModelFile.Save(path, model);
        }

        // A 2^20-wide tokenizer has ~10^13 parameters; the file holds ~10^5.
        (JsonObject header, byte[] data) = Split(File.ReadAllBytes(path));
        var config = JsonNode.Parse(header["__metadata__"]!["config"]!.GetValue<string>())!.AsObject();
        config["Width"] = 1 << 20;
        header["__metadata__"]!["config"] = config.ToJsonString();
        AssertRefused(path, Join(header, data), "does not fit its own configuration", load: p => TexTokModelFile.Load(p).Dispose());

        using (var dit = new DiTModel(DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 8, tokenDim: 4) with { Depth = 1 }))
        {
            DiTModelFile.Save(path, dit);
        }

        (header, data) = Split(File.ReadAllBytes(path));
        config = JsonNode.Parse(header["__metadata__"]!["config"]!.GetValue<string>())!.AsObject();
        config["NumClasses"] = int.MaxValue;
        header["__metadata__"]!["config"] = config.ToJsonString();
        AssertRefused(path, Join(header, data), "does not fit its own configuration", load: p => DiTModelFile.Load(p).Dispose());
    }

    private static void AssertRefused(string path, byte[] bytes, string detail, Action<string>? load = null)
    {
        File.WriteAllBytes(path, bytes);
        load ??= p => SafeTensors.Load(p).Dispose();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => load(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, detail);
        File.Delete(path);
    }

    /// <summary>Loads with the safetensors contract: success or a documented refusal, within 16 times the file's size plus 1 MiB of managed allocation.</summary>
    private static bool LoadSafeTensors(string path, long length) =>
        ReaderFuzz.WithinAllocation(
            () => ReaderFuzz.Contract(() => SafeTensors.Load(path).Dispose(), path, typeof(InvalidDataException)),
            bound: (16 * length) + (1 << 20), path);

    /// <summary>Header byte mutations (the data left as is), or one configuration field set to a fuzz value.</summary>
    private static Gen<ModelFileMutation> ModelFileMutations(string[] fields) =>
        Gen.Frequency(
            (1, ReaderFuzz.Mutations.Select(m => new ModelFileMutation(m, null, null))),
            (2, Gen.Select(Gen.Int[0, fields.Length - 1], ReaderFuzz.JsonValues, (f, v) => new ModelFileMutation(null, fields[f], v))));

    private static byte[] MutateModelFile(byte[] valid, ModelFileMutation input)
    {
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(valid);
        if (input.Bytes is not null)
        {
            byte[] head = input.Bytes.Apply(valid[..(int)(8 + headerLength)]);
            return [.. head, .. valid.AsSpan((int)(8 + headerLength))];
        }

        (JsonObject header, byte[] data) = Split(valid);
        var config = JsonNode.Parse(header["__metadata__"]!["config"]!.GetValue<string>())!.AsObject();
        config[input.Field!] = JsonNode.Parse(input.Value!);
        header["__metadata__"]!["config"] = config.ToJsonString();
        return Join(header, data);
    }

    private static byte[] SmallSafeTensors(string path)
    {
        using var a = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var b = tensor(new float[] { -1.5f, 2.5f });
        using var c = ones(3, 1, 2);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b, ["c"] = c }, new Dictionary<string, string> { ["k"] = "v" });
        return File.ReadAllBytes(path);
    }

    private static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        var header = JsonNode.Parse(file.AsSpan(8, (int)headerLength))!.AsObject();
        return (header, file[(int)(8 + headerLength)..]);
    }

    /// <summary>A file of <paramref name="header"/> and <paramref name="data"/>; the length prefix is the header's, or 16 bytes too long when <paramref name="exactLength"/> is false.</summary>
    private static byte[] Join(JsonObject header, byte[] data, bool exactLength = true)
    {
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var bytes = new byte[8 + json.Length + data.Length];
        long length = exactLength ? json.Length : json.Length + 16;
        BinaryPrimitives.WriteInt64LittleEndian(bytes, length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"textok-fuzz-{Guid.NewGuid():N}.safetensors");

    private sealed record ModelFileMutation(ReaderFuzz.Mutation? Bytes, string? Field, string? Value)
    {
        public override string ToString() => Bytes is not null ? $"header bytes: {Bytes}" : $"config {Field} = {Value}";
    }
}
