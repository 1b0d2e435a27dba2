#pragma once
// Test helpers for JACK MIDI: Debian's jack_midi_dump -a run as a recorder on a test's server,
// and its lines read back. -a prints each event at the server's frame time (jack_last_frame_time
// plus the event's offset in its period), the clock capture clients (capture_client.h) keep too.

#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "capture_client.h"
#include "files.h"
#include "jack_server.h"
#include "process.h"

namespace cacophony::test_support {

using namespace std::chrono_literals;

struct MidiEvent {
  long long frame = 0;
  std::vector<int> bytes;
};

// jack_midi_dump -a's lines: "  24576: 99 4c 70 note on (channel 9): ...".
inline std::vector<MidiEvent> parse_dump(const std::string& text) {
  std::vector<MidiEvent> events;
  for (const std::string& line : lines(text)) {
    std::istringstream in(line);
    MidiEvent e;
    char colon = 0;
    if (!(in >> e.frame >> colon) || colon != ':') continue;
    std::string token;
    while (in >> token && token.size() <= 2 &&
           token.find_first_not_of("0123456789abcdef") == std::string::npos)
      e.bytes.push_back(std::stoi(token, nullptr, 16));
    events.push_back(e);
  }
  return events;
}

// Whether `jack`, a client on the server, sees the port `name` within 10 s.
inline bool port_appears(const Capture& jack, const std::string& name) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!jack.port_exists(name) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  return jack.port_exists(name);
}

// A jack_midi_dump -a of the test's own on `server`, its port dump:input ready once built.
class MidiDump {
 public:
  MidiDump(const JackServer& server, const Capture& jack)
      : dump_({"jack_midi_dump", "-a", "dump"}, Output::file(temp_path("midi.dump"), false),
              Input::null, {server.env()}) {
    EXPECT_TRUE(port_appears(jack, "dump:input")) << "jack_midi_dump did not start";
  }
  // What it recorded, once the last period's events have reached it.
  std::vector<MidiEvent> stop() {
    std::this_thread::sleep_for(100ms);
    dump_.signal(SIGINT);
    dump_.wait(5s);
    return parse_dump(dump_.output());
  }

 private:
  Process dump_;
};

// The first of up to `tries` runs (`run()`, whose result has `xruns`) that saw no xrun: a loaded
// machine gives even an idle dummy server an xrun every few seconds, and a run with one proves
// nothing either way. Fails the test when every run had one.
template <class Run>
auto first_without_xruns(int tries, Run run) {
  auto r = run();
  for (int attempt = 1; attempt < tries && r.xruns != 0; ++attempt) {
    std::printf("%d xrun(s): run discarded\n", r.xruns);
    r = run();
  }
  EXPECT_EQ(r.xruns, 0) << tries << " runs, each with an xrun";
  return r;
}

}  // namespace cacophony::test_support
