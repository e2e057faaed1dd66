using System.Diagnostics;

namespace TexTok.ML.Benchmarks;

/// <summary>Wall-time measurement shared by the suites.</summary>
internal static class WallClock
{
    /// <summary>Best wall time in seconds of <paramref name="repeats"/> runs after one warm-up run.</summary>
    public static double BestOf(int repeats, Action run)
    {
        run();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            best = Math.Min(best, Once(run));
        }

        return best;
    }

    /// <summary>Wall time in seconds of one run.</summary>
    public static double Once(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalSeconds;
    }
}
