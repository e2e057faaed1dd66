namespace TexTok.ML.Samples;

/// <summary>
/// A sample's command-line options as a table: flags, text values and bounded whole numbers, each with the update it
/// makes to the options record. Parsing reports the first unknown option, missing value or out-of-range number.
/// </summary>
/// <typeparam name="T">The options record.</typeparam>
internal sealed class SampleOptionTable<T>
{
    private readonly Dictionary<string, Func<string[], int, T, (T Options, int Next, string? Error)>> _options = new(StringComparer.Ordinal);

    /// <summary>Every sample's flags: <c>--quick</c> and <c>-h</c>/<c>--help</c>.</summary>
    public static SampleOptionTable<T> Common(Func<T, T> quick, Func<T, T> help) =>
        new SampleOptionTable<T>().Flag(quick, "--quick").Flag(help, "-h", "--help");

    /// <summary>An option without a value.</summary>
    public SampleOptionTable<T> Flag(Func<T, T> update, params string[] names)
    {
        foreach (string name in names)
        {
            _options[name] = (_, i, options) => (update(options), i + 1, null);
        }

        return this;
    }

    /// <summary>An option followed by a non-blank text value.</summary>
    public SampleOptionTable<T> Text(string name, Func<T, string, T> update)
    {
        _options[name] = (args, i, options) =>
        {
            int next = i;
            return SampleArguments.TryReadText(args, ref next, out string value, out string error)
                ? (update(options, value), next + 1, null)
                : (options, next, error);
        };
        return this;
    }

    /// <summary>An option followed by a whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public SampleOptionTable<T> Int(string name, int min, int max, Func<T, int, T> update)
    {
        _options[name] = (args, i, options) =>
        {
            int next = i;
            return SampleArguments.TryReadInt(args, ref next, min, max, out int value, out string error)
                ? (update(options, value), next + 1, null)
                : (options, next, error);
        };
        return this;
    }

    /// <summary>Applies <paramref name="args"/> to <paramref name="defaults"/>.</summary>
    public bool TryParse(string[] args, T defaults, out T options, out string error)
    {
        options = defaults;
        error = string.Empty;
        int i = 0;
        while (i < args.Length)
        {
            if (!_options.TryGetValue(args[i], out var apply))
            {
                error = $"error: unknown option '{args[i]}'.";
                return false;
            }

            (options, i, string? failure) = apply(args, i, options);
            if (failure is not null)
            {
                error = failure;
                return false;
            }
        }

        return true;
    }
}
