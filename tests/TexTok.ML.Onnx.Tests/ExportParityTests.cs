using TexTok.ML.Torch.Tokenizer;
using static TorchSharp.torch;

namespace TexTok.ML.Onnx.Tests;

[TestClass]
public sealed class ExportParityTests
{
    private const double Tolerance = 1e-4;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(true, 1)]
    [DataRow(true, 3)]
    [DataRow(false, 1)]
    [DataRow(false, 3)]
    public void EncoderAndDecoderMatchTorchSharp(bool useText, int batch)
    {
        var config = ParityData.TinyConfig(useText);
        using var model = ParityData.PerturbedModel(config, seed: 11);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (image, text, mask) = ParityData.Inputs(config, batch, seed: 5 + batch);
        Tensor? t = useText ? text : null, m = useText ? mask : null;
        var (mean, _) = model.Encode(image, t, m);
        var decoded = model.Decode(mean, t, m);

        using var encoder = new OnnxScoringSession(TexTokOnnxExport.ExportEncoder(model), new OnnxScoringOptions { IntraOpNumThreads = 1 });
        using var decoder = new OnnxScoringSession(TexTokOnnxExport.ExportDecoder(model), new OnnxScoringOptions { IntraOpNumThreads = 1 });
        var encoderInputs = new Dictionary<string, OnnxFloatTensor> { ["image"] = ParityData.ToOnnx(image) };
        var decoderInputs = new Dictionary<string, OnnxFloatTensor> { ["tokens"] = ParityData.ToOnnx(mean) };
        if (useText)
        {
            foreach (var inputs in new[] { encoderInputs, decoderInputs })
            {
                inputs["text"] = ParityData.ToOnnx(text);
                inputs["text_mask"] = ParityData.ToOnnx(mask);
            }
        }

        double encoderError = ParityData.MaxAbsDifference(mean, encoder.Run(encoderInputs)["tokens"]);
        double decoderError = ParityData.MaxAbsDifference(decoded, decoder.Run(decoderInputs)["image"]);
        TestContext.WriteLine($"parity useText={useText} batch={batch}: encoder max|Δ|={encoderError:E2}, decoder max|Δ|={decoderError:E2}, " +
                              $"|tokens|max={mean.abs().max().item<float>():F3}, |image|max={decoded.abs().max().item<float>():F3}");
        Assert.IsLessThanOrEqualTo(Tolerance, encoderError, $"encoder max |ONNX − TorchSharp| = {encoderError}");
        Assert.IsLessThanOrEqualTo(Tolerance, decoderError, $"decoder max |ONNX − TorchSharp| = {decoderError}");
    }

    [TestMethod]
    [DataRow(false, 0, 0, DisplayName = "old network")]
    [DataRow(true, 0, 0, DisplayName = "token-axis path")]
    [DataRow(false, 8, 0, DisplayName = "convolutional stem")]
    [DataRow(false, 0, 6, DisplayName = "convolutional pixel head")]
    [DataRow(true, 8, 6, DisplayName = "all recipe layers")]
    public void EachRecipeLayerMatchesTorchSharp(bool tokenMixing, int stemChannels, int headChannels)
    {
        var config = ParityData.TinyConfig() with { TokenMixing = tokenMixing, ConvStemChannels = stemChannels, ConvHeadChannels = headChannels };
        using var model = ParityData.PerturbedModel(config, seed: 13);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (encoderError, decoderError) = TextConditionedErrors(model, ParityData.Inputs(config, 2, seed: 14));
        TestContext.WriteLine($"parity mixing={tokenMixing} stem={stemChannels} head={headChannels}: encoder max|Δ|={encoderError:E2}, decoder max|Δ|={decoderError:E2}");
        Assert.IsLessThanOrEqualTo(Tolerance, encoderError);
        Assert.IsLessThanOrEqualTo(Tolerance, decoderError);
    }

    [TestMethod]
    public void WiderPresetMatchesTorchSharp()
    {
        // Mini's width (192, 3 heads of 64) and depth (4) on a small image: deeper stacks accumulate more rounding.
        var config = TexTokConfig.FromPreset(TexTokPreset.Mini, 32, 16, textTokens: 6, textDim: 16);
        using var model = ParityData.PerturbedModel(config, seed: 21);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (encoderError, decoderError) = TextConditionedErrors(model, ParityData.Inputs(config, 2, seed: 22));
        TestContext.WriteLine($"parity Mini useText=True batch=2: encoder max|Δ|={encoderError:E2}, decoder max|Δ|={decoderError:E2}");
        Assert.IsLessThanOrEqualTo(Tolerance, encoderError);
        Assert.IsLessThanOrEqualTo(Tolerance, decoderError);
    }

    /// <summary>Max |ONNX − TorchSharp| of a text-conditioned model's exported encoder and decoder on one batch.</summary>
    private static (double Encoder, double Decoder) TextConditionedErrors(TexTokModel model, (Tensor Image, Tensor Text, Tensor Mask) inputs)
    {
        var (image, text, mask) = inputs;
        var (mean, _) = model.Encode(image, text, mask);
        var decoded = model.Decode(mean, text, mask);
        using var encoder = new OnnxScoringSession(TexTokOnnxExport.ExportEncoder(model), new OnnxScoringOptions { IntraOpNumThreads = 1 });
        using var decoder = new OnnxScoringSession(TexTokOnnxExport.ExportDecoder(model), new OnnxScoringOptions { IntraOpNumThreads = 1 });
        var tokens = encoder.Run(new Dictionary<string, OnnxFloatTensor>
        {
            ["image"] = ParityData.ToOnnx(image), ["text"] = ParityData.ToOnnx(text), ["text_mask"] = ParityData.ToOnnx(mask),
        })["tokens"];
        var pixels = decoder.Run(new Dictionary<string, OnnxFloatTensor>
        {
            ["tokens"] = ParityData.ToOnnx(mean), ["text"] = ParityData.ToOnnx(text), ["text_mask"] = ParityData.ToOnnx(mask),
        })["image"];
        return (ParityData.MaxAbsDifference(mean, tokens), ParityData.MaxAbsDifference(decoded, pixels));
    }

    [TestMethod]
    public void PaddedTextChangesTheOutputLikeTorchSharp()
    {
        // The same caption with and without its last positions masked must give different tokens, in both runtimes.
        var config = ParityData.TinyConfig();
        using var model = ParityData.PerturbedModel(config, seed: 3);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (image, text, _) = ParityData.Inputs(config, 1, seed: 9);
        var full = ones(1, config.TextTokens);
        var padded = full.clone();
        padded[0, config.TextTokens - 1] = zeros(1).squeeze();
        padded[0, config.TextTokens - 2] = zeros(1).squeeze();
        using var encoder = new OnnxScoringSession(TexTokOnnxExport.ExportEncoder(model));
        OnnxFloatTensor Run(Tensor mask) => encoder.Run(new Dictionary<string, OnnxFloatTensor>
        {
            ["image"] = ParityData.ToOnnx(image), ["text"] = ParityData.ToOnnx(text), ["text_mask"] = ParityData.ToOnnx(mask),
        })["tokens"];

        var onnxFull = Run(full);
        var onnxPadded = Run(padded);
        Assert.IsLessThanOrEqualTo(Tolerance, ParityData.MaxAbsDifference(model.Encode(image, text, padded).Mean, onnxPadded));
        double change = onnxFull.Data.Zip(onnxPadded.Data, (a, b) => Math.Abs(a - b)).Max();
        Assert.IsGreaterThan(1e-3, change, "masking text positions must change the tokens");
    }

    [TestMethod]
    public void ConcurrentRunsGiveIdenticalResults()
    {
        var config = ParityData.TinyConfig();
        using var model = ParityData.PerturbedModel(config, seed: 4);
        using var scope = NewDisposeScope();
        var (image, text, mask) = ParityData.Inputs(config, 2, seed: 1);
        using var encoder = new OnnxScoringSession(TexTokOnnxExport.ExportEncoder(model), new OnnxScoringOptions { IntraOpNumThreads = 1 });
        var inputs = new Dictionary<string, OnnxFloatTensor>
        {
            ["image"] = ParityData.ToOnnx(image), ["text"] = ParityData.ToOnnx(text), ["text_mask"] = ParityData.ToOnnx(mask),
        };
        var reference = encoder.Run(inputs)["tokens"].Data;
        var results = new float[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = encoder.Run(inputs)["tokens"].Data);
        foreach (var r in results)
        {
            CollectionAssert.AreEqual(reference, r);
        }
    }
}
