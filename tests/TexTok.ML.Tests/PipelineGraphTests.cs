using TexTok.ML.Onnx;
using TexTok.ML.Torch.Tokenizer;

namespace TexTok.ML.Tests;

/// <summary>
/// The graphs a pipeline scores are the plain exported networks with the pipeline's edges added around them (byte
/// pixels in and out, a row gate on the decoder's tokens), and nothing else.
/// </summary>
[TestClass]
public sealed class PipelineGraphTests
{
    private const int Batch = 3;

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void PipelineGraphsAreThePlainGraphsWithBytePixelsAndARowGate(bool useText)
    {
        using var pair = ComponentTestData.Model(useText);
        var c = pair.Config;
        var options = new OnnxScoringOptions { IntraOpNumThreads = 1 };
        using var plainEncoder = new OnnxScoringSession(pair.ExportEncoderOnnx(), options);
        using var plainDecoder = new OnnxScoringSession(pair.ExportDecoderOnnx(), options);
        using var pipelineEncoder = pair.CreateEncoderSession(options);
        using var pipelineDecoder = pair.CreateDecoderSession(options);
        Assert.AreEqual("-1..1", plainEncoder.Metadata[TexTokOnnxExport.PixelRangeKey]);
        Assert.AreEqual("0..255", pipelineDecoder.Metadata[TexTokOnnxExport.PixelRangeKey]);

        var random = new Random(9);
        float[] Values(int count, float scale) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();
        var signed = Values(Batch * 3 * c.ImageSize * c.ImageSize, 1f);
        var bytes = signed.Select(v => (v + 1f) * 127.5f).ToArray();
        var text = new OnnxFloatTensor(Values(Batch * c.TextTokens * c.TextDim, 1f), Batch, c.TextTokens, c.TextDim);
        var mask = new OnnxFloatTensor(Enumerable.Range(0, Batch * c.TextTokens).Select(i => i % c.TextTokens < 5 ? 1f : 0f).ToArray(), Batch, c.TextTokens);

        // Encoder: [pixels, (text, mask)] in graph order; byte pixels give the tokens the plain graph gives for [-1, 1].
        var plainTokens = plainEncoder.Run(Inputs(plainEncoder, new(signed, Batch, 3, c.ImageSize, c.ImageSize), useText, text, mask)).Values.Single().Data;
        var pipelineTokens = pipelineEncoder.Run(Inputs(pipelineEncoder, new(bytes, Batch, 3, c.ImageSize, c.ImageSize), useText, text, mask)).Values.Single().Data;
        Assert.IsLessThan(1e-4, MaxDifference(plainTokens, pipelineTokens));

        // Decoder: [tokens, gate, (text, mask)]; gate 1 gives clamp(127.5 (y + 1), 0, 255) of the plain output y,
        // gate 0 decodes zero tokens.
        var tokens = new OnnxFloatTensor(plainTokens, Batch, c.NumTokens, c.TokenDim);
        var plainImage = plainDecoder.Run(Inputs(plainDecoder, tokens, useText, text, mask)).Values.Single().Data;
        var open = pipelineDecoder.Run(Inputs(pipelineDecoder, tokens, useText, text, mask, gate: 1f)).Values.Single().Data;
        Assert.IsLessThan(1e-3, MaxDifference(plainImage.Select(y => Math.Clamp((y + 1f) * 127.5f, 0f, 255f)).ToArray(), open));

        var zeros = new OnnxFloatTensor(new float[plainTokens.Length], Batch, c.NumTokens, c.TokenDim);
        var plainOfZeros = plainDecoder.Run(Inputs(plainDecoder, zeros, useText, text, mask)).Values.Single().Data;
        var shut = pipelineDecoder.Run(Inputs(pipelineDecoder, tokens, useText, text, mask, gate: 0f)).Values.Single().Data;
        Assert.IsLessThan(1e-3, MaxDifference(plainOfZeros.Select(y => Math.Clamp((y + 1f) * 127.5f, 0f, 255f)).ToArray(), shut));
        Assert.IsGreaterThan(1.0, MaxDifference(open, shut), "the gate must matter for this test to mean anything");
    }

    private static Dictionary<string, OnnxFloatTensor> Inputs(OnnxScoringSession session, OnnxFloatTensor first, bool useText,
                                                             OnnxFloatTensor text, OnnxFloatTensor mask, float? gate = null)
    {
        var values = new List<OnnxFloatTensor> { first };
        if (gate is { } g)
        {
            values.Add(new OnnxFloatTensor(Enumerable.Repeat(g, Batch).ToArray(), Batch, 1));
        }

        if (useText)
        {
            values.Add(text);
            values.Add(mask);
        }

        Assert.HasCount(values.Count, session.InputNames);
        return session.InputNames.Zip(values).ToDictionary(p => p.First, p => p.Second);
    }

    private static double MaxDifference(float[] a, float[] b)
    {
        Assert.HasCount(a.Length, b);
        return a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
    }
}
