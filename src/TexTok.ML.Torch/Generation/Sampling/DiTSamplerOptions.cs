using System.Text.Json;
using System.Text.Json.Serialization;

namespace TexTok.ML.Torch.Generation;

/// <summary>Settings of <see cref="DiTSampler"/>.</summary>
public sealed class DiTSamplerOptions
{
    /// <summary>The default of <see cref="Steps"/>.</summary>
    public const int DefaultSteps = 25;

    /// <summary>The default of <see cref="GuidanceScale"/> (no guidance).</summary>
    public const double DefaultGuidanceScale = 1.0;

    /// <summary>The integrator.</summary>
    public DiTSamplerMethod Method { get; set; } = DiTSamplerMethod.Euler;

    /// <summary>Integration steps from t = 1 to t = 0 (25–50 is the usual range).</summary>
    public int Steps { get; set; } = DefaultSteps;

    /// <summary>
    /// Timestep shift s of the grid (SD3): each uniform time u becomes s·u / (1 + (s − 1)·u), so s &gt; 1 spends more
    /// steps at high noise. 1 keeps the uniform grid.
    /// </summary>
    public double TimeShift { get; set; } = 1.0;

    /// <summary>
    /// Classifier-free guidance scale w: v = v_uncond + w·(v_cond − v_uncond). 1 disables guidance (and skips the
    /// unconditional evaluation, so the result is exactly the conditional prediction).
    /// </summary>
    public double GuidanceScale { get; set; } = DefaultGuidanceScale;

    /// <summary>Lower end of the guidance interval in flow time (t = 0 is data): guidance applies where Low ≤ t ≤ High.</summary>
    public double GuidanceIntervalLow { get; set; }

    /// <summary>Upper end of the guidance interval in flow time (t = 1 is noise).</summary>
    public double GuidanceIntervalHigh { get; set; } = 1.0;

    /// <summary>Seed of the initial noise; sample i's noise depends only on (seed, i), not on the batch it is drawn in.</summary>
    public int Seed { get; set; }

    /// <summary>Samples evaluated per forward pass.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>A copy of these settings.</summary>
    public DiTSamplerOptions Clone() => (DiTSamplerOptions)MemberwiseClone();

    /// <summary>Serialises the settings as JSON (the method by name; round-trip exact).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads settings written by <see cref="ToJson"/> and validates them.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="InvalidDataException">The text is not valid sampler settings.</exception>
    public static DiTSamplerOptions FromJson(string json)
    {
        DiTSamplerOptions? options;
        try
        {
            options = JsonSerializer.Deserialize<DiTSamplerOptions>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The sampler settings JSON is malformed ({e.Message}).", e);
        }

        if (options is null)
        {
            throw new InvalidDataException("The sampler settings JSON is empty.");
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"The sampler settings JSON is invalid: {e.Message}", e);
        }

        return options;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Check(Steps >= 1, nameof(Steps), Steps);
        Check(GuidanceScale >= 0 && double.IsFinite(GuidanceScale), nameof(GuidanceScale), GuidanceScale);
        Check(GuidanceIntervalLow is >= 0 and <= 1, nameof(GuidanceIntervalLow), GuidanceIntervalLow);
        Check(GuidanceIntervalHigh is >= 0 and <= 1 && GuidanceIntervalHigh >= GuidanceIntervalLow, nameof(GuidanceIntervalHigh), GuidanceIntervalHigh);
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize);
        Check(TimeShift > 0 && double.IsFinite(TimeShift), nameof(TimeShift), TimeShift);
        if (!Enum.IsDefined(Method))
        {
            throw new ArgumentOutOfRangeException(nameof(Method), Method, $"Unknown sampler method {Method}.");
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Converters = { new JsonStringEnumConverter() } };

    private static void Check(bool ok, string name, double value)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Sampler option {name} is out of range: {value}.");
        }
    }
}
