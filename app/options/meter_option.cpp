#include "options/meter_option.h"

#include <fmt/format.h>

#include <stdexcept>

#include "cacophony/sound/file_meter.h"
#include "cacophony/sound/simulated_meter.h"
#include "options/options.h"

namespace cacophony::cli {

MeterChoice parse_meter(const std::string& text, bool live) {
  if (text == "simulated") return {MeterChoice::Kind::simulated, {}};
  if (text.starts_with("file:") && text.size() > 5)
    return {MeterChoice::Kind::file, text.substr(5)};
  if (live && text == "jack") return {MeterChoice::Kind::jack, {}};
  throw UsageError(fmt::format("--follow must be {}, got '{}'",
                               live ? "simulated, file:PATH or jack" : "simulated or file:PATH",
                               text));
}

std::unique_ptr<sound::Meter> make_meter(const MeterChoice& choice, std::uint64_t seed) {
  switch (choice.kind) {
    case MeterChoice::Kind::simulated:
      return std::make_unique<sound::SimulatedMeter>(seed);
    case MeterChoice::Kind::file:
      return std::make_unique<sound::FileMeter>(choice.file);
    case MeterChoice::Kind::jack:
      break;
  }
  throw std::logic_error("make_meter: the JACK meter is made with its sink");
}

}  // namespace cacophony::cli
