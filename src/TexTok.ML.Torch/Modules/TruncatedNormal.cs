using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Modules;

/// <summary>
/// Fills a tensor from N(0, std²) truncated to ±2·std, by redrawing out-of-range values (then clamping the rare
/// survivors). TorchSharp 0.107's <c>nn.init.trunc_normal_</c> returns near-constant values, so it is not used.
/// </summary>
public static class TruncatedNormal
{
    /// <summary>Fills <paramref name="tensor"/> in place using the global torch generator.</summary>
    /// <param name="tensor">The tensor to fill.</param>
    /// <param name="std">Standard deviation before truncation.</param>
    public static void Fill(Tensor tensor, double std)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var values = torch.randn(tensor.shape, dtype: tensor.dtype, device: tensor.device).Times(std);
        for (int i = 0; i < 4; i++)
        {
            var outside = values.abs().GreaterThan(2 * std);
            values = torch.where(outside, torch.randn_like(values).Times(std), values);
        }

        tensor.copy_(values.ClampTo(-2 * std, 2 * std));
    }
}
