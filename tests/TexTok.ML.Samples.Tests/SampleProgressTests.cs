namespace TexTok.ML.Samples.Tests;

[TestClass]
public sealed class SampleProgressTests
{
    // Redirects the process's console: nothing else may print meanwhile.
    [TestMethod]
    [DoNotParallelize]
    public void RedirectedOutputGetsALineForEachTenth()
    {
        var saved = Console.Out;
        using var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            Assert.IsFalse(SampleProgress.IsLive);
            int result = SampleProgress.Run("Training", progress =>
            {
                var a = progress.Add("a", 50);
                var b = progress.Add("b", 50);
                for (int step = 1; step <= 50; step++)
                {
                    a.Update(step, $"step {step}/50");
                    b.Update(step, $"step {step}/50");
                }

                return 7;
            });
            Assert.AreEqual(7, result);
        }
        finally
        {
            Console.SetOut(saved);
        }

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual("Training", lines[0]);
        Assert.HasCount(11, lines);
        StringAssert.StartsWith(lines[1], "   10%");
        StringAssert.Contains(lines[1], "a: step 5/50 | b: step 5/50");
        StringAssert.StartsWith(lines[10], "  100%  done in");
    }

    [TestMethod]
    [DoNotParallelize]
    public void AFailureInsideTheDisplayReachesTheCaller()
    {
        var saved = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => SampleProgress.Run("Training", _ => throw new InvalidDataException("bad image")));
            Assert.AreEqual("bad image", e.Message);
        }
        finally
        {
            Console.SetOut(saved);
        }
    }
}
