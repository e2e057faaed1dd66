using System.Text.Json;
using TexTok.ML.Mpi;
using TexTok.ML.Testing;
using TexTok.ML.Torch.Checkpoints;

namespace TexTok.ML.Mpi.Tests;

/// <summary>
/// Data-parallel training under Open MPI's mpirun: the DataParallelTraining sample run as a two-rank job writes the
/// model that the same sample writes alone, at the same global batch. Needs Open MPI (Debian: openmpi-bin and
/// libopenmpi-dev, which the CI script installs); elsewhere the job tests are inconclusive.
/// </summary>
[TestClass]
public sealed class OpenMpiTrainingTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void TwoRanksWriteTheModelOneProcessTrains()
    {
        string mpirun = MpirunOrInconclusive();
        string root = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"mpi-{Guid.NewGuid():N}");
        string[] arguments = ["--steps", "12", "--batch", "8", "--tokens", "8", "--threads", "1", "--seed", "3"];
        string alone = Path.Combine(root, "alone"), job = Path.Combine(root, "two-ranks");

        var single = Run("dotnet", [SamplePath(), .. arguments, "--out", alone]);
        var pair = Run(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", "2", "dotnet", SamplePath(), .. arguments, "--out", job]);
        StringAssert.Contains(single, "1 rank(s), global batch 8 (8 per rank)");
        StringAssert.Contains(pair, "2 rank(s), global batch 8 (4 per rank)");

        using var expected = SafeTensors.Load(Path.Combine(alone, "textok.safetensors"));
        using var actual = SafeTensors.Load(Path.Combine(job, "textok.safetensors"));
        CollectionAssert.AreEquivalent(expected.Tensors.Keys.ToList(), actual.Tensors.Keys.ToList());
        double worst = 0;
        foreach (var (name, tensor) in expected.Tensors)
        {
            worst = Math.Max(worst, tensor.sub(actual.Tensors[name]).abs().max().item<float>());
        }

        var reportAlone = JsonDocument.Parse(File.ReadAllText(Path.Combine(alone, "report.json"))).RootElement;
        var reportJob = JsonDocument.Parse(File.ReadAllText(Path.Combine(job, "report.json"))).RootElement;
        double lossAlone = reportAlone.GetProperty("final_loss").GetDouble(), lossJob = reportJob.GetProperty("final_loss").GetDouble();
        TestContext.WriteLine($"largest EMA-weight difference {worst:G3}; last loss {lossAlone:G6} alone, {lossJob:G6} over two ranks");
        Assert.AreEqual(2, reportJob.GetProperty("ranks").GetInt32());
        // Float rounding only: the ranks sum two half-batch gradients where one process averages the whole batch.
        Assert.IsLessThan(1e-4, worst, "the two-rank job's weights should equal the one-process run's to float rounding");
        Assert.AreEqual(lossAlone, lossJob, 1e-5, "the job's reported loss should be the whole batch's mean");
        Assert.IsGreaterThan(0.0, lossAlone);
    }

    [TestMethod]
    public void ABatchTheRanksCannotShareIsRefusedByEveryRank()
    {
        string mpirun = MpirunOrInconclusive();
        string output = Run(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", "2", "dotnet", SamplePath(), "--steps", "2", "--batch", "7",
                                     "--out", Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"mpi-{Guid.NewGuid():N}")], expectSuccess: false);
        StringAssert.Contains(output, "--batch 7 must be a multiple of the number of ranks (2)");
    }

    [TestMethod]
    public void AMissingLibraryNamesWhatToInstall()
    {
        // The variable is read when the library is first loaded, which nothing else in this process does.
        Environment.SetEnvironmentVariable("TEXTOK_MPI_LIBRARY", "/nonexistent/libmpi.so.40");
        try
        {
            var error = Assert.ThrowsExactly<DllNotFoundException>(() => OpenMpiGroup.Initialize());
            StringAssert.Contains(error.Message, "/nonexistent/libmpi.so.40");
            StringAssert.Contains(error.Message, "openmpi-bin");
        }
        finally
        {
            Environment.SetEnvironmentVariable("TEXTOK_MPI_LIBRARY", null);
        }

        Assert.IsFalse(OpenMpiGroup.LaunchedByMpirun, "the test host is not started by mpirun");
    }

    private string Run(string program, IEnumerable<string> arguments, bool expectSuccess = true)
    {
        var (code, output) = ChildProgram.Run(TestContext, program, arguments, TimeSpan.FromMinutes(5));
        Assert.AreEqual(expectSuccess, code == 0, $"{program} exited with {code}:\n{output}");
        return output;
    }

    // mpirun from PATH; inconclusive where Open MPI is not installed, except in CI, whose script installs it.
    private static string MpirunOrInconclusive()
    {
        string? found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, "mpirun")).FirstOrDefault(File.Exists);
        if (found is null)
        {
            Assert.IsNull(Environment.GetEnvironmentVariable("CI"), "CI installs Open MPI (openmpi-bin), yet mpirun is not on PATH");
            Assert.Inconclusive("Open MPI's mpirun is not installed (Debian: apt-get install openmpi-bin libopenmpi-dev).");
        }

        return found;
    }

    private static string SamplePath() => ChildProgram.BuiltAssembly("samples/DataParallelTraining", "DataParallelTraining");
}
