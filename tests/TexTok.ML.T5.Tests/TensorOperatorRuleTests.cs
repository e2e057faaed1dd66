using TexTok.ML.Testing;

namespace TexTok.ML.T5.Tests;

/// <summary>No raw Tensor operators in TexTok.ML.T5 (see <see cref="TensorOperatorRule"/>).</summary>
[TestClass]
public sealed class TensorOperatorRuleTests
{
    [TestMethod]
    public void NoRawTensorOperatorsInTheT5Encoder()
    {
        var findings = TensorOperatorRule.Check("TexTok.ML.T5", ["src/TexTok.ML.T5"], [], out int sources);
        Assert.IsGreaterThan(5, sources, "the library's sources were not found");
        Assert.IsEmpty(findings, "raw Tensor operators (use TensorArithmetic):\n" + string.Join("\n", findings));
    }
}
