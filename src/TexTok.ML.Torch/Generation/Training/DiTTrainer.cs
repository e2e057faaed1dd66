using System.Text.Json;
using TexTok.ML.Torch.Checkpoints;
using TexTok.ML.Torch.Runtime;
using TexTok.ML.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Trains a <see cref="DiTModel"/> by rectified flow on cached tokens: x_t = (1 − t)·x₀ + t·ε, loss ‖v̂ − (ε − x₀)‖²,
/// t logit-normal or uniform, the condition dropped to the null condition with probability
/// <see cref="DiTConfig.ClassDropout"/>; AdamW with warm-up + cosine, gradient clipping and EMA weights. Data order,
/// times, noise and dropout are functions of the seed and the step (drawn in C#), so a run resumed from a
/// checkpoint continues exactly as the uninterrupted run would.
/// </summary>
public sealed class DiTTrainer : IDisposable
{
    private const string CheckpointFormat = "dit-checkpoint/1";
    private readonly DiTTrainingOptions _options;
    private readonly Device _device;
    private readonly AdamW _optimizer;
    private readonly ExponentialMovingAverage _ema;
    private TokenDataset? _validated;

    /// <summary>Creates a trainer with freshly initialised weights (seeded by <see cref="OptimizationOptions.Seed"/>).</summary>
    /// <param name="config">Network shape.</param>
    /// <param name="normalization">The latent normalisation, usually <see cref="LatentNormalization.Measure"/> of the training tokens.</param>
    /// <param name="options">Training settings.</param>
    public DiTTrainer(DiTConfig config, LatentNormalization normalization, DiTTrainingOptions options)
    {
        config.Validate();
        _device = TorchRuntime.PrepareTraining(options);
        _options = options;

        // Initialisation draws from torch's global generator: the lock keeps it seeded by this trainer alone.
        lock (TorchRuntime.GlobalGeneratorLock)
        {
            torch.manual_seed(options.Seed);
            Model = new DiTModel(config, _device) { Normalization = normalization };
        }

        _optimizer = new AdamW(Model.named_parameters().Select(p => (p.name, p.parameter)), options.Beta1, options.Beta2, 1e-8, options.WeightDecay);
        _ema = new ExponentialMovingAverage(Model, options.EmaDecay);
    }

    /// <summary>The network being optimised (the online weights).</summary>
    public DiTModel Model { get; }

    /// <summary>The network shape.</summary>
    public DiTConfig Config => Model.Config;

    /// <summary>The latent normalisation the model is trained in.</summary>
    public LatentNormalization Normalization => Model.Normalization;

    /// <summary>Steps completed.</summary>
    public long Step { get; private set; }

    /// <summary>Resumes training from a checkpoint written by <see cref="SaveCheckpoint"/>.</summary>
    /// <param name="path">Checkpoint file.</param>
    /// <param name="options">Training settings; must describe the same run.</param>
    public static DiTTrainer Resume(string path, DiTTrainingOptions options)
    {
        using var contents = SafeTensors.Load(path);
        var (config, normalization) = ReadHeader(path, contents.Metadata);
        var trainer = new DiTTrainer(config, normalization, options);
        try
        {
            trainer.LoadCheckpoint(path, contents);
        }
        catch
        {
            trainer.Dispose();
            throw;
        }

        return trainer;
    }

    /// <summary>
    /// Loads the state of a checkpoint into this trainer, its latent normalisation included; the checkpoint's network
    /// configuration must equal this trainer's.
    /// </summary>
    /// <param name="path">Checkpoint file.</param>
    /// <exception cref="InvalidDataException">The file is not a DiT checkpoint, or it is of another configuration (both are named).</exception>
    public void LoadCheckpoint(string path)
    {
        using var contents = SafeTensors.Load(path);
        LoadCheckpoint(path, contents);
    }

    /// <summary>Writes weights, EMA weights, optimizer moments and step state to one safetensors file, atomically.</summary>
    /// <param name="path">Target file.</param>
    public void SaveCheckpoint(string path)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        tensors.AddSection("model.", Model.state_dict());
        tensors.AddSection("ema.", _ema.State);
        tensors.AddSection("opt.", _optimizer.State());

