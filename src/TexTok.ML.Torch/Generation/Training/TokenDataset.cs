namespace TexTok.ML.Torch.Generation;

/// <summary>
/// The cached training set of a DiT: one token sequence (N·d floats, token-major, as the tokenizer's [N, d] output)
/// per sample, with its class label or its caption's text embedding (Nt·Dt floats) and mask (Nt floats, 1 real,
/// 0 padding). The caller computes it once with the tokenizer (posterior means) and the text encoder. The lists are
/// copied; the float arrays are shared and must not change while a trainer uses them.
/// </summary>
public sealed class TokenDataset
{
    private TokenDataset(IReadOnlyList<float[]> tokens, IReadOnlyList<int>? labels, IReadOnlyList<float[]>? texts, IReadOnlyList<float[]>? masks)
    {
        if (labels is not null && labels.Count != tokens.Count)
        {
            throw new ArgumentException($"Got {tokens.Count} token samples but {labels.Count} labels.", nameof(labels));
        }

        if (texts is not null && (texts.Count != tokens.Count || masks!.Count != tokens.Count))
        {
            throw new ArgumentException($"Got {tokens.Count} token samples but {texts.Count} text embeddings and {masks!.Count} masks.", nameof(texts));
        }

        Tokens = tokens.ToArray();
        Labels = labels?.ToArray();
        Texts = texts?.ToArray();
        Masks = masks?.ToArray();
    }

    /// <summary>Token sequences, N·d floats each.</summary>
    public IReadOnlyList<float[]> Tokens { get; }

    /// <summary>Class labels, or null.</summary>
    public IReadOnlyList<int>? Labels { get; }

    /// <summary>Caption text embeddings (Nt·Dt floats each), or null.</summary>
    public IReadOnlyList<float[]>? Texts { get; }

    /// <summary>Caption masks (Nt floats each), or null.</summary>
    public IReadOnlyList<float[]>? Masks { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Tokens.Count;

    /// <summary>Tokens with class labels, for a class-conditional DiT.</summary>
    /// <param name="tokens">Token sequences.</param>
    /// <param name="labels">One label per sequence.</param>
    public static TokenDataset WithLabels(IReadOnlyList<float[]> tokens, IReadOnlyList<int> labels) => new(tokens, labels, null, null);

    /// <summary>Tokens with caption embeddings and masks, for a text-conditional DiT.</summary>
    /// <param name="tokens">Token sequences.</param>
    /// <param name="texts">Text embeddings, Nt·Dt floats per sequence.</param>
    /// <param name="masks">Masks, Nt floats per sequence.</param>
    public static TokenDataset WithText(IReadOnlyList<float[]> tokens, IReadOnlyList<float[]> texts, IReadOnlyList<float[]> masks) =>
        new(tokens, null, texts ?? throw new ArgumentNullException(nameof(texts)), masks ?? throw new ArgumentNullException(nameof(masks)));

    /// <summary>Tokens alone, for an unconditional DiT.</summary>
    /// <param name="tokens">Token sequences.</param>
    public static TokenDataset Unconditional(IReadOnlyList<float[]> tokens) => new(tokens, null, null, null);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first sample that does not fit <paramref name="config"/>.</summary>
    /// <param name="config">The DiT shape.</param>
    public void Validate(DiTConfig config)
    {
        if (Count == 0)
        {
            throw new ArgumentException("The token dataset is empty.");
        }

        if (config.IsClassConditional && Labels is null)
        {
            throw new ArgumentException($"The DiT is class-conditional ({config.NumClasses} classes) but the token dataset has no labels.");
        }

        if (config.IsTextConditional && Texts is null)
        {
            throw new ArgumentException("The DiT is text-conditional but the token dataset has no text embeddings.");
        }

        for (int i = 0; i < Count; i++)
        {
            CheckLength(Tokens[i], config.TokenLength, "tokens", i, $"N·d = {config.NumTokens}·{config.TokenDim}");
            CheckFinite(Tokens[i], "tokens", i);
            if (config.IsClassConditional && (Labels![i] < 0 || Labels[i] >= config.NumClasses))
            {
                throw new ArgumentException($"Sample {i}: label {Labels[i]} is outside [0, {config.NumClasses}).");
            }

            if (config.IsTextConditional)
            {
                CheckLength(Texts![i], config.TextTokens * config.TextDim, "text embedding", i, $"Nt·Dt = {config.TextTokens}·{config.TextDim}");
                CheckLength(Masks![i], config.TextTokens, "text mask", i, $"Nt = {config.TextTokens}");
                CheckFinite(Texts[i], "text embedding", i);
                if (Masks[i].Any(m => m is not (0f or 1f)))
                {
                    throw new ArgumentException($"Sample {i}: the text mask holds values other than 0 and 1.");
                }
            }
        }
    }

    private static void CheckFinite(float[] values, string what, int index)
    {
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            throw new ArgumentException($"Sample {index}: the {what} holds {values[bad]} at position {bad}; every value must be finite.");
        }
    }

    private static void CheckLength(float[] values, int expected, string what, int index, string rule)
    {
        if (values is null || values.Length != expected)
        {
            throw new ArgumentException($"Sample {index}: the {what} has {values?.Length ?? 0} values; the DiT expects {expected} ({rule}).");
        }
    }
}
