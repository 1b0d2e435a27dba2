// The benchmark binary: Google Benchmark's own main. Every benchmark lives in a *_bench.cpp file.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
