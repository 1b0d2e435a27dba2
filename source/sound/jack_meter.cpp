#include "cacophony/sound/jack_meter.h"

#include <stdexcept>

namespace cacophony::sound {
namespace {

JackSink& with_input(JackSink& sink) {
  if (!sink.has_input()) throw std::logic_error("JackMeter: the sink has no input port");
  return sink;
}

}  // namespace

JackMeter::JackMeter(JackSink& sink) : sink_(with_input(sink)), loudness_(1, sink.rate()) {}

void JackMeter::poll() {
  while (true) {
    std::size_t n = 0;
    while (n < kBlock && sink_.pop_input(block_[n])) ++n;
    if (n > 0) loudness_.add(block_.data(), n);
    if (n < kBlock) return;
  }
}

double JackMeter::loudness() {
  poll();
  return loudness_.momentary();
}

int JackMeter::volume_at(std::int64_t, std::int64_t, int) {
  return loudness_to_volume(loudness());
}

}  // namespace cacophony::sound
