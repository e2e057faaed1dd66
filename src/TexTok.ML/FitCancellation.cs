using System.Reflection;
using Microsoft.ML;
using TexTok.ML.Torch.Training;

namespace TexTok.ML;

/// <summary>
/// The stop signal of one Fit: the caller's <see cref="CancellationToken"/> or ML.NET's own flag, which
/// <c>MLContext.CancelExecution()</c> sets on the context behind the catalog. ML.NET keeps that flag internal
/// (<c>ICancelable.IsCanceled</c>), so it is read by name and polled; where a future ML.NET lacks it, only the
/// token stops Fit.
/// </summary>
internal sealed class FitCancellation : IDisposable
{
    private const int PollMilliseconds = 50;
    private readonly CancellationTokenSource _source;
    private readonly Timer? _poll;

    public FitCancellation(TransformsCatalog catalog, CancellationToken token)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(token);
        if (ContextFlag(catalog) is { } isCanceled)
        {
            if (isCanceled())
            {
                _source.Cancel();
            }

            _poll = new Timer(_ => Poll(isCanceled), null, PollMilliseconds, PollMilliseconds);
        }
    }

    public CancellationToken Token => _source.Token;

    /// <summary>
    /// Throws <see cref="OperationCanceledException"/> when the Fit was stopped, naming the step its training reached
    /// and the checkpoint a Fit with the same options carries on from.
    /// </summary>
    public void ThrowIfStopped(string component, OptimizationOptions training, long step)
    {
        if (!Token.IsCancellationRequested)
        {
            return;
        }

        string kept = training.CheckpointPath is { } path
            ? $"; the checkpoint '{path}' holds step {step}, and a Fit with the same options carries on from it"
            : "; set Training.CheckpointPath to keep the progress of a cancelled Fit";
        throw new OperationCanceledException($"{component}: Fit was cancelled after step {step} of {training.Steps}{kept}.", Token);
    }

    public void Dispose()
    {
        _poll?.Dispose();
        _source.Dispose();
    }

    /// <summary>Reads ML.NET's cancellation flag of the context whose catalog built the estimator, or null where it is not found.</summary>
    internal static Func<bool>? ContextFlag(TransformsCatalog catalog)
    {
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        object? environment = typeof(TransformsCatalog).GetField("_env", Instance)?.GetValue(catalog);
        var flag = environment?.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "ICancelable")?.GetProperty("IsCanceled");
        return environment is null || flag?.PropertyType != typeof(bool) ? null : () => (bool)flag.GetValue(environment)!;
    }

    private void Poll(Func<bool> isCanceled)
    {
        try
        {
            if (isCanceled())
            {
                _source.Cancel();
            }
        }
        catch (ObjectDisposedException)
        {
            // The Fit ended between the timer firing and this call.
        }
    }
}
