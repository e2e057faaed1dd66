using System.Reflection;

namespace TexTok.ML.Samples;

/// <summary>
/// How a sample ends when its work fails: one line on stderr saying what went wrong, the whole exception in
/// <c>error.log</c> in the output folder for whoever needs the details, and exit code 1 — never a stack trace on the console.
/// </summary>
internal static class SampleFailure
{
    /// <summary>The file, in the output folder, that holds the full exception of a failed run.</summary>
    public const string LogFile = "error.log";

    private static int _installed;

    /// <summary>
    /// From now on an exception that nothing catches, on any thread, ends the process this way. The samples' code reads
    /// top to bottom without a try around it; <see cref="SampleProgress"/> lets its live display finish first.
    /// </summary>
    public static void EndFailuresWithOneMessage(string outputDirectory)
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is Exception exception)
            {
                Console.Error.WriteLine(Report(exception, outputDirectory));
                Environment.Exit(1);
            }
        };
    }

    /// <summary>The line printed for <paramref name="exception"/>, after its details are written to <see cref="LogFile"/> (when the folder can be written).</summary>
    public static string Report(Exception exception, string outputDirectory)
    {
        string message = $"error: {Describe(exception)}";
        try
        {
            string log = Path.Combine(outputDirectory, LogFile);
            File.WriteAllText(log, exception.ToString());
            return $"{message} (details: {log})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return message;
        }
    }

    /// <summary>
    /// What went wrong, in words: the exception's own message, which the library writes to name the file, column or
    /// option at fault. The wrappers that parallel loops and reflection put around an exception say nothing of their
    /// own and are looked through; inner exceptions (often a lower layer's terser view of the same fault) stay in the log.
    /// </summary>
    public static string Describe(Exception exception) => exception switch
    {
        AggregateException aggregate => string.Join("; ", aggregate.Flatten().InnerExceptions.Select(Describe).Distinct()),
        TargetInvocationException or TypeInitializationException when exception.InnerException is not null => Describe(exception.InnerException),
        _ => exception.Message.Trim(),
    };
}
