using TexTok.ML.Torch.Generation;

namespace TexTok.ML.Torch.Tests.Generation;

[TestClass]
public sealed class CaptionBankTests
{
    private static CaptionBank Bank() => CaptionBank.FromPairs(new[]
    {
        (0, "a red circle"), (0, "a small red circle"), (0, "one red circle on grey"),
        (1, "a blue square"), (1, "two blue squares"),
    });

    [TestMethod]
    public void SamplesComeFromTheLabelsClassAndAreSeeded()
    {
        var bank = Bank();
        var labels = Enumerable.Range(0, 40).Select(i => i % 2).ToArray();
        var a = bank.Sample(labels, seed: 3);
        CollectionAssert.AreEqual(a.ToList(), bank.Sample(labels, seed: 3).ToList());
        for (int i = 0; i < labels.Length; i++)
        {
            CollectionAssert.Contains(bank.CaptionsFor(labels[i]).ToList(), a[i]);
        }

        Assert.AreEqual(3, a.Where((_, i) => labels[i] == 0).Distinct().Count(), "every class-0 caption should be drawn in 20 tries");
        Assert.IsFalse(a.SequenceEqual(bank.Sample(labels, seed: 4)), "another seed should draw other captions");
        CollectionAssert.AreEqual(new[] { 0, 1 }, bank.Classes.ToArray());
        Assert.AreEqual(5, bank.Count);
    }

    [TestMethod]
    public void AMissingClassOrEmptyCaptionIsNamed()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Bank().Sample(new[] { 0, 7 }, 1));
        StringAssert.Contains(error.Message, "class 7");
        error = Assert.ThrowsExactly<ArgumentException>(() => CaptionBank.FromPairs(new[] { (2, " ") }));
        StringAssert.Contains(error.Message, "Class 2");
    }
}
