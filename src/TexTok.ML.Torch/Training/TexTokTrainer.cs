using System.Globalization;
using System.Text.Json;
using TexTok.ML.Torch.Checkpoints;
using TexTok.ML.Torch.Runtime;
using TexTok.ML.Torch.Tokenizer;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Training;

/// <summary>
/// Trains a <see cref="TexTokModel"/>: ℓ2 + optional perceptual + KL, and from a configurable step a hinge GAN with
/// a StyleGAN-style discriminator and LeCAM; AdamW with warm-up + cosine, gradient clipping and EMA weights.
/// Every random choice (data order, posterior noise) is a function of the seed and the step, so a run resumed from
/// a checkpoint continues exactly as the uninterrupted run would.
/// </summary>
public sealed class TexTokTrainer : IDisposable
{
    private const string CheckpointFormat = "textok-checkpoint/1";
    private readonly TexTokTrainingOptions _options;
    private readonly Device _device;
    private readonly AdamW _generatorOptimizer;
    private readonly ExponentialMovingAverage _ema;
    private readonly LeCamRegularizer _leCam;
    private StyleGanDiscriminator? _discriminator;
    private AdamW? _discriminatorOptimizer;
    private TexTokModel? _evaluationModel;

    /// <summary>Creates a trainer with freshly initialised weights (seeded by <see cref="OptimizationOptions.Seed"/>).</summary>
    /// <param name="config">Network shape.</param>
    /// <param name="options">Training settings.</param>
    public TexTokTrainer(TexTokConfig config, TexTokTrainingOptions options)
    {
        config.Validate();
        _device = TorchRuntime.PrepareTraining(options);
        _options = options;

        // Initialisation draws from torch's global generator: the lock keeps it seeded by this trainer alone.
        lock (TorchRuntime.GlobalGeneratorLock)
        {
            torch.manual_seed(options.Seed);
            Model = new TexTokModel(config, _device);
            if (options.DiscriminatorStartStep < options.Steps)
            {
                CreateDiscriminator();
            }
        }

        _generatorOptimizer = new AdamW(Model.named_parameters().Select(p => (p.name, p.parameter)),
            options.Beta1, options.Beta2, 1e-8, options.WeightDecay);
        _ema = new ExponentialMovingAverage(Model, options.EmaDecay);
        _leCam = new LeCamRegularizer(options.LeCamDecay);
    }

    /// <summary>The network being optimised (the online weights).</summary>
    public TexTokModel Model { get; }

    /// <summary>The network shape.</summary>
    public TexTokConfig Config => Model.Config;

    /// <summary>Steps completed.</summary>
    public long Step { get; private set; }

    /// <summary>Whether the adversarial loss is active at the current step.</summary>
    public bool AdversarialActive => _discriminator is not null && Step >= _options.DiscriminatorStartStep;

    /// <summary>Resumes training from a checkpoint written by <see cref="SaveCheckpoint"/>.</summary>
    /// <param name="path">Checkpoint file.</param>
    /// <param name="options">Training settings; must describe the same run (the checkpoint's seed and schedule are kept).</param>
    public static TexTokTrainer Resume(string path, TexTokTrainingOptions options)
    {
        using var contents = SafeTensors.Load(path);
        var config = ReadConfig(path, contents.Metadata);
        var trainer = new TexTokTrainer(config, options);
        trainer.LoadCheckpoint(path, contents);
        return trainer;
    }

    /// <summary>Loads the state of a checkpoint into this trainer; the checkpoint's network shape must match.</summary>
    /// <param name="path">Checkpoint file.</param>
    /// <exception cref="InvalidDataException">The checkpoint is from another configuration; the message names the first mismatched tensor and both shapes.</exception>
    public void LoadCheckpoint(string path)
    {
        using var contents = SafeTensors.Load(path);
        LoadCheckpoint(path, contents);
    }

    /// <summary>Writes weights, EMA weights, discriminator, optimizer moments and step state to one safetensors file, atomically.</summary>
    /// <param name="path">Target file.</param>
    public void SaveCheckpoint(string path)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        tensors.AddSection("model.", Model.state_dict());
        tensors.AddSection("ema.", _ema.State);
        tensors.AddSection("opt_g.", _generatorOptimizer.State());

