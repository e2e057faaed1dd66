// A silo of a localhost Orleans cluster that runs TexTok shard grains, for the tests that run a job across processes.
//   dotnet TexTok.ML.Orleans.SiloHost.dll SILO_PORT GATEWAY_PORT PRIMARY_SILO_PORT
// Prints "ready" once the silo has joined, then runs until its standard input closes.
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

if (args.Length != 3 || !int.TryParse(args[0], out int siloPort) || !int.TryParse(args[1], out int gatewayPort) || !int.TryParse(args[2], out int primaryPort))
{
    Console.Error.WriteLine("usage: TexTok.ML.Orleans.SiloHost SILO_PORT GATEWAY_PORT PRIMARY_SILO_PORT");
    return 2;
}

using var host = Host.CreateDefaultBuilder()
    .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
    .UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort, new IPEndPoint(IPAddress.Loopback, primaryPort)))
    .Build();
await host.StartAsync();
Console.WriteLine("ready");
await Console.In.ReadToEndAsync();
await host.StopAsync();
return 0;
