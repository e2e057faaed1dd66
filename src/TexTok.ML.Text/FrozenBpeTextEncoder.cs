using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace TexTok.ML.Text;

/// <summary>
/// The default, fully offline text encoder: cl100k_base BPE tokens, each mapped to a frozen
/// pseudo-random Gaussian vector computed from a hash of its id, plus a sinusoidal position encoding.
/// </summary>
/// <remarks>
/// <para>
/// Nothing is trained, downloaded or stored: the BPE vocabulary ships inside the
/// Microsoft.ML.Tokenizers.Data.Cl100kBase package and every token vector is recomputed on demand
/// from (seed, token id, dimension) with SplitMix64 and Box–Muller, so the same caption yields
/// bit-identical embeddings in every process on every machine.
/// </para>
/// <para>
/// For a caption normalised by <see cref="NormalizeCaption"/> and tokenised into ids t_0, t_1, …,
/// the row of kept token p is x_p = y_p / rms(y_p) with y_p = e(t_p) + PE(p), where e(t) is the
/// unit-RMS frozen vector of id t, PE(p) the Transformer sinusoidal encoding
/// (PE[p, 2i] = sin(p·ω_i), PE[p, 2i+1] = cos(p·ω_i), ω_i = 10000^(−2i/Dt)), and
/// rms(v) = sqrt(Σ_d v_d² / Dt). Every kept row therefore has an RMS of 1 up to single-precision rounding.
/// </para>
/// <para>Instances are immutable apart from event subscriptions and safe to use from several threads.</para>
/// </remarks>
public sealed class FrozenBpeTextEncoder : TextEncoderBase
{
    /// <summary>The first segment of every identity of this encoder.</summary>
    public const string Family = "frozen-bpe";

    /// <summary>The BPE encoding used to tokenise captions.</summary>
    public const string EncodingName = "cl100k_base";

    /// <summary>
    /// The version of the embedding formula, the last segment of the identity; it changes whenever a
    /// change would alter any output value, so older models refuse the new embeddings.
    /// </summary>
    public const int FormulaVersion = 1;

    /// <summary>The expected shape of an identity, for error messages.</summary>
    internal static readonly string ExpectedIdentityFormat = string.Create(
        CultureInfo.InvariantCulture,
        $"{Family}/{EncodingName}/Nt=<{FrozenBpeTextEncoderOptions.MinMaxTokens}..{FrozenBpeTextEncoderOptions.MaxMaxTokens}>"
        + $"/Dt=<{FrozenBpeTextEncoderOptions.MinEmbeddingDim}..{FrozenBpeTextEncoderOptions.MaxEmbeddingDim}>/seed=<int>/v{FormulaVersion}");

    // The vocabulary takes a noticeable moment to load and the tokenizer's cache is internally
    // synchronised, so one instance serves every encoder on every thread.
    private static readonly Lazy<TiktokenTokenizer> _sharedTokenizer =
        new(() => TiktokenTokenizer.CreateForEncoding(EncodingName));

    private readonly int _maxTokens;
    private readonly int _embeddingDim;
    private readonly int _seed;
    private readonly string _identity;
    private readonly SinusoidalPositionEncoding _positions;

    /// <summary>Creates an encoder with the given settings, or the defaults when none are given.</summary>
    /// <param name="options">The settings; they are copied, so later changes to the object have no effect.</param>
    public FrozenBpeTextEncoder(FrozenBpeTextEncoderOptions? options = null)
    {
        options ??= new FrozenBpeTextEncoderOptions();
        _maxTokens = options.MaxTokens;
        _embeddingDim = options.EmbeddingDim;
        _seed = options.Seed;
        _identity = BuildIdentity(_maxTokens, _embeddingDim, _seed);
        _positions = new SinusoidalPositionEncoding(_embeddingDim);
    }

    /// <inheritdoc />
    /// <remarks>For example <c>frozen-bpe/cl100k_base/Nt=32/Dt=64/seed=24301/v1</c>.</remarks>
    public override string Identity => _identity;

    /// <inheritdoc />
    public override int MaxTokens => _maxTokens;

    /// <inheritdoc />
    public override int EmbeddingDim => _embeddingDim;

    /// <summary>The seed that selects the frozen token vectors.</summary>
    public int Seed => _seed;

    /// <summary>
    /// Applies the normalisation used before tokenising: trims, collapses every run of white space to
    /// one space, and lower-cases with the invariant culture.
    /// </summary>
    /// <param name="caption">The caption.</param>
    /// <returns>The normalised caption.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="caption"/> is null.</exception>
    public static string NormalizeCaption(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        return CaptionNormalizer.Normalize(caption);
    }