        if (_discriminator is not null)
        {
            tensors.AddSection("disc.", _discriminator.state_dict());
            tensors.AddSection("opt_d.", _discriminatorOptimizer!.State());
        }

        var state = new Dictionary<string, double>
        {
            ["step"] = Step,
            ["opt_d_steps"] = _discriminatorOptimizer?.Steps ?? 0,
            ["lecam_real"] = _leCam.RealAnchor,
            ["lecam_fake"] = _leCam.FakeAnchor,
        };
        SafeTensors.Save(path, tensors, new Dictionary<string, string>
        {
            ["format"] = CheckpointFormat,
            ["config"] = Config.ToJson(),
            ["options"] = JsonSerializer.Serialize(_options),
            ["state"] = JsonSerializer.Serialize(state),
        });
    }

    // With a data-parallel group every rank holds the same state: one writer is enough, and two would race on the file.
    private void SaveCheckpointOnRankZero(string path)
    {
        if (_options.DataParallel is not { Rank: > 0 })
        {
            SaveCheckpoint(path);
        }
    }

    /// <summary>Writes the EMA weights and configuration as an inference model file (safetensors).</summary>
    /// <param name="path">Target file.</param>
    public void SaveModel(string path) => TexTokModelFile.Save(path, Config, _ema.State);

    /// <summary>A new model holding the EMA weights (the weights to evaluate and ship).</summary>
    public TexTokModel CreateEmaModel()
    {
        var model = TorchRuntime.BuildWithoutDrawing(() => new TexTokModel(Config, _device));
        StateDictionaryLoader.Load(model, _ema.State, "The EMA state");
        model.eval();
        return model;
    }

    /// <summary>Runs steps until <see cref="OptimizationOptions.Steps"/>, reporting progress and writing checkpoints.</summary>
    /// <param name="data">Training samples.</param>
    /// <param name="progress">Receives a report every <see cref="OptimizationOptions.LogEvery"/> steps.</param>
    /// <param name="cancellationToken">Stops after the current step; a checkpoint is written first when a path is set.</param>
    /// <param name="heldOut">
    /// Samples to measure <see cref="TexTokTrainingProgress.HeldOutPsnr"/> on, every
    /// <see cref="TexTokTrainingOptions.ValidateEvery"/> steps and at the last step; null measures nothing. Measuring
    /// changes nothing in the training itself: the weights are those of a run without it.
    /// </param>
    /// <returns>One report per step run.</returns>
    public IReadOnlyList<TexTokTrainingProgress> Train(ITexTokSampleSource data, IProgress<TexTokTrainingProgress>? progress = null,
                                                       CancellationToken cancellationToken = default, ITexTokSampleSource? heldOut = null)
    {
        if (heldOut is { Count: 0 })
        {
            throw new ArgumentException("The held-out samples are empty; pass null to train without measuring them.", nameof(heldOut));
        }

        return TrainingLoop.Run(_options, () => Step, () => WithHeldOutPsnr(TrainStep(data), heldOut),
            (report, rate) => report with { ImagesPerSecond = rate }, SaveCheckpointOnRankZero, progress, cancellationToken);
    }

    /// <summary>
    /// Mean PSNR in dB (pixels in [0, 1], reconstructions clamped to the pixel range, as the scoring pipeline does) of
    /// the EMA weights' reconstructions of every sample in <paramref name="heldOut"/>, tokens at the posterior mean.
    /// </summary>
    /// <param name="heldOut">Samples with the network's image size (and text shape for text-conditioned models).</param>
    public double HeldOutPsnr(ITexTokSampleSource heldOut)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        if (heldOut.Count == 0)
        {
            throw new ArgumentException("The held-out samples are empty.", nameof(heldOut));
        }

        // Building a module draws initial weights from torch's global generator: built so that measuring leaves the
        // training's random sequence as it was.
        _evaluationModel ??= TorchRuntime.BuildWithoutDrawing(() => new TexTokModel(Config, _device));

        StateDictionaryLoader.Load(_evaluationModel, _ema.State, "The EMA state");
        _evaluationModel.eval();
        using var noGrad = torch.no_grad();
        double sum = 0;
        for (int start = 0; start < heldOut.Count; start += _options.BatchSize)
        {
            using var scope = NewDisposeScope();
            int b = Math.Min(_options.BatchSize, heldOut.Count - start);
            var (imageTensor, textTensor, maskTensor) = ReadSamples(heldOut, Enumerable.Range(start, b).ToArray());
            var (mean, _) = _evaluationModel.Encode(imageTensor, textTensor, maskTensor);
            var reconstruction = _evaluationModel.Decode(mean, textTensor, maskTensor).ClampTo(-1, 1);
            // Pixels in [-1, 1] span 2, so the [0, 1] MSE is a quarter of this one.
            var mse = reconstruction.Minus(imageTensor).Squared().mean([1, 2, 3]).DividedBy(4).cpu().data<float>().ToArray();
            sum += mse.Sum(m => 10 * Math.Log10(1 / Math.Max(m, 1e-10)));
        }

        return sum / heldOut.Count;
    }

    private TexTokTrainingProgress WithHeldOutPsnr(TexTokTrainingProgress report, ITexTokSampleSource? heldOut)
    {
        bool due = heldOut is not null && (Step == _options.Steps || (_options.ValidateEvery > 0 && Step % _options.ValidateEvery == 0));
        return due ? report with { HeldOutPsnr = HeldOutPsnr(heldOut!) } : report;
    }

    /// <summary>Runs one optimisation step on the batch the seed and step select.</summary>
    /// <param name="data">Training samples.</param>
    public TexTokTrainingProgress TrainStep(ITexTokSampleSource data)
    {
        Model.train();
        double lr = _options.LearningRateAt(Step);
        using var scope = NewDisposeScope();
        var (images, text, mask) = ReadBatch(data);

        var (mean, logVar) = Model.Encode(images, text, mask);
        Tensor tokens = mean;
        if (_options.SamplePosterior)
        {
            // Reseeding the global generator per step keeps the noise a function of (seed, step). A disposed
            // torch.Generator was seen to corrupt later computations in TorchSharp 0.107, so none is created.
            Tensor noise;
            lock (TorchRuntime.GlobalGeneratorLock)
            {
                torch.manual_seed(((long)_options.Seed * 1_000_003L) + Step + 1);
                if (Group is { } g)
                {
                    // The whole batch's noise, then this rank's rows: each sample gets the noise a one-process run gives it.
                    long rows = mean.shape[0];
                    noise = torch.randn([rows * g.Size, mean.shape[1], mean.shape[2]], device: _device).narrow(0, g.Rank * rows, rows);
                }
                else
                {
                    noise = torch.randn(mean.shape, device: _device);
                }
            }

            tokens = mean.Plus(logVar.Times(0.5).exp().mul(noise));
        }

        var reconstruction = Model.Decode(tokens, text, mask);

        var reconstructionLoss = nn.functional.mse_loss(reconstruction, images);
        var klLoss = mean.Squared().Plus(logVar.exp()).Minus(1).Minus(logVar).sum(new long[] { 1, 2 }).mean().Times(0.5);
        var total = reconstructionLoss.Times(_options.ReconstructionWeight).Plus(klLoss.Times(_options.KlWeight));
        double perceptualValue = 0;
        if (_options.PerceptualLoss is { } perceptual && _options.PerceptualWeight > 0)
        {
            var perceptualLoss = perceptual.Compute(reconstruction, images);
            perceptualValue = perceptualLoss.item<float>();
            total = total.Plus(perceptualLoss.Times(_options.PerceptualWeight));
        }

        bool adversarial = AdversarialActive;
        double generatorValue = 0, discriminatorValue = 0;
        if (adversarial)
        {
            var generatorLoss = _discriminator!.forward(reconstruction).mean().neg();
            generatorValue = generatorLoss.item<float>();
            total = total.Plus(generatorLoss.Times(_options.AdversarialWeight));
        }

        double totalValue = total.item<float>(), reconstructionValue = reconstructionLoss.item<float>(), klValue = klLoss.item<float>();
        if (Group is { } group)
        {
            // Every rank runs its backward pass, then one collective averages gradients and losses together, so a
            // diverged loss on any rank is seen, and refused, by all of them.
            _generatorOptimizer.ZeroGrad();
            total.backward();
            double[] losses = AverageGradients(group, Model, [totalValue, reconstructionValue, klValue, perceptualValue]);
            (totalValue, reconstructionValue, klValue, perceptualValue) = (losses[0], losses[1], losses[2], losses[3]);
            ThrowIfDiverged(totalValue, reconstructionValue, klValue);
        }
        else
        {
            ThrowIfDiverged(totalValue, reconstructionValue, klValue);
            _generatorOptimizer.ZeroGrad();
            total.backward();
        }

        ClipGradients(Model);
        _generatorOptimizer.Step(lr);

        if (adversarial)
        {
            _discriminatorOptimizer!.ZeroGrad();
            var realLogits = _discriminator!.forward(images);
            var fakeLogits = _discriminator.forward(reconstruction.detach());
            var hinge = realLogits.SubtractedFrom(1).relu().mean().Plus(fakeLogits.Plus(1).relu().mean());
            var discriminatorLoss = hinge.Plus(_leCam.Penalty(realLogits, fakeLogits).Times(_options.LeCamWeight));
            discriminatorLoss.backward();
            ClipGradients(_discriminator);
            _discriminatorOptimizer.Step(lr);
            discriminatorValue = discriminatorLoss.item<float>();
        }

        _ema.Update(Model, Step);
        Step++;
        return new TexTokTrainingProgress(Step, _options.Steps, lr, reconstructionValue, perceptualValue,
            klValue, generatorValue, discriminatorValue, totalValue, 0);
    }

    // The data-parallel group when there is more than one process; null trains alone.
    private IDataParallelGroup? Group => _options.DataParallel is { Size: > 1 } group ? group : null;

    private void ThrowIfDiverged(double total, double reconstruction, double kl)
    {
        if (!double.IsFinite(total))
        {
            throw new InvalidOperationException(
                $"Training diverged at step {Step + 1}: the loss is {total} (reconstruction {reconstruction}, " +
                $"KL {kl}). The weights were not updated; lower LearningRate or raise WarmupSteps.");
        }
    }

    // Averages every gradient, and the given scalars, over the group in one collective call; returns the averaged
    // scalars. A parameter without a gradient is left without one, as AdamW then skips it in a one-process run too;
    // which parameters have gradients depends on the graph, not the data, so every rank packs the same layout.
    private static double[] AverageGradients(IDataParallelGroup group, nn.Module module, double[] scalars)
    {
        var gradients = module.parameters().Select(p => p.grad).OfType<Tensor>().ToList();
        long length = gradients.Sum(g => g.numel());
        var buffer = new float[length + scalars.Length];
        int offset = 0;
        foreach (var gradient in gradients)
        {
            gradient.detach().cpu().contiguous().flatten().data<float>().CopyTo(buffer, offset);
            offset += (int)gradient.numel();
        }

        for (int i = 0; i < scalars.Length; i++)
        {
            buffer[length + i] = (float)scalars[i];
        }

        group.AverageInPlace(buffer);
        offset = 0;
        using (torch.no_grad())
        {
            foreach (var gradient in gradients)
            {
                int count = (int)gradient.numel();
                gradient.copy_(torch.tensor(buffer.AsSpan(offset, count).ToArray(), gradient.shape).to(gradient.device));
                offset += count;
            }
        }

        return Enumerable.Range(0, scalars.Length).Select(i => (double)buffer[length + i]).ToArray();
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
                permutation = Permutation(count, epoch);
                cachedEpoch = epoch;
            }

            indices[i] = permutation![position % count];
        }

        return indices;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _generatorOptimizer.Dispose();
        _discriminatorOptimizer?.Dispose();
        _ema.Dispose();
        _evaluationModel?.Dispose();
        _discriminator?.Dispose();
        Model.Dispose();
    }

    private int[] Permutation(int count, long epoch)
    {
        var random = new Random(Generation.SeededNoise.Mix(_options.Seed, epoch, 0x7e57));
        var permutation = Enumerable.Range(0, count).ToArray();
        random.Shuffle(permutation);
        return permutation;
    }

    private (Tensor Images, Tensor? Text, Tensor? Mask) ReadBatch(ITexTokSampleSource data)
    {
        if (data.Count == 0)
        {
            throw new ArgumentException("The training data is empty.", nameof(data));
        }

        int[] indices = BatchIndices(Step, data.Count);
        if (Group is { } group)
        {
            // This rank's contiguous share of the global batch.
            int share = indices.Length / group.Size;
            indices = indices.AsSpan(group.Rank * share, share).ToArray();
        }

        return ReadSamples(data, indices);
    }

    // The samples at `indices` as the networks' input tensors: images [b, 3, s, s] and, for text-conditioned models,
    // text [b, Nt, Dt] and mask [b, Nt].
    private (Tensor Images, Tensor? Text, Tensor? Mask) ReadSamples(ITexTokSampleSource data, int[] indices)
    {
        var config = Config;
        int b = indices.Length, imageLength = 3 * config.ImageSize * config.ImageSize;
        int textLength = config.UseText ? config.TextTokens * config.TextDim : 0;
        int maskLength = config.UseText ? config.TextTokens : 0;
        var images = new float[b * imageLength];
        var text = new float[b * textLength];
        var mask = new float[b * maskLength];
        Parallel.For(0, b, i => data.Read(indices[i], images.AsSpan(i * imageLength, imageLength),
            text.AsSpan(i * textLength, textLength), mask.AsSpan(i * maskLength, maskLength)));
        var imageTensor = torch.tensor(images, new long[] { b, 3, config.ImageSize, config.ImageSize }, device: _device);
        if (!config.UseText)
        {
            return (imageTensor, null, null);
        }

        return (imageTensor,
            torch.tensor(text, new long[] { b, config.TextTokens, config.TextDim }, device: _device),
            torch.tensor(mask, new long[] { b, config.TextTokens }, device: _device));
    }

    private void ClipGradients(nn.Module module)
    {
        if (_options.GradientClip > 0)
        {
            nn.utils.clip_grad_norm_(module.parameters(), _options.GradientClip);
        }
    }

    private void CreateDiscriminator()
    {
        _discriminator = new StyleGanDiscriminator(Config.ImageSize, _options.DiscriminatorChannels);
        if (_device.type != DeviceType.CPU)
        {
            _discriminator.to(_device);
        }

        _discriminatorOptimizer = new AdamW(_discriminator.named_parameters().Select(p => (p.name, p.parameter)),
            _options.Beta1, _options.Beta2, 1e-8, 0);
    }

    private static TexTokConfig ReadConfig(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("format", out var format) || format != CheckpointFormat || !metadata.TryGetValue("config", out var json))
        {
            throw new InvalidDataException($"'{path}' is not a TexTok training checkpoint (expected format '{CheckpointFormat}').");
        }

        return TexTokConfig.FromJson(json);
    }

    private void LoadCheckpoint(string path, SafeTensorsContents contents)
    {
        var metadata = contents.Metadata;
        var saved = ReadConfig(path, metadata);
        string source = $"Checkpoint '{path}' (config {saved.ToJson()})";
        StateDictionaryLoader.Load(Model, contents.Section("model."), source);
        _ema.Load(contents.Section("ema."), source);
        var state = JsonSerializer.Deserialize<Dictionary<string, double>>(metadata["state"])
                    ?? throw new InvalidDataException($"'{path}' has no training state.");
        _generatorOptimizer.Load(contents.Section("opt_g."), (long)state["step"], source);
        var discriminatorState = contents.Section("disc.");
        if (discriminatorState.Count > 0)
        {
            if (_discriminator is null)
            {
                CreateDiscriminator();
            }

            StateDictionaryLoader.Load(_discriminator!, discriminatorState, source);
            _discriminatorOptimizer!.Load(contents.Section("opt_d."), (long)state["opt_d_steps"], source);
        }

        _leCam.RealAnchor = state["lecam_real"];
        _leCam.FakeAnchor = state["lecam_fake"];
        Step = (long)state["step"];
    }
}
