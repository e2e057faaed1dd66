using System.Diagnostics.CodeAnalysis;

namespace TexTok.ML.Text;

/// <summary>
/// Re-creates text encoders from the identities stored with trained models, and checks that a
/// supplied encoder is the one a model was trained with.
/// </summary>
public static class TextEncoders
{
    /// <summary>Creates a new instance of the built-in encoder whose <see cref="ITextEncoder.Identity"/> is <paramref name="identity"/>.</summary>
    /// <param name="identity">An identity previously read from <see cref="ITextEncoder.Identity"/>.</param>
    /// <returns>A new encoder whose identity equals <paramref name="identity"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="identity"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="identity"/> names no built-in encoder, or is a malformed frozen-bpe identity.
    /// Encoders that load their own weights cannot be re-created from an identity alone and must be
    /// constructed by the caller.
    /// </exception>
    public static ITextEncoder FromIdentity(string identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (FrozenBpeTextEncoder.TryParseIdentity(identity, out FrozenBpeTextEncoderOptions? options, out string? error))
        {
            return new FrozenBpeTextEncoder(options);
        }

        if (identity.StartsWith(FrozenBpeTextEncoder.Family + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"'{identity}' is not a valid {FrozenBpeTextEncoder.Family} identity: {error}. "
                + $"Expected {FrozenBpeTextEncoder.ExpectedIdentityFormat}.",
                nameof(identity));
        }

        throw new ArgumentException(
            $"No built-in text encoder has the identity '{identity}'. Only {FrozenBpeTextEncoder.Family} "
            + "encoders can be re-created from an identity; an encoder that loads its own weights must be "
            + "constructed by the caller and checked with " + nameof(EnsureCompatible) + ".",
            nameof(identity));
    }

    /// <summary>Tries to create the built-in encoder whose identity is <paramref name="identity"/>.</summary>
    /// <param name="identity">An identity previously read from <see cref="ITextEncoder.Identity"/>.</param>
    /// <param name="encoder">The new encoder, when one matches.</param>
    /// <returns>Whether a built-in encoder has that identity.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="identity"/> is null.</exception>
    public static bool TryFromIdentity(string identity, [NotNullWhen(true)] out ITextEncoder? encoder)
    {
        ArgumentNullException.ThrowIfNull(identity);
        encoder = FrozenBpeTextEncoder.TryParseIdentity(identity, out FrozenBpeTextEncoderOptions? options, out _)
            ? new FrozenBpeTextEncoder(options)
            : null;
        return encoder is not null;
    }

    /// <summary>
    /// Refuses an encoder whose identity differs from the one a model was trained with, because its
    /// embeddings would not be the ones the model learned from.
    /// </summary>
    /// <param name="encoder">The encoder offered for use with the model.</param>
    /// <param name="expectedIdentity">The identity stored with the model.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The identities differ.</exception>
    public static void EnsureCompatible(ITextEncoder encoder, string expectedIdentity)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(expectedIdentity);
        if (!string.Equals(encoder.Identity, expectedIdentity, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The model expects text encoder '{expectedIdentity}' but was given '{encoder.Identity}'; "
                + "its embeddings would differ from those the model was trained on.");
        }
    }
}
