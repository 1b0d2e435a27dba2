#include "cacophony/sound/meter_thread.h"

#include <chrono>

namespace cacophony::sound {

MeterThread::MeterThread(Meter& meter, Engine& engine, const JackSink& sink)
    : meter_(meter), engine_(engine), sink_(sink) {
  engine_.set_volume(meter_.volume_at(0, 0, engine_.rate()));
  thread_ = std::thread([this] { run(); });
}

MeterThread::~MeterThread() {
  stop_.store(true);
  thread_.join();
}

void MeterThread::run() {
  std::int64_t metered = 0;  // the beat whose volume the engine holds
  while (!stop_.load()) {
    const std::int64_t next = sink_.beats_started();
    if (next > metered && next < engine_.beats()) {
      // A shared grid cannot tell where the next beat falls: the latest one stands in.
      const std::int64_t planned = engine_.grid().planned_onset(next);
      const std::int64_t frame = planned == Grid::kUnknown ? sink_.last_onset() : planned;
      engine_.set_volume(meter_.volume_at(next, frame, engine_.rate()));
      metered = next;
      continue;
    }
    meter_.poll();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace cacophony::sound
