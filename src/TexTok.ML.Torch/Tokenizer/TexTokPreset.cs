namespace TexTok.ML.Torch.Tokenizer;

/// <summary>Size presets of the tokenizer and detokenizer ViTs.</summary>
public enum TexTokPreset
{
    /// <summary>2 layers, 64 wide, 4 heads: tests and demos that train in seconds on a CPU.</summary>
    Tiny,

    /// <summary>4 layers, 192 wide, 3 heads: small CPU experiments.</summary>
    Mini,

    /// <summary>ViT-S: 8 layers, 512 wide, 8 heads.</summary>
    S,

    /// <summary>ViT-B, the paper's size: 12 layers, 768 wide, 12 heads.</summary>
    B,

    /// <summary>ViT-L: 24 layers, 1024 wide, 16 heads.</summary>
    L,
}
