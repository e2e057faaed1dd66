namespace TexTok.ML.Samples;

/// <summary>One row of a class-conditional generation input: the class, the noise seed and the detokenizer's caption.</summary>
internal sealed class GenerationRow
{
    /// <summary>Class label.</summary>
    public int Label { get; set; }

    /// <summary>Noise seed.</summary>
    public int Seed { get; set; }

    /// <summary>Caption the detokenizer reads.</summary>
    public string Caption { get; set; } = string.Empty;
}
