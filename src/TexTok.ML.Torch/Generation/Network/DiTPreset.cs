namespace TexTok.ML.Torch.Generation;

/// <summary>Size presets of the diffusion transformer, as in DiT's <c>models.py</c> (depth / width / heads).</summary>
public enum DiTPreset
{
    /// <summary>2 blocks, 64 wide, 4 heads: tests and demos that train in seconds on a CPU.</summary>
    Tiny,

    /// <summary>DiT-S: 12 blocks, 384 wide, 6 heads.</summary>
    S,

    /// <summary>DiT-B: 12 blocks, 768 wide, 12 heads.</summary>
    B,

    /// <summary>DiT-L: 24 blocks, 1024 wide, 16 heads.</summary>
    L,

    /// <summary>DiT-XL: 28 blocks, 1152 wide, 16 heads (the paper's 675M generator).</summary>
    XL,
}
