using TexTok.ML.Benchmarks;

return BenchmarkCommandLine.Run(args);
