using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace TexTok.ML.Samples;

/// <summary>
/// Options that several samples take, each defined once with its help text and its checks: a value out of range, a
/// word where a number belongs or a blank value is a parse error naming the option, what it accepts and what it got.
/// </summary>
internal static class SampleOptions
{
    /// <summary><c>--quick</c>: a short run.</summary>
    public static Option<bool> Quick(string duration) => new("--quick") { Description = $"A short run ({duration})." };

    /// <summary><c>--out DIR</c>: the output folder, created if needed.</summary>
    public static Option<string> Output(string defaultFolder) =>
        Text("--out", "DIR", "Output folder, created if needed.", defaultFolder);

    /// <summary><c>--tokens N</c>: image tokens per image.</summary>
    public static Option<int> Tokens(int defaultValue, string description = "Image tokens per image") =>
        WholeNumber("--tokens", "N", description, 1, 256, defaultValue);

    /// <summary><c>--threads T</c>: libtorch's CPU threads.</summary>
    public static Option<int> Threads(string description = "CPU threads for TorchSharp training") =>
        WholeNumber("--threads", "T", description, 1, 64, 2);

    /// <summary><c>--steps S</c> for the tokenizer and the DiT, whose default depends on <c>--quick</c> (null: not given).</summary>
    public static Option<int?> Steps(int quick, int full) => new("--steps")
    {
        HelpName = "S",
        Description = $"Training steps of the tokenizer and of the DiT, 1 to 100000 (default: {quick} with --quick, {full} otherwise).",
        CustomParser = result => ParseWholeNumber(result, "--steps", 1, 100_000),
    };

    /// <summary>An option followed by a non-blank text value; without a default it may be left out (null).</summary>
    public static Option<string> Text(string name, string helpName, string description, string? defaultValue = null)
    {
        var option = new Option<string>(name) { HelpName = helpName, Description = description };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        option.Validators.Add(result =>
        {
            if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
            {
                result.AddError($"{name} needs a non-blank {helpName}.");
            }
        });
        return option;
    }

    /// <summary>An option followed by a whole number in [<paramref name="min"/>, <paramref name="max"/>] that <paramref name="multipleOf"/> divides.</summary>
    public static Option<int> WholeNumber(string name, string helpName, string description, int min, int max, int defaultValue, int multipleOf = 1) => new(name)
    {
        HelpName = helpName,
        Description = $"{description}, {RangeText(min, max)}{(multipleOf > 1 ? $", a multiple of {multipleOf}" : string.Empty)}.",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseWholeNumber(result, name, min, max, multipleOf) ?? defaultValue,
    };

    /// <summary>An option followed by a whole number in [<paramref name="min"/>, <paramref name="max"/>]; null when not given.</summary>
    public static Option<int?> OptionalWholeNumber(string name, string helpName, string description, int min, int max) => new(name)
    {
        HelpName = helpName,
        Description = $"{description}, {RangeText(min, max)}.",
        CustomParser = result => ParseWholeNumber(result, name, min, max),
    };

    private static int? ParseWholeNumber(ArgumentResult result, string name, int min, int max, int multipleOf = 1)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        string text = result.Tokens[^1].Value;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            result.AddError($"{name} must be a whole number {(max == int.MaxValue ? "of" : "from")} {RangeText(min, max)}; got '{text}'.");
            return null;
        }

        if (value % multipleOf != 0)
        {
            result.AddError($"{name} must be a multiple of {multipleOf}; got {value}.");
            return null;
        }

        return value;
    }

    private static string RangeText(int min, int max) => max == int.MaxValue ? $"{min} or more" : $"{min} to {max}";
}