        SafeTensors.Save(path, tensors, new Dictionary<string, string>
        {
            ["format"] = CheckpointFormat,
            ["config"] = Config.ToJson(),
            ["normalization"] = Normalization.ToJson(),
            ["options"] = JsonSerializer.Serialize(_options),
            ["step"] = Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Writes the EMA weights, configuration and normalisation as an inference model file.</summary>
    /// <param name="path">Target file.</param>
    public void SaveModel(string path) => DiTModelFile.Save(path, Config, Normalization, _ema.State);

    /// <summary>A new model holding the EMA weights (the weights to sample from), in evaluation mode.</summary>
    public DiTModel CreateEmaModel()
    {
        var model = TorchRuntime.BuildWithoutDrawing(() => new DiTModel(Config, _device) { Normalization = Normalization });
        StateDictionaryLoader.Load(model, _ema.State, "The EMA state");
        model.eval();
        return model;
    }

    /// <summary>Runs steps until <see cref="OptimizationOptions.Steps"/>, reporting progress and writing checkpoints.</summary>
    /// <param name="data">Cached training tokens with labels or captions.</param>
    /// <param name="progress">Receives a report every <see cref="OptimizationOptions.LogEvery"/> steps.</param>
    /// <param name="cancellationToken">Stops after the current step; a checkpoint is written first when a path is set.</param>
    /// <returns>One report per step run.</returns>
    public IReadOnlyList<DiTTrainingProgress> Train(TokenDataset data, IProgress<DiTTrainingProgress>? progress = null,
                                                    CancellationToken cancellationToken = default)
    {
        EnsureValidated(data);
        return TrainingLoop.Run(_options, () => Step, () => RunStep(data), (report, rate) => report with { SamplesPerSecond = rate },
            SaveCheckpoint, progress, cancellationToken);
    }

    /// <summary>Runs one optimisation step on the batch the seed and step select.</summary>
    /// <param name="data">Cached training tokens.</param>
    public DiTTrainingProgress TrainStep(TokenDataset data)
    {
        EnsureValidated(data);
        return RunStep(data);
    }

    /// <summary>The sample indices of the batch at <paramref name="step"/>: a seeded permutation per epoch, read in order.</summary>
    /// <param name="step">Zero-based step.</param>
    /// <param name="count">Number of samples.</param>
    public int[] BatchIndices(long step, int count)
    {
        var indices = new int[_options.BatchSize];
        int[]? permutation = null;
        long cachedEpoch = -1;
        for (int i = 0; i < indices.Length; i++)
        {
            long position = step * _options.BatchSize + i;
            long epoch = position / count;
            if (epoch != cachedEpoch)
            {
                permutation = Enumerable.Range(0, count).ToArray();
                new Random(SeededNoise.Mix(_options.Seed, epoch, 0x0DA7A)).Shuffle(permutation);
                cachedEpoch = epoch;
            }

            indices[i] = permutation![position % count];
        }

        return indices;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _optimizer.Dispose();
        _ema.Dispose();
        Model.Dispose();
    }

    // A TokenDataset is immutable, so each instance is checked once rather than on every step.
    private void EnsureValidated(TokenDataset data)
    {
        if (!ReferenceEquals(data, _validated))
        {
            data.Validate(Config);
            _validated = data;
        }
    }

    private DiTTrainingProgress RunStep(TokenDataset data)
    {
        Model.train();
        double lr = _options.LearningRateAt(Step);
        using var scope = NewDisposeScope();
        var (x0, condition) = ReadBatch(data);
        int b = _options.BatchSize;
        var random = new Random(SeededNoise.Mix(_options.Seed, Step, 0x7105E));
        var times = new float[b];
        for (int i = 0; i < b; i++)
        {
            times[i] = (float)RectifiedFlow.SampleTime(_options.TimestepSampling, random, _options.LogitNormalMean, _options.LogitNormalStd);
        }

        var noiseValues = new float[b * Config.TokenLength];
        SeededNoise.FillStandardNormal(_options.Seed, Step, 0x7105F, noiseValues);
        var t = torch.tensor(times, device: _device);
        var noise = torch.tensor(noiseValues, new long[] { b, Config.NumTokens, Config.TokenDim }, device: _device);
        var xt = RectifiedFlow.Interpolate(x0, noise, t);
        var target = RectifiedFlow.Velocity(x0, noise);
        var prediction = Model.forward(xt, t, condition);
        var loss = nn.functional.mse_loss(prediction, target);
        double value = loss.item<float>();
        if (!double.IsFinite(value))
        {
            throw new InvalidOperationException(
                $"DiT training diverged at step {Step + 1}: the loss is {value}. The weights were not updated; lower LearningRate or raise WarmupSteps.");
        }

        _optimizer.ZeroGrad();
        loss.backward();
        if (_options.GradientClip > 0)
        {
            nn.utils.clip_grad_norm_(Model.parameters(), _options.GradientClip);
        }

        _optimizer.Step(lr);
        _ema.Update(Model, Step);
        Step++;
        return new DiTTrainingProgress(Step, _options.Steps, lr, value, 0);
    }

    private (Tensor Tokens, DiTCondition Condition) ReadBatch(TokenDataset data)
    {
        int b = _options.BatchSize, length = Config.TokenLength;
        var indices = BatchIndices(Step, data.Count);
        var tokens = new float[b * length];
        var normalization = Normalization;
        for (int i = 0; i < b; i++)
        {
            var source = data.Tokens[indices[i]];
            for (int j = 0; j < length; j++)
            {
                tokens[i * length + j] = (float)normalization.Normalize(source[j]);
            }
        }

        var x0 = torch.tensor(tokens, new long[] { b, Config.NumTokens, Config.TokenDim }, device: _device);
        var dropRandom = new Random(SeededNoise.Mix(_options.Seed, Step, 0xD80));
        var drop = new bool[b];
        for (int i = 0; i < b; i++)
        {
            drop[i] = dropRandom.NextDouble() < Config.ClassDropout;
        }

        var dropTensor = torch.tensor(drop, device: _device);
        if (Config.IsClassConditional)
        {
            var labels = torch.tensor(indices.Select(i => (long)data.Labels![i]).ToArray(), device: _device);
            return (x0, DiTCondition.ForClasses(labels, dropTensor));
        }

        if (Config.IsTextConditional)
        {
            int textLength = Config.TextTokens * Config.TextDim;
            var text = new float[b * textLength];
            var mask = new float[b * Config.TextTokens];
            for (int i = 0; i < b; i++)
            {
                data.Texts![indices[i]].CopyTo(text, i * textLength);
                data.Masks![indices[i]].CopyTo(mask, i * Config.TextTokens);
            }

            return (x0, DiTCondition.ForText(
                torch.tensor(text, new long[] { b, Config.TextTokens, Config.TextDim }, device: _device),
                torch.tensor(mask, new long[] { b, Config.TextTokens }, device: _device), dropTensor));
        }

        return (x0, DiTCondition.None);
    }

    private static (DiTConfig Config, LatentNormalization Normalization) ReadHeader(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("format", out var format) || format != CheckpointFormat || !metadata.TryGetValue("config", out var json) ||
            !metadata.TryGetValue("normalization", out var normalization))
        {
            throw new InvalidDataException($"'{path}' is not a DiT training checkpoint (expected format '{CheckpointFormat}').");
        }

        return (DiTConfig.FromJson(json), LatentNormalization.FromJson(normalization));
    }

    private void LoadCheckpoint(string path, SafeTensorsContents contents)
    {
        var metadata = contents.Metadata;
        var (saved, normalization) = ReadHeader(path, metadata);
        string source = $"DiT checkpoint '{path}' (config {saved.ToJson()})";
        if (saved != Config)
        {
            throw new InvalidDataException($"{source} is of another network than this trainer's ({Config.ToJson()}).");
        }

        if (!metadata.TryGetValue("step", out var stepText) || !long.TryParse(stepText, System.Globalization.CultureInfo.InvariantCulture, out long step))
        {
            throw new InvalidDataException($"{source} has no step count.");
        }

        StateDictionaryLoader.Load(Model, contents.Section("model."), source);
        _ema.Load(contents.Section("ema."), source);
        _optimizer.Load(contents.Section("opt."), step, source);
        Model.Normalization = normalization;
        Step = step;
    }
}
