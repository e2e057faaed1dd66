namespace TexTok.ML.Torch.Runtime;

/// <summary>Thrown when TorchSharp's native libraries cannot be loaded, with the cause and the fix.</summary>
public sealed class TorchUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is missing and how to fix it.</param>
    /// <param name="inner">The error TorchSharp raised.</param>
    public TorchUnavailableException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
