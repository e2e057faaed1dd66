namespace TexTok.ML.Data.Metrics;

/// <summary>What the class output of a network read by <see cref="OnnxImageFeatureExtractor"/> holds.</summary>
public enum ClassOutputKind
{
    /// <summary>Unnormalised scores; the extractor applies a softmax over each sample's values.</summary>
    Logits,

    /// <summary>Class probabilities already (the graph ends in a softmax); the values are returned unchanged.</summary>
    Probabilities,
}
