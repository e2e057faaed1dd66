using System.CommandLine;

namespace TexTok.ML.Samples;

/// <summary>How the samples' command lines are defined.</summary>
internal static class SampleCommandLine
{
    /// <summary>
    /// The root command of <c>samples/<paramref name="project"/></c>: what it does, how to run it (the arguments after
    /// <c>--</c>, as <paramref name="usage"/> shows them) and its options.
    /// </summary>
    public static RootCommand Define(string project, string description, IReadOnlyList<Option> options, string usage = "[options]")
    {
        var command = new RootCommand($"{description}\nRun with: dotnet run -c Release --project samples/{project} -- {usage}");
        foreach (var option in options)
        {
            command.Add(option);
        }

        return command;
    }
}

/// <summary>
/// A sample's command line: its System.CommandLine definition and how a successful parse becomes the sample's options.
/// </summary>
/// <typeparam name="T">The sample's options.</typeparam>
/// <param name="definition">The root command with every option of the sample.</param>
/// <param name="bind">Reads the options from a parse without errors.</param>
/// <param name="outputDirectory">The output folder the options name.</param>
internal sealed class SampleCommandLine<T>(RootCommand definition, Func<ParseResult, T> bind, Func<T, string> outputDirectory)
{
    /// <summary>The System.CommandLine definition (help, parsing and validation).</summary>
    public RootCommand Definition => definition;

    /// <summary>The options of a parse without errors.</summary>
    public T Bind(ParseResult result) => bind(result);

    /// <summary>
    /// What every sample does before its work, as System.CommandLine-based .NET tools do: <c>--help</c> prints the help
    /// (exit code 0); a parse error prints the errors on stderr and the help (exit code 1). Then the output folder is
    /// created and tried (exit code 1 with the reason when it cannot be written), and from here on any failure ends the
    /// process with one message (<see cref="SampleFailure"/>). Null: go on with <paramref name="options"/>.
    /// </summary>
    public int? Start(string[] args, out T options)
    {
        options = default!;
        var result = definition.Parse(args);
        if (result.Action is not null)
        {
            return result.Invoke();
        }

        options = bind(result);
        string folder = outputDirectory(options);
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            Console.Error.WriteLine($"error: cannot write to the output folder '{folder}': {e.Message}");
            return 1;
        }

        SampleFailure.EndFailuresWithOneMessage(folder);
        return null;
    }
}
