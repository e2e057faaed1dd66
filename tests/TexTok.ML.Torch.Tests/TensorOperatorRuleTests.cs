using TexTok.ML.Testing;

namespace TexTok.ML.Torch.Tests;

/// <summary>No raw Tensor operators outside TensorArithmetic in TexTok.ML.Torch (see <see cref="TensorOperatorRule"/>).</summary>
[TestClass]
public sealed class TensorOperatorRuleTests
{
    [TestMethod]
    public void NoRawTensorOperatorsOutsideTensorArithmetic()
    {
        var findings = TensorOperatorRule.Check("TexTok.ML.Torch", ["src/TexTok.ML.Torch"], ["build/ElfVersionPatcher.cs"], out int sources, "TEXTOK_ELF_PATCHER_NO_MSBUILD");
        Assert.IsGreaterThan(50, sources, "the library's sources were not found");
        Assert.IsEmpty(findings, "raw Tensor operators (use TensorArithmetic):\n" + string.Join("\n", findings));
    }

    // The check itself finds what it looks for.
    [TestMethod]
    public void TheCheckFindsRawOperators()
    {
        const string code = """
            using static TorchSharp.torch;
            static class Sample
            {
                static Tensor Scale(Tensor a, Tensor b)
                {
                    var c = a * 2.0;
                    c += b;
                    return -c + b;
                }
            }
            """;
        var findings = TensorOperatorRule.RawOperators("Sample", [("Sample.cs", code)], out var errors);
        Assert.IsEmpty(errors, string.Join("\n", errors));
        Assert.HasCount(4, findings, string.Join("\n", findings));
    }
}
