namespace TexTok.ML.Torch.Generation;

/// <summary>The arithmetic the flow integrator needs, over TorchSharp tensors or ONNX graph values.</summary>
/// <typeparam name="T">A tensor, or the name of a graph value.</typeparam>
internal interface IFlowAlgebra<T>
{
    /// <summary>a + b.</summary>
    T Add(T a, T b, string name);

    /// <summary>a · factor.</summary>
    T Scale(T a, double factor, string name);
}

/// <summary>
/// The one integrator of dx/dt = v(x, t) from the noise at t = 1 to t = 0 on the sampler's time grid (Euler, or Heun's
/// predictor–corrector): <see cref="DiTSampler"/> runs it on tensors, <see cref="DiTOnnxExport"/> unrolls it into a graph.
/// </summary>
internal static class FlowIntegrator
{
    /// <summary>Integrates <paramref name="noise"/> with <paramref name="velocity"/> (x, t → v) as <paramref name="options"/> say.</summary>
    public static T Run<T>(IFlowAlgebra<T> algebra, T noise, DiTSamplerOptions options, Func<T, double, T> velocity)
    {
        var grid = DiTSampler.TimeGrid(options);
        var x = noise;
        for (int i = 0; i < options.Steps; i++)
        {
            double t = grid[i], next = grid[i + 1], dt = next - t;
            var v = velocity(x, t);
            var euler = algebra.Add(x, algebra.Scale(v, dt, $"step{i}.v_dt"), $"step{i}.euler");
            if (options.Method == DiTSamplerMethod.Heun)
            {
                var corrected = velocity(euler, next);
                x = algebra.Add(x, algebra.Scale(algebra.Add(v, corrected, $"step{i}.v_sum"), 0.5 * dt, $"step{i}.heun_dt"), $"step{i}.heun");
            }
            else
            {
                x = euler;
            }
        }

        return x;
    }
}
