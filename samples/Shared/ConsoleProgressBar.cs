namespace TexTok.ML.Samples;

/// <summary>A one-line progress bar redrawn in place on a terminal, or printed every 10% when output is redirected.</summary>
internal sealed class ConsoleProgressBar(string label) : IDisposable
{
    private const int Width = 30;
    private int _lastDecile = -1;
    private bool _drawn;

    public IProgress<T> For<T>(Func<T, (double Fraction, string Detail)> describe) => new ActionProgress<T>(value =>
    {
        var (fraction, detail) = describe(value);
        Update(fraction, detail);
    });

    public void Update(double fraction, string detail)
    {
        fraction = Math.Clamp(fraction, 0, 1);
        int filled = (int)Math.Round(fraction * Width);
        string line = $"{label} [{new string('#', filled)}{new string('-', Width - filled)}] {fraction * 100,3:F0}%  {detail}";
        if (Console.IsOutputRedirected)
        {
            int decile = (int)(fraction * 10);
            if (decile != _lastDecile)
            {
                _lastDecile = decile;
                Console.WriteLine(line);
            }
        }
        else
        {
            Console.Write("\r" + line.PadRight(Math.Max(line.Length, Console.WindowWidth - 1)));
            _drawn = true;
        }
    }

    public void Dispose()
    {
        if (_drawn)
        {
            Console.WriteLine();
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that runs its action at once on the reporting thread (System.Progress posts it to the thread pool).</summary>
internal sealed class ActionProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
