using System.Globalization;
using System.Text.Json;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// The affine map between tokenizer latents and the unit-scale space the DiT works in: z = (x − <see cref="Shift"/>)·
/// <see cref="Scale"/>. It is measured once on the training tokens (as MAR measures 1/std rather than SD's fixed
/// 0.18215) and stored with the model.
/// </summary>
/// <param name="Shift">Subtracted from every latent value (0 when not centred).</param>
/// <param name="Scale">Multiplies the centred latent; 1/std of the training tokens.</param>
public sealed record LatentNormalization(double Shift, double Scale)
{
    /// <summary>The identity map.</summary>
    public static LatentNormalization Identity { get; } = new(0, 1);

    /// <summary>
    /// Measures the map on <paramref name="data"/>: Scale = 1/std of all token values, Shift = their mean when
    /// <paramref name="center"/> is set (else 0, and the std is taken about 0).
    /// </summary>
    /// <param name="data">Training tokens.</param>
    /// <param name="center">Whether to subtract the mean.</param>
    /// <exception cref="ArgumentException">The tokens are empty, constant or hold NaN/Inf.</exception>
    public static LatentNormalization Measure(TokenDataset data, bool center = false)
    {
        double sum = 0, sumSquares = 0;
        long count = 0;
        for (int i = 0; i < data.Count; i++)
        {
            foreach (float v in data.Tokens[i])
            {
                if (!float.IsFinite(v))
                {
                    throw new ArgumentException($"Token sample {i} holds a non-finite value ({v}); the latent scale cannot be measured.", nameof(data));
                }

                sum += v;
                sumSquares += (double)v * v;
                count++;
            }
        }

        if (count == 0)
        {
            throw new ArgumentException("The token dataset is empty; the latent scale cannot be measured.", nameof(data));
        }

        double mean = center ? sum / count : 0;
        double variance = sumSquares / count - mean * mean;
        if (!(variance > 1e-20))
        {
            throw new ArgumentException($"The training tokens have variance {variance}; the latent scale cannot be measured.", nameof(data));
        }

        return new LatentNormalization(mean, 1 / Math.Sqrt(variance));
    }

    /// <summary>Maps a latent value into the DiT's space.</summary>
    /// <param name="x">Latent value.</param>
    public double Normalize(double x) => (x - Shift) * Scale;

    /// <summary>Maps a DiT-space value back to a latent value.</summary>
    /// <param name="z">Normalised value.</param>
    public double Denormalize(double z) => z / Scale + Shift;

    /// <summary>Serialises as JSON (round-trip exact).</summary>
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["shift"] = Shift.ToString("R", CultureInfo.InvariantCulture),
        ["scale"] = Scale.ToString("R", CultureInfo.InvariantCulture),
    });

    /// <summary>Reads JSON written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="InvalidDataException">The text does not describe a finite, non-zero scale.</exception>
    public static LatentNormalization FromJson(string json)
    {
        try
        {
            var values = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
            double shift = double.Parse(values!["shift"], CultureInfo.InvariantCulture);
            double scale = double.Parse(values["scale"], CultureInfo.InvariantCulture);
            if (!double.IsFinite(shift) || !double.IsFinite(scale) || scale == 0)
            {
                throw new InvalidDataException($"The latent normalisation has shift {shift} and scale {scale}; both must be finite and the scale non-zero.");
            }

            return new LatentNormalization(shift, scale);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or NullReferenceException)
        {
            throw new InvalidDataException($"The latent normalisation JSON is malformed ({e.Message}).", e);
        }
    }
}
