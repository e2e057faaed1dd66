using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Onnx.Tests;

/// <summary>
/// Each module's ONNX emitter on its own, against the module's forward with perturbed weights, so that a mismatch names
/// the module rather than the whole network (the whole networks are checked in <see cref="ExportParityTests"/>).
/// </summary>
[TestClass]
public sealed class ModuleParityTests
{
    private const double Tolerance = 1e-4;
    private const int Batch = 2;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void MultiHeadSelfAttention()
    {
        using var module = Perturbed(new MultiHeadSelfAttention(16, 2), 1);
        var (x, bias) = (Random(2, Batch, 5, 16), KeyBias(5, 2));
        Check(nameof(MultiHeadSelfAttention), module.forward(x, bias), [("x", x), ("bias", bias)], (g, v) => module.EmitOnnx(g, v[0], v[1], "attn"));
    }

    [TestMethod]
    public void TransformerBlock()
    {
        using var module = Perturbed(new TransformerBlock(16, 2, 4), 3);
        var (x, bias) = (Random(4, Batch, 5, 16), KeyBias(5, 1));
        Check(nameof(TransformerBlock), module.forward(x, bias), [("x", x), ("bias", bias)], (g, v) => module.EmitOnnx(g, v[0], v[1], "block"));
    }

    [TestMethod]
    public void UnfoldConv2d()
    {
        using var module = Perturbed(new UnfoldConv2d(3, 4, 3, stride: 1, padding: 1), 5);
        var x = Random(6, Batch, 3, 8, 8);
        Check(nameof(UnfoldConv2d), module.forward(x), [("x", x)], (g, v) => module.EmitOnnx(g, v[0], "conv"));
    }

    [TestMethod]
    public void TextConditioning()
    {
        using var module = Perturbed(new TextConditioning(6, 8, 16), 7);
        var text = Random(8, Batch, 6, 8);
        Check(nameof(TextConditioning), module.forward(text), [("text", text)], (g, v) => module.EmitOnnx(g, v[0], "text"));
    }

    [TestMethod]
    public void CrossAttention()
    {
        using var module = Perturbed(new CrossAttention(16, 2), 9);
        var (x, context, bias) = (Random(10, Batch, 5, 16), Random(11, Batch, 6, 16), KeyBias(6, 2));
        Check(nameof(CrossAttention), module.forward(x, context, bias), [("x", x), ("context", context), ("bias", bias)],
            (g, v) => module.EmitOnnx(g, v[0], module.EmitKeyValueOnnx(g, v[1], "kv"), v[2], "cross"));
    }

    [TestMethod]
    public void TimestepEmbedder()
    {
        using var module = Perturbed(new TimestepEmbedder(16, 32), 12);
        var t = torch.tensor(new[] { 0.25f, 0.9f });
        Check(nameof(TimestepEmbedder), module.forward(t), [("t", t)], (g, v) => module.EmitOnnx(g, v[0], "time"));
    }

    [TestMethod]
    public void DiTFinalLayer()
    {
        using var module = Perturbed(new DiTFinalLayer(16, 4), 13);
        var (x, c) = (Random(14, Batch, 5, 16), Random(15, Batch, 16));
        Check(nameof(DiTFinalLayer), module.forward(x, c), [("x", x), ("c", c)], (g, v) => module.EmitOnnx(g, v[0], v[1], "final"));
    }

    [TestMethod]
    public void DiTBlock()
    {
        using var module = Perturbed(new DiTBlock(16, 2, 4, crossAttention: false), 16);
        var (x, c) = (Random(17, Batch, 5, 16), Random(18, Batch, 16));
        Check(nameof(DiTBlock), module.forward(x, c, null), [("x", x), ("c", c)], (g, v) => module.EmitOnnx(g, v[0], v[1], null, "dit"));
    }

    [TestMethod]
    public void TextEmbedderTokensAndPooledVector()
    {
        using var module = Perturbed(new TextEmbedder(6, 8, 16), 19);
        var (text, mask) = (Random(20, Batch, 6, 8), Mask(6, 3));
        var (tokens, _, pooled) = module.forward(text, mask, null);
        Check("TextEmbedder tokens", tokens, [("text", text), ("mask", mask)], (g, v) => module.EmitOnnx(g, v[0], v[1], null, "embed").Tokens);
        Check("TextEmbedder pooled", pooled, [("text", text), ("mask", mask)], (g, v) => module.EmitOnnx(g, v[0], v[1], null, "embed").Pooled);
    }

    private void Check(string module, Tensor expected, (string Name, Tensor Value)[] inputs, Func<OnnxGraphBuilder, string[], string> emit)
    {
        var g = new OnnxGraphBuilder();
        var names = inputs.Select(input => g.AddInput(input.Name, input.Value.shape)).ToArray();
        string output;
        using (torch.no_grad())
        {
            output = emit(g, names);
        }

        g.AddOutput(output, "out", expected.shape);
        using var session = new OnnxScoringSession(g.ToBytes(), new OnnxScoringOptions { RequireTexTokMetadata = false, IntraOpNumThreads = 1 }, module);
        var result = session.Run(inputs.Select(input => (input.Name, input.Value.contiguous().data<float>().ToArray(), input.Value.shape)).ToArray())["out"];
        double error = ParityData.MaxAbsDifference(expected.detach(), result);
        TestContext.WriteLine($"{module}: max |ONNX - TorchSharp| = {error:E2}");
        Assert.IsLessThanOrEqualTo(Tolerance, error, $"{module}: max |ONNX - TorchSharp| = {error}");
    }

    private static T Perturbed<T>(T module, int seed)
        where T : nn.Module
    {
        torch.manual_seed(seed);
        using (torch.no_grad())
        {
            foreach (var parameter in module.parameters())
            {
                parameter.add_(torch.randn_like(parameter).mul_(0.1));
            }
        }

        module.eval();
        return module;
    }

    private static Tensor Random(int seed, params long[] shape)
    {
        torch.manual_seed(seed);
        return torch.randn(shape);
    }

    // Key bias [B, 1, 1, length] with the last `padded` keys of the second row masked out.
    private static Tensor KeyBias(long length, long padded) => TransformerStack.KeyBias(Mask(length, padded));

    private static Tensor Mask(long length, long padded)
    {
        var values = new float[Batch * length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i >= length && i % length >= length - padded ? 0f : 1f;
        }

        return torch.tensor(values, [Batch, length]);
    }
}
