using System.Text.Json;
using System.Text.Json.Nodes;
using TexTok.ML.Torch.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.T5;

/// <summary>
/// Loads Hugging Face T5 weights (a single <c>model.safetensors</c>, or a sharded <c>model.safetensors.index.json</c>
/// with its shards; float32, float16 or bfloat16, converted to float32) into a <see cref="T5Encoder"/>.
/// </summary>
/// <remarks>
/// Only the encoder's tensors are read: <c>decoder.*</c> and <c>lm_head.*</c> are ignored without being loaded.
/// The token embedding is read from <c>shared.weight</c>, or from <c>encoder.embed_tokens.weight</c> when a
/// checkpoint has only that name. Every tensor the encoder needs must be present with the model's shape, and every
/// other <c>encoder.*</c> tensor is refused (it means config.json does not describe the checkpoint).
/// </remarks>
public static class T5WeightLoader
{
    /// <summary>The file name of a single-file checkpoint.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The file name of a sharded checkpoint's index.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>The file name of the configuration.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>Creates an encoder from a model directory holding <c>config.json</c> and the safetensors weights.</summary>
    /// <param name="modelDirectory">A local Hugging Face snapshot directory of a T5 model.</param>
    /// <returns>A new encoder with the loaded weights, in evaluation mode, gradients off.</returns>
    /// <exception cref="FileNotFoundException">The configuration or the weights are missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or a tensor is missing or mis-shaped; the message names it and the file.</exception>
    public static T5Encoder Load(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        var config = T5Config.FromFile(Path.Combine(modelDirectory, ConfigFileName));
        var model = new T5Encoder(config);
        try
        {
            LoadInto(model, modelDirectory);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return model;
    }

    /// <summary>Copies checkpoint tensors into <paramref name="model"/>'s parameters, then sets it to evaluation mode with gradients off.</summary>
    /// <param name="model">The encoder to fill.</param>
    /// <param name="path">
    /// A <c>.safetensors</c> file, a <c>*.index.json</c> shard index, or a directory holding
    /// <c>model.safetensors.index.json</c> or <c>model.safetensors</c>.
    /// </param>
    /// <exception cref="FileNotFoundException">No weights were found at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or a tensor is missing, mis-shaped or unexpected; the message names it and the file.</exception>
    public static void LoadInto(T5Encoder model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        var files = ResolveWeightFiles(path);
        var headers = files.Select(SafeTensorsFile.Open).ToList();
        var locations = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        foreach (var header in headers)
        {
            foreach (var name in header.Entries.Keys)
            {
                locations.TryAdd(name, header);
            }
        }

        string described = files.Count == 1 ? $"'{files[0]}'" : $"the {files.Count} shards of '{path}'";
        var state = model.state_dict();
        foreach (var name in locations.Keys)
        {
            if (name.StartsWith("encoder.", StringComparison.Ordinal) && name != "encoder.embed_tokens.weight" && !state.ContainsKey(name))
            {
                throw new InvalidDataException(
                    $"'{locations[name].Path}' has tensor '{name}', which this T5 encoder does not; "
                    + "config.json (num_layers, feed_forward_proj) does not describe these weights.");
            }
        }

        using var noGrad = torch.no_grad();
        foreach (var (name, target) in state)
        {
            string? source = locations.ContainsKey(name) ? name
                : name == "shared.weight" && locations.ContainsKey("encoder.embed_tokens.weight") ? "encoder.embed_tokens.weight"
                : null;
            if (source is null)
            {
                throw new InvalidDataException(
                    $"T5 weights {described} lack tensor '{name}' [{string.Join(", ", target.shape)}].");
            }

            var file = locations[source];
            var entry = file.Entries[source];
            if (!entry.Shape.SequenceEqual(target.shape))
            {
                throw new InvalidDataException(
                    $"Tensor '{source}' in '{file.Path}' has shape [{string.Join(", ", entry.Shape)}] "
                    + $"but the T5 encoder expects [{string.Join(", ", target.shape)}].");
            }

            using var value = file.Read(entry);
            target.copy_(value);
        }

        model.eval();
        foreach (var parameter in model.parameters())
        {
            parameter.requires_grad = false;
        }
    }

    /// <summary>The safetensors files a path designates, in shard order.</summary>
    /// <param name="path">A <c>.safetensors</c> file, a shard index, or a model directory.</param>
    /// <returns>One or more existing files.</returns>
    /// <exception cref="FileNotFoundException">Nothing usable exists at <paramref name="path"/>, or a shard listed in the index is missing.</exception>
    /// <exception cref="InvalidDataException">The index is malformed.</exception>
    public static IReadOnlyList<string> ResolveWeightFiles(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            string index = Path.Combine(path, IndexFileName);
            if (File.Exists(index))
            {
                return ReadIndex(index);
            }

            string single = Path.Combine(path, SingleFileName);
            if (File.Exists(single))
            {
                return [single];
            }

            throw new FileNotFoundException(
                $"'{path}' holds neither '{IndexFileName}' nor '{SingleFileName}'; T5 weights are read from Hugging Face safetensors files.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"T5 weights '{path}' do not exist.", path);
        }

        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReadIndex(path) : [path];
    }

    private static List<string> ReadIndex(string indexPath)
    {
        JsonObject map;
        try
        {
            map = JsonNode.Parse(File.ReadAllText(indexPath))?["weight_map"]?.AsObject()
                ?? throw new InvalidDataException($"'{indexPath}' has no 'weight_map' object.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{indexPath}' is not a safetensors shard index ({e.Message}).", e);
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var files = new List<string>();
        foreach (var (_, node) in map)
        {
            string shard;
            try
            {
                shard = Path.Combine(folder, node!.GetValue<string>());
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
            {
                throw new InvalidDataException($"'{indexPath}' has a weight_map entry that is not a file name.", e);
            }

            if (!files.Contains(shard, StringComparer.Ordinal))
            {
                if (!File.Exists(shard))
                {
                    throw new FileNotFoundException($"Shard '{shard}' listed in '{indexPath}' does not exist.", shard);
                }

                files.Add(shard);
            }
        }

        if (files.Count == 0)
        {
            throw new InvalidDataException($"'{indexPath}' lists no shards.");
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
