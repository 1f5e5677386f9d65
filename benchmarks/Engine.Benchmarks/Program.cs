using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Engine.Benchmarks -- --filter '*'   (see docs/benchmarks.md)
BenchmarkSwitcher.FromAssembly(typeof(CryptoIndex.Engine.Benchmarks.PlanBenchmarks).Assembly).Run(args);
