using System.Diagnostics;

namespace TexTok.ML.Testing;

/// <summary>Programs of this repository that a test runs in a process of its own: where they are built, and a run of one.</summary>
internal static class ChildProgram
{
    /// <summary>
    /// The built assembly of the program in <paramref name="projectFolder"/> (relative to the repository root, e.g.
    /// <c>samples/ShardedTokenize</c>), in the configuration and target framework of the running test; the test project
    /// builds it through a project reference with <c>ReferenceOutputAssembly="false"</c>.
    /// </summary>
    /// <param name="projectFolder">The program's project folder, relative to the repository root.</param>
    /// <param name="assemblyName">Its assembly name, without <c>.dll</c>.</param>
    public static string BuiltAssembly(string projectFolder, string assemblyName)
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // tests/X/bin/<Configuration>/<tfm>
        string root = tfm.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        string path = Path.GetFullPath(Path.Combine(root, projectFolder, "bin", tfm.Parent!.Name, tfm.Name, assemblyName + ".dll"));
        Assert.IsTrue(File.Exists(path), $"{assemblyName} is not built at {path}");
        return path;
    }

    /// <summary>
    /// Runs <paramref name="program"/> to its end and returns its exit code and its standard output followed by its
    /// standard error, also written to the test's log; fails the test when it runs past <paramref name="timeout"/>.
    /// </summary>
    /// <param name="context">The test, for its log.</param>
    /// <param name="program">The executable (e.g. <c>dotnet</c> or <c>mpirun</c>).</param>
    /// <param name="arguments">Its arguments, each passed as one.</param>
    /// <param name="timeout">How long it may take.</param>
    public static (int ExitCode, string Output) Run(TestContext context, string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish within {timeout.TotalMinutes:G3} minutes");
        }

        output += errors.Result;
        context.WriteLine($"$ {program} {string.Join(' ', start.ArgumentList)}\n{output}");
        return (process.ExitCode, output);
    }
}
