// DataParallelTraining: one TexTok tokenizer trained by several processes together (data parallelism over Open MPI).
//   mpirun -np 2 dotnet samples/DataParallelTraining/bin/Release/net10.0/DataParallelTraining.dll [--quick] [--out DIR]
//   dotnet run -c Release --project samples/DataParallelTraining [-- --quick]      (one process, the same model)
// Every rank builds the same CaptionedShapes data (32 px, 2048 training and 64 held-out images) and the same network;
// at each step each rank trains on its share of the global batch and Open MPI averages the gradients, so the ranks
// keep identical weights, equal to one process's at the same global batch to float rounding. Rank 0 prints progress
// and writes textok.safetensors and report.json (seconds per step, throughput, held-out PSNR).
using System.Diagnostics;
using DataParallelTraining;
using TexTok.ML.Data;
using TexTok.ML.Mpi;
using TexTok.ML.Samples;
using TexTok.ML.Text;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

if (DataParallelTrainingOptions.Command.Start(args, out var options) is int exit)
{
    return exit;
}

const int ImageSize = 32;
int steps = options.Steps ?? (options.Quick ? 60 : 1000);
OpenMpiGroup? group = null;
try
{
    group = OpenMpiGroup.LaunchedByMpirun ? OpenMpiGroup.Initialize() : null;
}
catch (DllNotFoundException e)
{
    Console.Error.WriteLine($"error: started by mpirun, but {e.Message}");
    return 1;
}

int rank = group?.Rank ?? 0, ranks = group?.Size ?? 1;
bool lead = rank == 0;
if (options.Batch % ranks != 0)
{
    Console.Error.WriteLine($"error: --batch {options.Batch} must be a multiple of the number of ranks ({ranks}): each rank takes an equal share.");
    group?.Dispose();
    return 2;
}

if (lead)
{
    Console.WriteLine($"TexTok DataParallelTraining: {ranks} rank(s), global batch {options.Batch} ({options.Batch / ranks} per rank), {steps} steps, " +
                      $"{options.Threads} thread(s) per rank, N = {options.Tokens} tokens, {ImageSize} px");
}

var encoder = new FrozenBpeTextEncoder();
var embed = SampleTraining.Embedder(encoder);
var shapes = new CaptionedShapesOptions { ImageSize = ImageSize };
var train = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Train, 2048, shapes), embed);
var test = ImageSampleArrays.Create(CaptionedShapes.Enumerate(DataSplit.Test, 64, shapes), embed);
var config = TexTokConfig.FromPreset(TexTokPreset.Tiny, ImageSize, options.Tokens, encoder.MaxTokens, encoder.EmbeddingDim);
var training = new TexTokTrainingOptions
{
    BatchSize = options.Batch, Steps = steps, LearningRate = 1e-3, WarmupSteps = Math.Max(1, steps / 20), Seed = options.Seed,
    Threads = options.Threads, LogEvery = Math.Max(1, steps / 10), DataParallel = group,
};

try
{
    using var trainer = new TexTokTrainer(config, training);
    var clock = Stopwatch.StartNew();
    var progress = new Progress<TexTokTrainingProgress>(p =>
    {
        if (lead)
        {
            Console.WriteLine($"  step {p.Step,5}/{p.TotalSteps}  loss {p.ReconstructionLoss:F5}  {p.ImagesPerSecond,7:F1} images/s (all ranks)");
        }
    });
    var history = trainer.Train(new InMemorySampleSource(train.Images, train.Texts!, train.Masks!), progress);
    double seconds = clock.Elapsed.TotalSeconds;
    double psnr = trainer.HeldOutPsnr(new InMemorySampleSource(test.Images, test.Texts!, test.Masks!));
    if (lead)
    {
        string modelPath = Path.Combine(options.OutputDirectory, "textok.safetensors");
        trainer.SaveModel(modelPath);
        var report = new Dictionary<string, object>
        {
            ["ranks"] = ranks,
            ["global_batch"] = options.Batch,
            ["batch_per_rank"] = options.Batch / ranks,
            ["steps"] = steps,
            ["threads_per_rank"] = options.Threads,
            ["tokens"] = options.Tokens,
            ["seed"] = options.Seed,
            ["train_seconds"] = Math.Round(seconds, 2),
            ["seconds_per_step"] = Math.Round(seconds / Math.Max(1, history.Count), 4),
            ["images_per_second"] = Math.Round(history.Count * options.Batch / seconds, 1),
            ["final_loss"] = history.Count > 0 ? history[^1].ReconstructionLoss : double.NaN,
            ["heldout_psnr"] = Math.Round(psnr, 3),
            ["model"] = Path.GetFileName(modelPath),
        };
        string page = SampleReport.Write(options.OutputDirectory, "TexTok data-parallel training",
            $"A Tiny TexTok tokenizer trained by {ranks} process(es) together on CaptionedShapes ({ImageSize} px): global batch {options.Batch}, " +
            $"{options.Batch / ranks} rows per rank, gradients averaged by Open MPI's all-reduce.", report, []);
        Console.WriteLine($"Trained in {seconds:F1} s ({seconds / Math.Max(1, history.Count) * 1000:F0} ms a step); held-out PSNR {psnr:F2} dB. " +
                          $"Wrote {modelPath} and report.json.");
        Console.WriteLine($"Report page: {Path.GetFullPath(page)}");
    }

    return 0;
}
finally
{
    group?.Dispose();
}
