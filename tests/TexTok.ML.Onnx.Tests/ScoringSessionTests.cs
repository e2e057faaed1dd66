using TexTok.ML.Torch.Tokenizer;
using static TorchSharp.torch;

namespace TexTok.ML.Onnx.Tests;

[TestClass]
public sealed class ScoringSessionTests
{
    /// <summary>Whether this build references Microsoft.ML.OnnxRuntime.Gpu (-p:TexTokOnnxRuntimeGpu=true) rather than the CPU package.</summary>
#if TEXTOK_ONNXRUNTIME_GPU
    private static readonly bool BuiltWithGpuPackage = true;
#else
    private static readonly bool BuiltWithGpuPackage = false;
#endif

    private static DirectoryInfo _dir = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void Setup(TestContext context) => _dir = Directory.CreateTempSubdirectory("textok-onnx-session-");

    [ClassCleanup]
    public static void Cleanup() => _dir.Delete(recursive: true);

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void MetadataAndSignatureRoundTrip(bool useText)
    {
        var config = ParityData.TinyConfig(useText);
        using var model = ParityData.PerturbedModel(config, seed: 1);
        string encoderPath = Path.Combine(_dir.FullName, $"encoder-{useText}.onnx");
        string decoderPath = Path.Combine(_dir.FullName, $"decoder-{useText}.onnx");
        TexTokOnnxExport.ExportEncoder(model, encoderPath);
        TexTokOnnxExport.ExportDecoder(model, decoderPath);

        using var encoder = new OnnxScoringSession(encoderPath);
        using var decoder = new OnnxScoringSession(decoderPath);
        foreach (var (session, network) in new[] { (encoder, "encoder"), (decoder, "decoder") })
        {
            Assert.AreEqual(network, session.Network);
            Assert.AreEqual("textok-onnx/1", session.Metadata["textok.format"]);
            Assert.AreEqual(config, TexTokConfig.FromJson(session.Metadata["textok.config"]));
            Assert.IsFalse(string.IsNullOrEmpty(session.Metadata["textok.version"]));
            Assert.AreEqual(OnnxExecutionProvider.Cpu, session.ExecutionProvider);
        }

        string[] text = useText ? ["text", "text_mask"] : [];
        CollectionAssert.AreEqual(new[] { "image" }.Concat(text).ToArray(), encoder.InputNames.ToArray());
        CollectionAssert.AreEqual(new[] { "tokens" }.Concat(text).ToArray(), decoder.InputNames.ToArray());
        CollectionAssert.AreEqual(new[] { "tokens" }, encoder.OutputNames.ToArray());
        CollectionAssert.AreEqual(new[] { "image" }, decoder.OutputNames.ToArray());
        CollectionAssert.AreEqual(new[] { -1, 3, 32, 32 }, encoder.InputShapes["image"].ToArray());
        CollectionAssert.AreEqual(new[] { -1, 8, 8 }, decoder.InputShapes["tokens"].ToArray());
        if (useText)
        {
            CollectionAssert.AreEqual(new[] { -1, 6, 16 }, encoder.InputShapes["text"].ToArray());
            CollectionAssert.AreEqual(new[] { -1, 6 }, encoder.InputShapes["text_mask"].ToArray());
        }
    }

    [TestMethod]
    public void ExportIsDeterministicAndLeavesTheModelUnchanged()
    {
        using var model = ParityData.PerturbedModel(ParityData.TinyConfig(), seed: 6);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var first = TexTokOnnxExport.ExportDecoder(model);
        var second = TexTokOnnxExport.ExportDecoder(model);
        CollectionAssert.AreEqual(first, second);
        foreach (var (name, value) in model.state_dict())
        {
            Assert.IsTrue(value.equal(before[name]).all().item<bool>(), name);
            before[name].Dispose();
        }
    }

