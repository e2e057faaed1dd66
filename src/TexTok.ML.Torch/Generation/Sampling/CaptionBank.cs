namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Captions per class for class-conditional generation. The DiT generates tokens from a label, but TexTok's
/// detokenizer also needs a caption: the bank holds captions of each class that were held out from tokenizer
/// training (so generated images are not decoded with their own training captions), and draws one per generated
/// sample. Draws are seeded: caption i depends only on (seed, i, label).
/// </summary>
public sealed class CaptionBank
{
    private readonly Dictionary<int, string[]> _captions;

    /// <summary>Creates a bank from captions grouped by class.</summary>
    /// <param name="captionsByClass">Captions of each class; every class needs at least one non-empty caption.</param>
    /// <exception cref="ArgumentException">A class has no captions or an empty caption.</exception>
    public CaptionBank(IReadOnlyDictionary<int, IReadOnlyList<string>> captionsByClass)
    {
        _captions = new Dictionary<int, string[]>();
        foreach (var (label, captions) in captionsByClass)
        {
            if (captions is null || captions.Count == 0)
            {
                throw new ArgumentException($"Class {label} has no captions; every class in the caption bank needs at least one.", nameof(captionsByClass));
            }

            if (captions.Any(string.IsNullOrWhiteSpace))
            {
                throw new ArgumentException($"Class {label} has an empty caption.", nameof(captionsByClass));
            }

            _captions[label] = captions.ToArray();
        }

        Classes = _captions.Keys.Order().ToArray();
    }

    /// <summary>The classes that have captions, in ascending order.</summary>
    public IReadOnlyList<int> Classes { get; }

    /// <summary>Total number of captions.</summary>
    public int Count => _captions.Values.Sum(c => c.Length);

    /// <summary>Creates a bank from (label, caption) pairs.</summary>
    /// <param name="pairs">Labelled captions.</param>
    public static CaptionBank FromPairs(IEnumerable<(int Label, string Caption)> pairs) =>
        new(pairs.GroupBy(p => p.Label).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(p => p.Caption).ToList()));

    /// <summary>The captions of class <paramref name="label"/>.</summary>
    /// <param name="label">Class label.</param>
    /// <exception cref="ArgumentException">The class has no captions in this bank.</exception>
    public IReadOnlyList<string> CaptionsFor(int label) =>
        _captions.TryGetValue(label, out var captions)
            ? captions
            : throw new ArgumentException($"The caption bank has no captions for class {label} (it has classes {string.Join(", ", Classes)}).", nameof(label));

    /// <summary>Draws one caption per label, uniformly within its class; caption i depends only on (<paramref name="seed"/>, i, label).</summary>
    /// <param name="labels">Labels of the generated samples.</param>
    /// <param name="seed">Seed.</param>
    public IReadOnlyList<string> Sample(IReadOnlyList<int> labels, int seed)
    {
        var result = new string[labels.Count];
        for (int i = 0; i < labels.Count; i++)
        {
            var captions = CaptionsFor(labels[i]);
            var random = new Random(SeededNoise.Mix(seed, i, labels[i]));
            result[i] = captions[random.Next(captions.Count)];
        }

        return result;
    }
}
