using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace TexTok.ML.Samples;

/// <summary>
/// The progress of one phase of a sample (training, generation): on a terminal a live Spectre.Console display with a
/// bar per line, its percentage, the time left and what the work reports (step, loss, images per second); when output
/// is redirected to a file or a pipe, a plain line each time the phase passes another tenth.
/// </summary>
internal sealed class SampleProgress
{
    private readonly List<ProgressLine> _lines = [];
    private readonly Lock _gate = new();
    private readonly ProgressContext? _live;
    private readonly TextWriter _plain;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _printedTenths;

    private SampleProgress(ProgressContext? live, TextWriter plain)
    {
        _live = live;
        _plain = plain;
    }

    /// <summary>Whether progress is drawn live (a terminal that takes cursor movements) rather than printed as lines.</summary>
    public static bool IsLive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="work"/> under a progress display headed <paramref name="title"/> and returns its result.</summary>
    public static T Run<T>(string title, Func<SampleProgress, T> work)
    {
        if (!IsLive)
        {
            Console.WriteLine(title);
            return work(new SampleProgress(null, Console.Out));
        }

        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(title)}[/]");
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new DetailColumn())
            .Start(context =>
            {
                // The display is closed properly before a failure goes on to end the process.
                try
                {
                    result = work(new SampleProgress(context, TextWriter.Null));
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
            });
        failure?.Throw();
        return result;
    }

    /// <summary>Runs <paramref name="work"/> under a progress display headed <paramref name="title"/>.</summary>
    public static void Run(string title, Action<SampleProgress> work) => Run(title, progress =>
    {
        work(progress);
        return true;
    });

    /// <summary>
    /// Enumerates <paramref name="items"/> (<paramref name="count"/> of them, produced lazily, e.g. by an ML.NET
    /// pipeline) into a list under a progress display that counts them in <paramref name="unit"/> per second.
    /// </summary>
    public static List<T> Collect<T>(string title, string name, string unit, int count, IEnumerable<T> items) => Run(title, progress =>
    {
        var line = progress.Add(name, count);
        var clock = Stopwatch.StartNew();
        var list = new List<T>(count);
        foreach (var item in items)
        {
            list.Add(item);
            line.Update(list.Count, $"{list.Count}/{count} {unit}  {list.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):F1} {unit}/s");
        }

        return list;
    });

    /// <summary>A line for one piece of work of <paramref name="total"/> units (steps, images).</summary>
    public ProgressLine Add(string name, double total)
    {
        var line = new ProgressLine(this, name, total, _live?.AddTask(Markup.Escape(name), maxValue: total));
        lock (_gate)
        {
            _lines.Add(line);
        }

        return line;
    }

    private void Print()
    {
        double total = _lines.Sum(l => l.Total), done = _lines.Sum(l => l.Done);
        double fraction = total > 0 ? Math.Clamp(done / total, 0, 1) : 1;
        int tenths = (int)Math.Floor(fraction * 10);
        if (tenths <= _printedTenths)
        {
            return;
        }

        _printedTenths = tenths;
        double seconds = _clock.Elapsed.TotalSeconds;
        string left = fraction >= 1 ? $"done in {Duration(seconds)}" : $"{Duration(seconds * (1 - fraction) / fraction)} left";
        var running = _lines.Where(l => l.Done > 0 && (l.Done < l.Total || _lines.Count == 1)).Select(l => $"{l.Name}: {l.Detail}");
        _plain.WriteLine($"  {fraction * 100,3:F0}%  {left}  {string.Join(" | ", running)}".TrimEnd());
    }

    private static string Duration(double seconds) =>
        TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    /// <summary>One line of a progress display.</summary>
    internal sealed class ProgressLine(SampleProgress owner, string name, double total, ProgressTask? task)
    {
        public string Name => name;

        public double Total => total;

        public double Done { get; private set; }

        public string Detail { get; private set; } = string.Empty;

        /// <summary>Records that <paramref name="done"/> of the line's units are done, with what the work reports.</summary>
        public void Update(double done, string detail)
        {
            lock (owner._gate)
            {
                Done = Math.Clamp(done, 0, total);
                Detail = detail;
                if (task is not null)
                {
                    task.Tag = detail;
                    task.Value = Done;
                }
                else
                {
                    owner.Print();
                }
            }
        }

        /// <summary>
        /// An <see cref="IProgress{T}"/> for a trainer's reports, described by <paramref name="describe"/> as units done
        /// and a detail; it updates the line at once on the reporting thread (System.Progress would post to the thread pool).
        /// </summary>
        public IProgress<T> For<T>(Func<T, (double Done, string Detail)> describe) => new ActionProgress<T>(value =>
        {
            var (done, detail) = describe(value);
            Update(done, detail);
        });
    }

    // What the work last reported for a line, after the time left.
    private sealed class DetailColumn : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Spectre.Console.Text(task.Tag as string ?? string.Empty, new Style(Color.Grey));
    }

    private sealed class ActionProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