    [TestMethod]
    public void TruncatedFileIsRejectedNamingIt()
    {
        using var model = ParityData.PerturbedModel(ParityData.TinyConfig(), seed: 2);
        var bytes = TexTokOnnxExport.ExportEncoder(model);
        string path = Path.Combine(_dir.FullName, "truncated.onnx");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new OnnxScoringSession(path));
        StringAssert.Contains(error.Message, path);
    }

    [TestMethod]
    public void ForeignFileIsRejectedNamingIt()
    {
        string path = Path.Combine(_dir.FullName, "foreign.onnx");
        File.WriteAllText(path, "this is a caption file, not a model\n");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new OnnxScoringSession(path));
        StringAssert.Contains(error.Message, path);

        string empty = Path.Combine(_dir.FullName, "empty.onnx");
        File.WriteAllBytes(empty, []);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => new OnnxScoringSession(empty)).Message, empty);

        string missing = Path.Combine(_dir.FullName, "missing.onnx");
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => new OnnxScoringSession(missing)).Message, missing);
    }

    [TestMethod]
    public void OnnxModelWithoutTexTokMetadataIsRejectedNamingIt()
    {
        var g = new OnnxGraphBuilder();
        var x = g.AddInput("x", OnnxGraphBuilder.Batch, 2);
        g.AddOutput(g.AddNode("Relu", "relu", [x]), "y", OnnxGraphBuilder.Batch, 2);
        string path = Path.Combine(_dir.FullName, "other.onnx");
        g.Save(path);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new OnnxScoringSession(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "textok.format");
    }

    [TestMethod]
    public void OnnxModelWithoutTexTokMetadataOpensWhenAllowed()
    {
        var g = new OnnxGraphBuilder();
        var x = g.AddInput("x", OnnxGraphBuilder.Batch, 2);
        g.AddOutput(g.AddNode("Relu", "relu", [x]), "y", OnnxGraphBuilder.Batch, 2);
        string path = Path.Combine(_dir.FullName, "foreign.onnx");
        g.Save(path);
        using var session = new OnnxScoringSession(path, new OnnxScoringOptions { RequireTexTokMetadata = false });
        Assert.AreEqual(string.Empty, session.Network);
        CollectionAssert.AreEqual(new[] { 0f, 2f }, session.Run(("x", new[] { -1f, 2f }, new long[] { 1, 2 }))["y"].Data);
    }

    [TestMethod]
    public void WrongInputsNameTheInput()
    {
        using var model = ParityData.PerturbedModel(ParityData.TinyConfig(), seed: 2);
        using var decoder = new OnnxScoringSession(TexTokOnnxExport.ExportDecoder(model), sourceName: "decoder.onnx");
        var tokens = new OnnxFloatTensor(new float[2 * 8 * 8], 2, 8, 8);
        var text = new OnnxFloatTensor(new float[2 * 6 * 16], 2, 6, 16);
        var error = Assert.ThrowsExactly<ArgumentException>(() => decoder.Run(new Dictionary<string, OnnxFloatTensor> { ["tokens"] = tokens, ["text"] = text }));
        StringAssert.Contains(error.Message, "text_mask");
        var wrongMask = new OnnxFloatTensor(new float[2 * 5], 2, 5);
        error = Assert.ThrowsExactly<ArgumentException>(() => decoder.Run(new Dictionary<string, OnnxFloatTensor> { ["tokens"] = tokens, ["text"] = text, ["text_mask"] = wrongMask }));
        StringAssert.Contains(error.Message, "text_mask");
        StringAssert.Contains(error.Message, "decoder.onnx");
        var oneMask = new OnnxFloatTensor(new float[6], 1, 6);
        error = Assert.ThrowsExactly<ArgumentException>(() => decoder.Run(new Dictionary<string, OnnxFloatTensor> { ["tokens"] = tokens, ["text"] = text, ["text_mask"] = oneMask }));
        StringAssert.Contains(error.Message, "batch size");
        Assert.ThrowsExactly<ArgumentException>(() => new OnnxFloatTensor(new float[3], 2, 2));
    }

    [TestMethod]
    public void NativeRuntimeIsTheFlavourTheBuildChose() =>
        Assert.AreEqual(BuiltWithGpuPackage, OnnxScoringSession.NativeRuntimeHasCuda(), "TexTokOnnxRuntimeGpu chooses the native ONNX Runtime package");

    [TestMethod]
    public void CudaWithoutAGpuFailsWithAClearMessage()
    {
        var bytes = TinyDecoder();
        var error = CudaFailure(bytes, new OnnxScoringOptions { ExecutionProvider = OnnxExecutionProvider.Cuda });
        TestContext.WriteLine(error.Message);
        Assert.IsNotNull(error.InnerException);
        StringAssert.Contains(error.Message, error.InnerException.Message);
        if (BuiltWithGpuPackage)
        {
            StringAssert.Contains(error.Message, "CUDA build (Microsoft.ML.OnnxRuntime.Gpu) could not start its CUDA execution provider on GPU 0");
            StringAssert.Contains(error.Message, "NVIDIA GPU");
        }
        else
        {
            StringAssert.Contains(error.Message, "CPU build (Microsoft.ML.OnnxRuntime), which has no CUDA execution provider");
            StringAssert.Contains(error.Message, "reference Microsoft.ML.OnnxRuntime.Gpu");
            StringAssert.Contains(error.Message, "-p:TexTokOnnxRuntimeGpu=true");
        }
    }

    [TestMethod]
    public void CudaWithoutAGpuFallsBackToTheCpuWhenAllowed()
    {
        var bytes = TinyDecoder();
        var reason = CudaFailure(bytes, new OnnxScoringOptions { ExecutionProvider = OnnxExecutionProvider.Cuda }).Message;
        var messages = new List<string>();
        using var fallback = new OnnxScoringSession(bytes, new OnnxScoringOptions { ExecutionProvider = OnnxExecutionProvider.Cuda, FallbackToCpu = true, Log = messages.Add });
        using var cpu = new OnnxScoringSession(bytes);
        Assert.AreEqual(OnnxExecutionProvider.Cpu, fallback.ExecutionProvider);
        Assert.HasCount(1, messages);
        Assert.AreEqual(reason + " Falling back to the CPU.", messages[0]);

        var tokens = ("tokens", Enumerable.Range(0, 8 * 8).Select(i => MathF.Sin(i)).ToArray(), new long[] { 1, 8, 8 });
        var expected = cpu.Run(tokens)["image"];
        var actual = fallback.Run(tokens)["image"];
        CollectionAssert.AreEqual(new long[] { 1, 3, 32, 32 }, actual.Shape.ToArray());
        CollectionAssert.AreEqual(expected.Data, actual.Data);
    }

    [TestMethod]
    public void InvalidOptionsNameTheOption()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new OnnxScoringOptions { IntraOpNumThreads = -1 }.Validate());
        Assert.AreEqual("IntraOpNumThreads", error.ParamName);
        error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new OnnxScoringOptions { GpuDeviceId = -2 }.Validate());
        Assert.AreEqual("GpuDeviceId", error.ParamName);
    }

    private static byte[] TinyDecoder()
    {
        using var model = ParityData.PerturbedModel(ParityData.TinyConfig(useText: false), seed: 2);
        return TexTokOnnxExport.ExportDecoder(model);
    }

    /// <summary>The error of asking for CUDA; inconclusive on a machine where CUDA actually runs.</summary>
    private static InvalidOperationException CudaFailure(byte[] model, OnnxScoringOptions options)
    {
        try
        {
            using var session = new OnnxScoringSession(model, options);
        }
        catch (InvalidOperationException e)
        {
            return e;
        }

        throw new AssertInconclusiveException("CUDA runs on this machine; the behaviour without a GPU is tested on machines without one.");
    }
}
