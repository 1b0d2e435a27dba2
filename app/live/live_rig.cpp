#include "live/live_rig.h"

#include <fmt/format.h>

#include <utility>

#include "io/voice.h"

namespace cacophony::cli {
namespace {

// What abandoned rigs left: never destroyed, and reachable from here (a global), so that
// LeakSanitizer counts none of it as lost. Only the owner thread adds to it, once a process.
struct Abandoned {
  std::unique_ptr<sound::JackSink> sink;
  std::unique_ptr<sound::Engine> engine;
  std::vector<std::shared_ptr<void>> parts;
};
std::vector<Abandoned>* abandoned = nullptr;

}  // namespace

LiveRig::LiveRig(Input input, const std::string& name)
    : sink_(std::make_unique<sound::JackSink>(name, input == Input::in)),
      sink_view_(sink_.get()),
      rate_(sink_->rate()) {}

LiveRig::~LiveRig() {
  if (!stop()) return;
  metering_.reset();
  engine_.reset();
  // The last kept may read the ones before it (a grid on the bars it mutes).
  while (!parts_.empty()) parts_.pop_back();
}

sound::Engine& LiveRig::make_engine(sound::Grid& grid, std::int64_t beats,
                                    sound::ClickSounds sounds) {
  engine_ = std::make_unique<sound::Engine>(rate_, grid, beats, std::move(sounds));
  engine_view_ = engine_.get();
  return *engine_;
}

void LiveRig::feed_volume(std::unique_ptr<sound::Meter> meter) {
  meter_ = std::move(meter);
  if (auto* steady = dynamic_cast<sound::SteadyMeter*>(meter_.get()))
    engine_->set_volume(steady->get());
  else
    metering_.emplace(*meter_, *engine_, *sink_);
}

void LiveRig::start(const RigConnections& connections) {
  sink_->start(*engine_);
  std::vector<std::string> outputs = connections.outputs;
  if (outputs.empty()) {
    outputs = sink_->playback_ports();
    if (outputs.empty() && connections.say_when_unheard)
      note(fmt::format("no playback ports: connect {} yourself", sink_->port_name()));
  }
  for (const std::string& port : outputs) sink_->connect(port);
  for (const std::string& port : connections.inputs) sink_->connect_input(port);
}

bool LiveRig::stop() {
  if (stopped_) return let_go_;
  stopped_ = true;
  metering_.reset();  // it reads the sink and the engine, which both still stand
  let_go_ = sink_->stop();
  if (let_go_) return true;
  note("the JACK server does not answer: leaving it");
  if (!abandoned) abandoned = new std::vector<Abandoned>();
  // What sink() and engine() show stays where it is (what came in is still read); only its owner
  // changes.
  abandoned->push_back(Abandoned{std::move(sink_), std::move(engine_), std::move(parts_)});
  return false;
}

}  // namespace cacophony::cli
