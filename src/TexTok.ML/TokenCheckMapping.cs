using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace TexTok.ML;

/// <summary>Input row of the token check inside Detokenize.</summary>
public sealed class TokenCheckInput
{
    /// <summary>The tokens about to be decoded.</summary>
    [ColumnName(TexTokColumns.DecoderTokens)]
    [VectorType]
    public float[] Tokens { get; set; } = [];
}

/// <summary>Output row of the token check inside Detokenize.</summary>
public sealed class TokenCheckOutput
{
    /// <summary>Always 1: the decoder multiplies the tokens by it, so the check runs for every decoded row.</summary>
    [ColumnName(TexTokColumns.DecoderGate)]
    [VectorType(1)]
    public float[] Gate { get; set; } = [1f];
}

/// <summary>
/// Fails a row whose tokens hold NaN or infinity (instead of letting the decoder turn them into a garbage image).
/// Part of Detokenize's saved chain; the contract name is versioned.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class TokenCheckMapping : CustomMappingFactory<TokenCheckInput, TokenCheckOutput>
{
    /// <summary>The contract name stored in saved pipelines.</summary>
    public const string ContractName = "TexTok.Detokenize.TokenCheck.v1";

    /// <summary>Checks one row.</summary>
    /// <param name="input">The tokens.</param>
    /// <param name="output">The gate (1).</param>
    public static void Map(TokenCheckInput input, TokenCheckOutput output)
    {
        var tokens = input.Tokens;
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!float.IsFinite(tokens[i]))
            {
                throw new InvalidDataException(
                    $"Detokenize: the token vector holds {tokens[i]} at position {i} (of {tokens.Length}); tokens must be finite.");
            }
        }

        output.Gate = [1f];
    }

    /// <inheritdoc/>
    public override Action<TokenCheckInput, TokenCheckOutput> GetMapping() => Map;
}
