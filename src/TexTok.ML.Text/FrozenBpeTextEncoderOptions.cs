namespace TexTok.ML.Text;

/// <summary>Settings of a <see cref="FrozenBpeTextEncoder"/>; each setter rejects out-of-range values.</summary>
public sealed class FrozenBpeTextEncoderOptions
{
    /// <summary>The default <see cref="MaxTokens"/>.</summary>
    public const int DefaultMaxTokens = 32;

    /// <summary>The default <see cref="EmbeddingDim"/>.</summary>
    public const int DefaultEmbeddingDim = 64;

    /// <summary>The default <see cref="Seed"/>.</summary>
    public const int DefaultSeed = 24301;

    /// <summary>The smallest allowed <see cref="MaxTokens"/>.</summary>
    public const int MinMaxTokens = 1;

    /// <summary>The largest allowed <see cref="MaxTokens"/>.</summary>
    public const int MaxMaxTokens = 512;

    /// <summary>The smallest allowed <see cref="EmbeddingDim"/>.</summary>
    public const int MinEmbeddingDim = 8;

    /// <summary>The largest allowed <see cref="EmbeddingDim"/>.</summary>
    public const int MaxEmbeddingDim = 4096;

    private int _maxTokens = DefaultMaxTokens;
    private int _embeddingDim = DefaultEmbeddingDim;

    /// <summary>The number of token rows per caption, Nt, from 1 to 512; defaults to 32.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1..512.</exception>
    public int MaxTokens
    {
        get => _maxTokens;
        set => _maxTokens = CheckRange(value, MinMaxTokens, MaxMaxTokens, nameof(MaxTokens));
    }

    /// <summary>The number of values per token row, Dt, from 8 to 4096; defaults to 64.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 8..4096.</exception>
    public int EmbeddingDim
    {
        get => _embeddingDim;
        set => _embeddingDim = CheckRange(value, MinEmbeddingDim, MaxEmbeddingDim, nameof(EmbeddingDim));
    }

    /// <summary>
    /// Selects the frozen token vectors; every value is valid. Encoders with different seeds give
    /// unrelated embeddings and have different identities. Defaults to <see cref="DefaultSeed"/>.
    /// </summary>
    public int Seed { get; set; } = DefaultSeed;

    private static int CheckRange(int value, int min, int max, string optionName)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(optionName, value, $"{optionName} must be between {min} and {max}.");
        }

        return value;
    }
}
