namespace TexTok.ML.Data;

/// <summary>The part of a data source to read.</summary>
public enum DataSplit
{
    /// <summary>The training split.</summary>
    Train,

    /// <summary>The held-out test split.</summary>
    Test,
}
