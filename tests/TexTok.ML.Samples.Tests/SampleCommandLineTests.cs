using System.CommandLine;
using DataParallelTraining;
using FashionMnistSample;
using ImageFolder;
using OnnxExport;
using QuickStart;
using ShardedTokenize;
using TextToImage;

namespace TexTok.ML.Samples.Tests;

/// <summary>Each sample's command line: the options that README.md and docs/samples.md document, their defaults and their checks.</summary>
[TestClass]
public sealed class SampleCommandLineTests
{
    public static IEnumerable<object[]> Samples =>
    [
        ["QuickStart", QuickStartOptions.Command.Definition, new[] { "--quick", "--out", "--tokens" }],
        ["FashionMnist", FashionMnistOptions.Command.Definition, new[] { "--quick", "--data", "--out", "--steps", "--tokens", "--threads" }],
        ["TextToImage", TextToImageOptions.Command.Definition, new[] { "--quick", "--caption", "--out", "--steps", "--tokens", "--threads" }],
        ["OnnxExport", OnnxExportOptions.Command.Definition, new[] { "--quick", "--model", "--out", "--steps", "--tokens", "--threads" }],
        ["ImageFolder", ImageFolderOptions.Command.Definition, new[] { "--captions", "--demo", "--out", "--tokens", "--size", "--steps" }],
        ["DataParallelTraining", DataParallelTrainingOptions.Command.Definition, new[] { "--quick", "--out", "--steps", "--batch", "--tokens", "--threads", "--seed" }],
        ["ShardedTokenize", ShardedTokenizeOptions.Command.Definition, new[] { "--quick", "--out", "--pipeline", "--rows", "--shard", "--workers", "--steps" }],
    ];

    [TestMethod]
    public void ShardedTokenizeWorkersAndRows()
    {
        var command = ShardedTokenizeOptions.Command;
        var defaults = command.Bind(command.Definition.Parse([]));
        CollectionAssert.AreEqual(new[] { 1, 2 }, defaults.Workers);
        Assert.IsNull(defaults.Rows);
        Assert.AreEqual(64, defaults.ShardSize);
        var given = command.Bind(command.Definition.Parse(["--workers", "4,1", "--rows", "100"]));
        CollectionAssert.AreEqual(new[] { 4, 1 }, given.Workers);
        Assert.AreEqual(100, given.Rows);
        foreach (string bad in new[] { "0", "2,x", "300" })
        {
            var parsed = command.Definition.Parse(["--workers", bad]);
            Assert.IsNotEmpty(parsed.Errors, $"--workers {bad}");
            StringAssert.Contains(parsed.Errors[0].Message, "--workers takes whole numbers from 1 to 256");
        }
    }

    [TestMethod]
    public void DataParallelTrainingDefaults()
    {
        var command = DataParallelTrainingOptions.Command;
        Assert.AreEqual(new DataParallelTrainingOptions(false, "dataparallel-out", null, 16, 16, 2, 7), command.Bind(command.Definition.Parse([])));
        Assert.IsNotEmpty(command.Definition.Parse(["--batch", "0"]).Errors);
    }

    [TestMethod]
    [DynamicData(nameof(Samples))]
    public void HelpListsEveryDocumentedOptionAndExitsWithZero(string sample, RootCommand definition, string[] options)
    {
        var (code, output, error) = Invoke(definition, "--help");
        Assert.AreEqual(0, code, sample);
        Assert.AreEqual(string.Empty, error, sample);
        foreach (string option in options)
        {
            StringAssert.Contains(output, option, $"{sample} --help");
        }

        CollectionAssert.AreEquivalent(options.Concat(["--help", "--version"]).ToList(),
            definition.Options.Select(o => o.Name).ToList(), $"{sample} takes exactly its documented options");
    }

    [TestMethod]
    [DynamicData(nameof(Samples))]
    public void AnUnknownOptionIsAnErrorWithExitCodeOne(string sample, RootCommand definition, string[] options)
    {
        var (code, output, error) = Invoke(definition, "--frobnicate");
        Assert.AreEqual(1, code, sample);
        StringAssert.Contains(error, "'--frobnicate'", sample);
        StringAssert.Contains(output, options[0], $"{sample} prints its help after the error");
    }

    [TestMethod]
    public void QuickStartDefaultsAndValues()
    {
        var command = QuickStartOptions.Command;
        Assert.AreEqual(new QuickStartOptions(false, "quickstart-out", 16), command.Bind(command.Definition.Parse([])));
        Assert.AreEqual(new QuickStartOptions(true, "/tmp/x", 64), command.Bind(command.Definition.Parse(["--tokens", "64", "--quick", "--out", "/tmp/x"])));
    }

