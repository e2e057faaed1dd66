using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TexTok.ML.Testing;

/// <summary>
/// The library's rule (see TensorArithmetic): no raw TorchSharp Tensor operators (<c>a * 2.0</c>, <c>a + b</c>,
/// <c>-a</c>, <c>a += b</c>) outside TensorArithmetic, whose helpers keep every Scalar alive for the native call. It
/// compiles an assembly's sources against the test's references and looks every operator up in the semantic model.
/// </summary>
internal static class TensorOperatorRule
{
    /// <summary>The raw operators in the sources of <paramref name="folders"/> (plus <paramref name="extraFiles"/>), compiled as <paramref name="assemblyName"/>.</summary>
    public static List<string> Check(string assemblyName, string[] folders, string[] extraFiles, out int sourceCount, params string[] defines)
    {
        string root = FindRoot();
        char sep = Path.DirectorySeparatorChar;
        var sources = folders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{sep}obj{sep}", StringComparison.Ordinal) && !path.Contains($"{sep}bin{sep}", StringComparison.Ordinal))
            .Concat(extraFiles.Select(file => Path.Combine(root, file)))
            .ToList();
        sourceCount = sources.Count;
        var findings = RawOperators(assemblyName, sources.Select(path => (Path.GetRelativePath(root, path), File.ReadAllText(path))), out var errors, defines);
        if (errors.Count > 0)
        {
            throw new AssertFailedException("The sources must compile in the test, or operators could go unresolved:\n" + string.Join("\n", errors.Take(10)));
        }

        // TensorArithmetic is compiled (everything else calls it) but is the one place allowed to use the operators.
        return findings.Where(f => !f.Contains("TensorArithmetic.cs:", StringComparison.Ordinal)).ToList();
    }

    /// <summary>The raw operators in the given files (compiled as <paramref name="assemblyName"/>); compile errors in <paramref name="errors"/>.</summary>
    public static List<string> RawOperators(string assemblyName, IEnumerable<(string Path, string Text)> files, out List<string> errors, params string[] defines)
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview, preprocessorSymbols: defines);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Text, options, f.Path)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(
            "global using System; global using System.IO; global using System.Linq; global using System.Collections.Generic; " +
            "global using System.Threading; global using System.Threading.Tasks; global using System.Net.Http;", options, "GlobalUsings.cs"));
        var compilation = CSharpCompilation.Create(assemblyName, trees, References(assemblyName),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        var findings = new List<string>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is BinaryExpressionSyntax or PrefixUnaryExpressionSyntax or AssignmentExpressionSyntax
                    && model.GetSymbolInfo(node).Symbol is IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator } method
                    && method.ContainingType.Name == "Tensor")
                {
                    var line = node.GetLocation().GetLineSpan();
                    findings.Add($"{line.Path}:{line.StartLinePosition.Line + 1}: {node}");
                }
            }
        }

        return findings;
    }

    private static List<MetadataReference> References(string assemblyName)
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(path => Path.GetFileNameWithoutExtension(path) != assemblyName)
            .GroupBy(Path.GetFileName)
            .Select(g => g.First());
        var references = new List<MetadataReference>();
        foreach (string path in paths)
        {
            try
            {
                _ = AssemblyName.GetAssemblyName(path);
                references.Add(MetadataReference.CreateFromFile(path));
            }
            catch (BadImageFormatException)
            {
                // A native library next to the managed ones.
            }
        }

        return references;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TexTok.ML.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TexTok.ML.sln not found above the test folder.");
    }
}
