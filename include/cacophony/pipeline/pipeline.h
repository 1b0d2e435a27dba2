#pragma once
// The original's pipeline example, the blueprint of chart 14's services: a producer sends words,
// one stage wraps them into 5-character chunks, the next reverses each chunk, and the caller
// collects what comes out. Each stage owns its unbuffered output and closes it when its input
// closes. Go twin: examples/pipeline.go.
//
// The wrapping stage keeps the original's quirk on purpose: it emits full chunks while more than
// five characters remain, then the remainder only if it has at least two, so a lone trailing
// character is dropped ("carrot" gives "carro" only).

#include <string>
#include <vector>

namespace cacophony {

// The five words of the original's demo.
std::vector<std::string> pipeline_demo_words();

// Runs the pipeline over `words` in a simulated-time runtime and returns its output, in order.
std::vector<std::string> run_pipeline(const std::vector<std::string>& words);

}  // namespace cacophony