    /// <summary>
    /// The cl100k_base token ids of the normalised caption, all of them, before truncation to
    /// <see cref="MaxTokens"/>.
    /// </summary>
    /// <param name="caption">The caption; must contain a non-white-space character.</param>
    /// <returns>The token ids in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="caption"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="caption"/> is empty or white space only.</exception>
    public IReadOnlyList<int> Tokenize(string caption)
    {
        ValidateCaption(caption, nameof(caption));
        return TokenizeNormalized(CaptionNormalizer.Normalize(caption));
    }

    /// <inheritdoc />
    protected override TextEmbedding EncodeCore(string caption)
    {
        IReadOnlyList<int> ids = TokenizeNormalized(CaptionNormalizer.Normalize(caption));
        int kept = Math.Min(ids.Count, _maxTokens);

        var values = new float[_maxTokens * _embeddingDim];
        var mask = new float[_maxTokens];
        var row = new double[_embeddingDim];
        for (int p = 0; p < kept; p++)
        {
            FrozenTokenVectors.Write(_seed, ids[p], row);
            _positions.AddTo(p, row);

            double sumOfSquares = 0.0;
            foreach (double v in row)
            {
                sumOfSquares += v * v;
            }

            double scale = 1.0 / Math.Sqrt(sumOfSquares / _embeddingDim);
            int offset = p * _embeddingDim;
            for (int d = 0; d < _embeddingDim; d++)
            {
                values[offset + d] = (float)(row[d] * scale);
            }

            mask[p] = 1f;
        }

        return new TextEmbedding(values, mask, kept, ids.Count);
    }

    /// <summary>Parses an identity produced by <see cref="Identity"/> back into settings.</summary>
    /// <param name="identity">The identity to parse.</param>
    /// <param name="options">The settings, when parsing succeeds.</param>
    /// <param name="error">Why parsing failed, when it does.</param>
    /// <returns>Whether <paramref name="identity"/> is exactly the identity of some encoder of this kind.</returns>
    internal static bool TryParseIdentity(
        string identity,
        [NotNullWhen(true)] out FrozenBpeTextEncoderOptions? options,
        [NotNullWhen(false)] out string? error)
    {
        options = null;
        string[] parts = identity.Split('/');
        if (parts.Length != 6 || parts[0] != Family)
        {
            error = "it does not have the six segments of a frozen-bpe identity";
            return false;
        }

        if (parts[1] != EncodingName)
        {
            error = $"the encoding '{parts[1]}' is not supported";
            return false;
        }

        if (parts[5] != "v" + FormulaVersion.ToString(CultureInfo.InvariantCulture))
        {
            error = $"the formula version '{parts[5]}' is not supported";
            return false;
        }

        if (!TryParseSetting(parts[2], "Nt=", out int maxTokens)
            || !TryParseSetting(parts[3], "Dt=", out int embeddingDim)
            || !TryParseSetting(parts[4], "seed=", out int seed))
        {
            error = "a setting is missing or not an integer";
            return false;
        }

        if (maxTokens < FrozenBpeTextEncoderOptions.MinMaxTokens || maxTokens > FrozenBpeTextEncoderOptions.MaxMaxTokens
            || embeddingDim < FrozenBpeTextEncoderOptions.MinEmbeddingDim || embeddingDim > FrozenBpeTextEncoderOptions.MaxEmbeddingDim)
        {
            error = "Nt or Dt is out of range";
            return false;
        }

        // Only the canonical spelling is accepted, so that an identity read back always equals the
        // identity of the encoder it produces and can be compared as a plain string.
        if (BuildIdentity(maxTokens, embeddingDim, seed) != identity)
        {
            error = "it is not written in canonical form";
            return false;
        }

        options = new FrozenBpeTextEncoderOptions { MaxTokens = maxTokens, EmbeddingDim = embeddingDim, Seed = seed };
        error = null;
        return true;
    }

    private static IReadOnlyList<int> TokenizeNormalized(string normalized) => _sharedTokenizer.Value.EncodeToIds(normalized);

    private static string BuildIdentity(int maxTokens, int embeddingDim, int seed) =>
        string.Create(CultureInfo.InvariantCulture, $"{Family}/{EncodingName}/Nt={maxTokens}/Dt={embeddingDim}/seed={seed}/v{FormulaVersion}");

    private static bool TryParseSetting(string segment, string prefix, out int value)
    {
        value = 0;
        return segment.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(segment.AsSpan(prefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
