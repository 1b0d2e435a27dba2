#include "cacophony/pipeline/pipeline.h"

#include <algorithm>

#include "cacophony/runtime/channel.h"

namespace cacophony {
using namespace runtime;

namespace {
constexpr std::size_t kWidth = 5;

Chan<std::string> wrapping_service(Chan<std::string> input) {
  Chan<std::string> output;
  go([=]() mutable {
    for (const std::string& text : input) {
      std::size_t at = 0;
      for (; text.size() - at > kWidth; at += kWidth) output.send(text.substr(at, kWidth));
      if (text.size() - at >= 2) output.send(text.substr(at));
    }
    output.close();
  });
  return output;
}

Chan<std::string> reversing_service(Chan<std::string> input) {
  Chan<std::string> output;
  go([=]() mutable {
    for (std::string text : input) {
      std::reverse(text.begin(), text.end());
      output.send(text);
    }
    output.close();
  });
  return output;
}
}  // namespace

std::vector<std::string> pipeline_demo_words() {
  return {"apple", "cucumber", "onion", "cabbage", "aubergine"};
}

std::vector<std::string> run_pipeline(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  auto rt = Runtime::create(TimeMode::simulated, 0);
  rt->run([&] {
    Chan<std::string> input;
    go([=]() mutable {
      for (const std::string& w : words) input.send(w);
      input.close();
    });
    for (const std::string& line : reversing_service(wrapping_service(input))) out.push_back(line);
  });
  return out;
}

}  // namespace cacophony
