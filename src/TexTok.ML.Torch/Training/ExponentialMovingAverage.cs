using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Training;

/// <summary>
/// An exponential moving average of a module's state. The effective decay ramps up as min(decay, (1+t)/(10+t)) so
/// that short runs are not dominated by the random initial weights.
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    private readonly Dictionary<string, Tensor> _average = new(StringComparer.Ordinal);
    private readonly double _decay;

    /// <summary>Starts the average at the module's current state.</summary>
    /// <param name="module">The module to track.</param>
    /// <param name="decay">Target decay.</param>
    public ExponentialMovingAverage(nn.Module module, double decay)
    {
        _decay = decay;
        foreach (var (name, t) in module.state_dict())
        {
            _average[name] = t.detach().clone().DetachFromDisposeScope();
        }
    }

    /// <summary>The averaged tensors by state-dictionary name.</summary>
    public IReadOnlyDictionary<string, Tensor> State => _average;

    /// <summary>Moves the average towards the module's current state; <paramref name="step"/> is the update count so far.</summary>
    /// <param name="module">The tracked module.</param>
    /// <param name="step">Number of updates so far.</param>
    public void Update(nn.Module module, long step)
    {
        double decay = Math.Min(_decay, (1.0 + step) / (10.0 + step));
        using var noGrad = torch.no_grad();
        foreach (var (name, t) in module.state_dict())
        {
            _average[name].LerpInPlace(t, 1 - decay);
        }
    }

    /// <summary>Replaces the average with <paramref name="state"/> (from a checkpoint).</summary>
    /// <param name="state">Tensors by name.</param>
    /// <param name="source">Where they came from, for error messages.</param>
    public void Load(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, target) in _average)
        {
            if (!state.TryGetValue(name, out var value) || !value.shape.SequenceEqual(target.shape))
            {
                throw new InvalidDataException($"{source} has no EMA tensor '{name}' of shape [{string.Join(", ", target.shape)}].");
            }

            target.copy_(value);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _average.Values)
        {
            t.Dispose();
        }

        _average.Clear();
    }
}
