using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Benchmarks;

/// <summary>The achievable float32 matrix-multiply rate of libtorch on this machine, measured in-process.</summary>
internal static class MatmulPeak
{
    /// <summary>Best GFLOP/s of an n×n by n×n product over <paramref name="repeats"/> timed runs (after one warm-up).</summary>
    public static double Measure(int n, int repeats)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        manual_seed(1);
        var a = randn(n, n);
        var b = randn(n, n);
        torch.matmul(a, b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            using var product = torch.matmul(a, b);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return 2.0 * n * n * (double)n / best / 1e9;
    }
}
