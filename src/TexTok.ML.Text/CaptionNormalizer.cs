using System.Text;

namespace TexTok.ML.Text;

/// <summary>
/// The light normalisation applied before tokenising: trim, collapse every run of white space to a
/// single space, and lower-case with the invariant culture.
/// </summary>
/// <remarks>
/// The frozen token vectors share nothing between "Red" and "red", so case would only split the
/// statistics of one word over several unrelated vectors; white-space runs likewise produce
/// different BPE tokens for the same words. Unicode normalisation forms are not applied because
/// they reject strings holding unpaired surrogates, which real caption data sometimes does.
/// </remarks>
internal static class CaptionNormalizer
{
    /// <summary>Returns the normalised form of <paramref name="caption"/>.</summary>
    public static string Normalize(string caption)
    {
        ReadOnlySpan<char> trimmed = caption.AsSpan().Trim();
        var builder = new StringBuilder(trimmed.Length);
        bool inWhiteSpace = false;
        foreach (char c in trimmed)
        {
            if (char.IsWhiteSpace(c))
            {
                inWhiteSpace = true;
                continue;
            }

            if (inWhiteSpace)
            {
                builder.Append(' ');
                inWhiteSpace = false;
            }

            builder.Append(c);
        }

        // Lower-casing the whole string, not char by char, keeps surrogate pairs intact.
        return builder.ToString().ToLowerInvariant();
    }
}
