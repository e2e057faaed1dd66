namespace QuickStart;

/// <summary>The QuickStart command line.</summary>
internal sealed record QuickStartOptions(bool Quick, string OutputDirectory, int Tokens, bool Help)
{
    public const string Usage =
        "usage: dotnet run -c Release --project samples/QuickStart [-- [--quick] [--out DIR] [--tokens N]]\n" +
        "  --quick       a short run (about 2 minutes on 2 cores)\n" +
        "  --out DIR     output folder (default: ./quickstart-out)\n" +
        "  --tokens N    image tokens per image, 1 to 256 (default: 16)";

    public static bool TryParse(string[] args, out QuickStartOptions options, out string error)
    {
        options = new QuickStartOptions(false, "quickstart-out", 16, false);
        error = string.Empty;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    options = options with { Quick = true };
                    break;
                case "-h" or "--help":
                    options = options with { Help = true };
                    break;
                case "--out" when i + 1 < args.Length:
                    options = options with { OutputDirectory = args[++i] };
                    break;
                case "--tokens" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], out int tokens) || tokens < 1 || tokens > 256)
                    {
                        error = $"error: --tokens must be a whole number from 1 to 256; got '{args[i]}'.";
                        return false;
                    }

                    options = options with { Tokens = tokens };
                    break;
                case "--out" or "--tokens":
                    error = $"error: {args[i]} needs a value.";
                    return false;
                default:
                    error = $"error: unknown option '{args[i]}'.";
                    return false;
            }
        }

        return true;
    }
}
