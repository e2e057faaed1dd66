using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML;

namespace TexTok.ML;

/// <summary>Loading saved pipelines that contain TexTok components, with errors that say what is wrong.</summary>
public static partial class TexTokModelOperations
{
    /// <summary>
    /// <c>mlContext.Model.Load</c> for a pipeline with TexTok components: registers this assembly with ML.NET first and
    /// turns ML.NET's nested "Error during class instantiation" into one message naming the file and what it needs
    /// (for example a component contract saved by another TexTok.ML version).
    /// </summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="path">The saved pipeline zip.</param>
    /// <param name="inputSchema">The input schema saved with the pipeline.</param>
    public static ITransformer LoadTexTokPipeline(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The saved pipeline '{path}' does not exist.", path);
        }

        try
        {
            return catalog.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var root = e;
            while (root.InnerException is not null)
            {
                root = root.InnerException;
            }

            if (root.Message == DiTNoiseMappingV1.Message)
            {
                throw new InvalidDataException($"'{path}': {DiTNoiseMappingV1.Message}", e);
            }

            var contract = ContractPattern().Match(root.Message);
            if (contract.Success)
            {
                string version = typeof(TexTokModelOperations).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
                throw new InvalidDataException(
                    $"'{path}' needs the component '{contract.Groups[1].Value}', which TexTok.ML {version} does not have: the pipeline was saved " +
                    "by another version of the library (or needs an assembly that is not loaded). Re-save it with this version, or use the version that wrote it.", e);
            }

            throw new InvalidDataException($"'{path}' could not be loaded as an ML.NET pipeline: {root.Message}", e);
        }
    }

    [GeneratedRegex("contract '([^']+)'")]
    private static partial Regex ContractPattern();
}
