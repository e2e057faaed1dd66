using TexTok.ML.Torch.Checkpoints;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests;

[TestClass]
public sealed class SafeTensorsTests
{
    [TestMethod]
    public void TensorsAndMetadataRoundTrip()
    {
        string path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.safetensors");
        using var a = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var b = tensor(new float[] { -1.5f });
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["b"] = b, ["a.weight"] = a }, new Dictionary<string, string> { ["k"] = "v" });
        var (tensors, metadata) = SafeTensors.Load(path);
        Assert.AreEqual("v", metadata["k"]);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, tensors["a.weight"].shape);
        CollectionAssert.AreEqual(new float[] { 0, 1, 2, 3, 4, 5 }, tensors["a.weight"].data<float>().ToArray());
        Assert.AreEqual(-1.5f, tensors["b"].item<float>());
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.AreEqual(0, headerLength % 8);
        Assert.AreEqual(8 + headerLength + 7 * 4, bytes.Length);
    }

    [TestMethod]
    public void TruncatedAndForeignFilesGiveErrorsNamingTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.safetensors");
        using var a = ones(100);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = a });
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^40]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.Load(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "truncated");

        File.WriteAllText(path, "this is not a tensor file at all");
        error = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.Load(path));
        StringAssert.Contains(error.Message, path);
    }
}
