using System.Globalization;
using System.Text.Json;

namespace TexTok.ML.Samples;

/// <summary>Option values, the start-up checks and the JSON output that the samples' command lines share.</summary>
internal static class SampleArguments
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Reads the value after <c>args[i]</c> as a whole number in [<paramref name="min"/>, <paramref name="max"/>] and moves past it.</summary>
    public static bool TryReadInt(string[] args, ref int i, int min, int max, out int value, out string error)
    {
        value = 0;
        if (!TryReadText(args, ref i, out string text, out error))
        {
            return false;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) || value < min || value > max)
        {
            error = $"error: {args[i - 1]} must be a whole number from {min} to {max}; got '{text}'.";
            return false;
        }

        return true;
    }

    /// <summary>Reads the non-blank value after <c>args[i]</c> and moves past it.</summary>
    public static bool TryReadText(string[] args, ref int i, out string value, out string error)
    {
        value = string.Empty;
        error = string.Empty;
        if (i + 1 >= args.Length || string.IsNullOrWhiteSpace(args[i + 1]))
        {
            error = $"error: {args[i]} needs a value.";
            return false;
        }

        value = args[++i];
        return true;
    }

    /// <summary>
    /// What every sample does before its work: a parse error is printed with the usage (exit code 2), --help prints the
    /// usage (0), and an output folder that cannot be created or written is reported with the usage (1). Null: go on.
    /// </summary>
    public static int? Start(bool parsed, string error, bool help, string outputDirectory, string usage)
    {
        if (!parsed)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(usage);
            return 2;
        }

        if (help)
        {
            Console.WriteLine(usage);
            return 0;
        }

        try
        {
            Directory.CreateDirectory(outputDirectory);
            string probe = Path.Combine(outputDirectory, ".write-test");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            Console.Error.WriteLine($"error: cannot write to the output folder '{outputDirectory}': {e.Message}");
            Console.Error.WriteLine(usage);
            return 1;
        }

        return null;
    }

    /// <summary>Writes <paramref name="value"/> as indented JSON.</summary>
    public static void WriteJson(string path, object value) => File.WriteAllText(path, JsonSerializer.Serialize(value, Indented));
}