    [TestMethod]
    [DataRow("--tokens", "0", "--tokens must be a whole number from 1 to 256; got '0'.")]
    [DataRow("--tokens", "257", "--tokens must be a whole number from 1 to 256; got '257'.")]
    [DataRow("--tokens", "many", "--tokens must be a whole number from 1 to 256; got 'many'.")]
    [DataRow("--out", " ", "--out needs a non-blank DIR.")]
    public void QuickStartRejectsBadValuesNamingTheOption(string option, string value, string message)
    {
        var (code, _, error) = Invoke(QuickStartOptions.Command.Definition, option, value);
        Assert.AreEqual(1, code);
        StringAssert.Contains(error, message);
    }

    [TestMethod]
    public void AMissingValueIsAnError()
    {
        var (code, _, error) = Invoke(QuickStartOptions.Command.Definition, "--out");
        Assert.AreEqual(1, code);
        StringAssert.Contains(error, "'--out'");
    }

    [TestMethod]
    public void StepsDefaultToTheRunsPlanUnlessGiven()
    {
        var command = FashionMnistOptions.Command;
        var defaults = command.Bind(command.Definition.Parse([]));
        Assert.IsNull(defaults.Steps);
        Assert.AreEqual(2, defaults.Threads);
        Assert.AreEqual(Data.FashionMnist.DefaultDirectory, defaults.DataDirectory);
        Assert.AreEqual(50, command.Bind(command.Definition.Parse(["--steps", "50"])).Steps);

        var (code, _, error) = Invoke(command.Definition, "--steps", "0");
        Assert.AreEqual(1, code);
        StringAssert.Contains(error, "--steps must be a whole number from 1 to 100000; got '0'.");
        (code, _, error) = Invoke(command.Definition, "--threads", "65");
        Assert.AreEqual(1, code);
        StringAssert.Contains(error, "--threads must be a whole number from 1 to 64; got '65'.");
    }

    [TestMethod]
    public void CaptionsRepeatOnePerOption()
    {
        var command = TextToImageOptions.Command;
        Assert.AreEqual(0, command.Bind(command.Definition.Parse([])).Captions.Count);
        var options = command.Bind(command.Definition.Parse(["--caption", "a large red circle", "--quick", "--caption", "a small blue star"]));
        CollectionAssert.AreEqual(new[] { "a large red circle", "a small blue star" }, options.Captions.ToArray());
        Assert.IsTrue(options.Quick);

        Assert.AreEqual(1, Invoke(command.Definition, "--caption", "one", "two").Code, "two words are one caption only when quoted");
        Assert.AreEqual(1, Invoke(command.Definition, "--caption").Code);
    }

    [TestMethod]
    public void OnnxExportTakesAnOptionalModel()
    {
        var command = OnnxExportOptions.Command;
        Assert.IsNull(command.Bind(command.Definition.Parse([])).ModelPath);
        Assert.AreEqual("m.safetensors", command.Bind(command.Definition.Parse(["--model", "m.safetensors"])).ModelPath);
    }

    [TestMethod]
    [DataRow(new string[0], "Give exactly one of --captions FILE and --demo.")]
    [DataRow(new[] { "--demo", "--captions", "c.tsv" }, "Give exactly one of --captions FILE and --demo.")]
    [DataRow(new[] { "--demo", "--size", "20" }, "--size must be a multiple of 8; got 20.")]
    [DataRow(new[] { "--demo", "--size", "8" }, "--size must be a whole number from 16 to 256; got '8'.")]
    [DataRow(new[] { "--demo", "--steps", "0" }, "--steps must be a whole number of 1 or more; got '0'.")]
    public void ImageFolderChecksItsChoiceOfDataAndTheModelSize(string[] args, string message)
    {
        var (code, _, error) = Invoke(ImageFolderOptions.Command.Definition, args);
        Assert.AreEqual(1, code);
        StringAssert.Contains(error, message);
    }

    [TestMethod]
    public void ImageFolderDefaults()
    {
        var command = ImageFolderOptions.Command;
        Assert.AreEqual(new ImageFolderOptions("c.tsv", false, "imagefolder-out", 32, 64, 1500), command.Bind(command.Definition.Parse(["--captions", "c.tsv"])));
        Assert.AreEqual(new ImageFolderOptions(null, true, "imagefolder-out", 32, 48, 1500), command.Bind(command.Definition.Parse(["--demo", "--size", "48"])));
    }

    private static (int Code, string Output, string Error) Invoke(RootCommand definition, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = definition.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
