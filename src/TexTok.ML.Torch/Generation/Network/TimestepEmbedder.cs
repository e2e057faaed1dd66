using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Embeds scalar timesteps: a sinusoidal frequency embedding ([cos, sin] of t·f_i with f_i = 10000^(−i/half), as in
/// DiT) followed by Linear → SiLU → Linear to the model width.
/// </summary>
public sealed partial class TimestepEmbedder : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "fc1")]
    private readonly Linear _fc1;

    [ComponentName(Name = "fc2")]
    private readonly Linear _fc2;

    private readonly float[] _frequencies;

    /// <summary>Creates the embedder.</summary>
    /// <param name="width">Output width.</param>
    /// <param name="frequencyDim">Size of the sinusoidal embedding (even).</param>
    public TimestepEmbedder(int width, int frequencyDim)
        : base(nameof(TimestepEmbedder))
    {
        int half = frequencyDim / 2;
        _frequencies = Enumerable.Range(0, half).Select(i => (float)Math.Exp(-Math.Log(10000.0) * i / half)).ToArray();
        _fc1 = nn.Linear(frequencyDim, width);
        _fc2 = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <summary>Embeds timesteps [B] (on DiT's 0–1000 scale) into [B, width].</summary>
    /// <param name="t">Timesteps.</param>
    public override Tensor forward(Tensor t)
    {
        using var scope = NewDisposeScope();
        var frequencies = torch.tensor(_frequencies, dtype: t.dtype, device: t.device);
        var arguments = t.unsqueeze(1).mul(frequencies.unsqueeze(0));
        var embedding = torch.cat(new[] { arguments.cos(), arguments.sin() }, 1);
        return _fc2.forward(nn.functional.silu(_fc1.forward(embedding))).MoveToOuterDisposeScope();
    }
}
