using TexTok.ML.Testing;
using TexTok.ML.Torch.Tokenizer;

namespace TexTok.ML.Onnx.Tests;

/// <summary>
/// Mutated ONNX exports opened for scoring: the session opens, or the constructor throws
/// <see cref="InvalidDataException"/> naming the file (docs/reliability.md). ONNX files are code-like and must come from
/// trusted sources (docs/security.md); this checks that damage is reported, not that hostile graphs are safe.
/// </summary>
[TestClass]
public sealed class ReaderFuzzTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void OnnxExportsKeepTheirContractUnderMutations()
    {
        string path = Path.Combine(Path.GetTempPath(), $"textok-fuzz-{Guid.NewGuid():N}.onnx");
        using var model = ParityData.PerturbedModel(ParityData.TinyConfig(true), seed: 1);
        byte[] valid = TexTokOnnxExport.ExportDecoder(model);
        var tally = ReaderFuzz.Run(ReaderFuzz.Mutations, ReaderFuzz.Iterations(60), seed: 41, mutation =>
        {
            File.WriteAllBytes(path, mutation.Apply(valid));
            return ReaderFuzz.Contract(() => new OnnxScoringSession(path).Dispose(), path, typeof(InvalidDataException));
        }, m => m.ToString());
        File.Delete(path);
        TestContext.WriteLine($"onnx: {tally}");
        Assert.IsGreaterThan(0, tally.Refused);
    }
}
