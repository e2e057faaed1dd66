using System.Reflection;

namespace TexTok.ML.Samples.Tests;

[TestClass]
public sealed class SampleFailureTests
{
    [TestMethod]
    public void WrappersAreLookedThroughAndInnerDetailIsLeftToTheLog()
    {
        var fault = new InvalidDataException("captions.tsv, line 7: the image 'x.jpg' cannot be decoded.", new ArgumentException("Invalid path"));
        Assert.AreEqual("captions.tsv, line 7: the image 'x.jpg' cannot be decoded.", SampleFailure.Describe(fault));
        Assert.AreEqual(SampleFailure.Describe(fault), SampleFailure.Describe(new AggregateException(new TargetInvocationException(fault), fault)));
        Assert.AreEqual("a; b", SampleFailure.Describe(new AggregateException(new IOException("a"), new AggregateException(new IOException("b")))));
    }

    [TestMethod]
    public void TheReportPointsAtTheLogWithTheWholeException()
    {
        using var folder = new TempFolder();
        Exception fault;
        try
        {
            throw new IOException("disk full");
        }
        catch (IOException e)
        {
            fault = e;
        }

        string line = SampleFailure.Report(fault, folder.Path);
        Assert.AreEqual($"error: disk full (details: {folder.File(SampleFailure.LogFile)})", line);
        StringAssert.Contains(File.ReadAllText(folder.File(SampleFailure.LogFile)), nameof(TheReportPointsAtTheLogWithTheWholeException), "the log has the stack trace");
        Assert.AreEqual("error: disk full", SampleFailure.Report(fault, folder.File("no/such/folder")), "no log where none can be written");
    }
}
