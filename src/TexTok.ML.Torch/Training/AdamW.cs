using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Training;

/// <summary>
/// AdamW (decoupled weight decay) over named parameters, with its moment estimates exposed by name so a
/// checkpoint can store them and a resumed run continues exactly. Weight decay applies to matrices and
/// convolution kernels only, not to biases, norms, position embeddings or learnable tokens.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly List<(string Name, Parameter Parameter, Tensor M, Tensor V, bool Decay)> _slots = new();
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private readonly double _weightDecay;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Named parameters to optimise.</param>
    /// <param name="beta1">First-moment decay.</param>
    /// <param name="beta2">Second-moment decay.</param>
    /// <param name="epsilon">Denominator epsilon.</param>
    /// <param name="weightDecay">Decoupled weight decay.</param>
    public AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, double beta1, double beta2, double epsilon, double weightDecay)
    {
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _weightDecay = weightDecay;
        foreach (var (name, p) in parameters)
        {
            bool decay = p.ndim >= 2 && !name.EndsWith("pos", StringComparison.Ordinal) &&
                         !name.EndsWith("tokens", StringComparison.Ordinal) && !name.EndsWith("queries", StringComparison.Ordinal);
            _slots.Add((name, p, torch.zeros_like(p).DetachFromDisposeScope(), torch.zeros_like(p).DetachFromDisposeScope(), decay));
        }
    }

    /// <summary>Number of updates applied so far.</summary>
    public long Steps { get; private set; }

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var slot in _slots)
        {
            slot.Parameter.grad?.zero_();
        }
    }

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/>.</summary>
    /// <param name="learningRate">Step size.</param>
    public void Step(double learningRate)
    {
        Steps++;
        double correction1 = 1 - Math.Pow(_beta1, Steps);
        double correction2 = 1 - Math.Pow(_beta2, Steps);
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        foreach (var (_, p, m, v, decay) in _slots)
        {
            var g = p.grad;
            if (g is null)
            {
                continue;
            }

            m.ScaleInPlace(_beta1).AddInPlace(g, 1 - _beta1);
            v.ScaleInPlace(_beta2).AddProductInPlace(g, g, 1 - _beta2);
            if (decay && _weightDecay > 0)
            {
                p.ScaleInPlace(1 - learningRate * _weightDecay);
            }

            var denominator = v.DividedBy(correction2).sqrt_().AddInPlace(_epsilon);
            p.AddQuotientInPlace(m, denominator, -learningRate / correction1);
        }
    }

    /// <summary>The moment estimates by name ("m.NAME", "v.NAME").</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> State()
    {
        foreach (var (name, _, m, v, _) in _slots)
        {
            yield return new($"m.{name}", m);
            yield return new($"v.{name}", v);
        }
    }

    /// <summary>Restores moments written by <see cref="State"/> and the step count.</summary>
    /// <param name="state">Tensors by name, as <see cref="State"/> names them.</param>
    /// <param name="steps">The step count to continue from.</param>
    /// <param name="source">Where the state came from, for error messages.</param>
    public void Load(IReadOnlyDictionary<string, Tensor> state, long steps, string source)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, _, m, v, _) in _slots)
        {
            foreach (var (key, target) in new[] { ($"m.{name}", m), ($"v.{name}", v) })
            {
                if (!state.TryGetValue(key, out var value) || !value.shape.SequenceEqual(target.shape))
                {
                    throw new InvalidDataException($"{source} has no optimizer state '{key}' of shape [{string.Join(", ", target.shape)}].");
                }

                target.copy_(value);
            }
        }

        Steps = steps;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var slot in _slots)
        {
            slot.M.Dispose();
            slot.V.Dispose();
        }

        _slots.Clear();
    }
}
