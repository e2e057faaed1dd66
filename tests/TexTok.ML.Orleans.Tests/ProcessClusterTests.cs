using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TexTok.ML.Testing;

namespace TexTok.ML.Orleans.Tests;

/// <summary>A job on two silos that run in their own processes, with the client in the test's process.</summary>
[TestClass]
public sealed class ProcessClusterTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task TwoSiloProcessesWriteTheTokensOneProcessComputes()
    {
        int[] ports = FreePorts(4);
        var silos = new List<Process>();
        try
        {
            silos.Add(await StartSilo(ports[0], ports[1], primaryPort: ports[0]));
            silos.Add(await StartSilo(ports[2], ports[3], primaryPort: ports[0]));
            using var client = Host.CreateDefaultBuilder()
                .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
                .UseOrleansClient(c => c.UseLocalhostClustering([ports[1], ports[3]]))
                .Build();
            await client.StartAsync(TestContext.CancellationToken);

            var (folder, job) = ShardedTokenizeJobTests.NewJob(TestContext, "processes", shardSize: 4, rows: 24);
            var report = await ShardedTokenizeJob.RunAsync(client.Services.GetRequiredService<IClusterClient>(), job,
                maxConcurrentShards: 4, cancellationToken: TestContext.CancellationToken);
            TestContext.WriteLine(string.Join(Environment.NewLine, report.Shards));
            Assert.AreEqual(6, report.Written, string.Join("; ", report.Failed.Select(f => f.Error)));
            var joined = TokenShard.LoadAll(job.OutputDirectory);
            var expected = ShardedTokenizeJobTests.TokensInOneProcess(job.PipelinePath, job.Source);
            CollectionAssert.AreEqual(Enumerable.Range(0, 24).Select(i => (long)i).ToArray(), joined.Ids);
            for (int i = 0; i < 24; i++)
            {
                CollectionAssert.AreEqual(expected[i], joined.Tokens[i], $"row {i}");
            }

            await client.StopAsync(TestContext.CancellationToken);
        }
        finally
        {
            foreach (var silo in silos)
            {
                silo.StandardInput.Close();
                if (!silo.WaitForExit(20_000))
                {
                    silo.Kill(entireProcessTree: true);
                }

                silo.Dispose();
            }
        }
    }

    private async Task<Process> StartSilo(int siloPort, int gatewayPort, int primaryPort)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string argument in new[] { SiloHostPath(), siloPort.ToString(), gatewayPort.ToString(), primaryPort.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(90));
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync(wait.Token)) is not null && line != "ready")
        {
            TestContext.WriteLine($"silo {siloPort}: {line}");
        }

        if (line != "ready")
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the silo on port {siloPort} did not start: {await errors}");
        }

        _ = process.StandardOutput.ReadToEndAsync(); // keep draining so the silo never blocks on a full pipe
        return process;
    }

    private static string SiloHostPath() => ChildProgram.BuiltAssembly("tests/TexTok.ML.Orleans.SiloHost", "TexTok.ML.Orleans.SiloHost");

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        int[] ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
