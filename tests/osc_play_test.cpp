// `play --osc` driven over real UDP through liblo on a dummy JACK server: a tempo changes what is
// heard, a query is answered with the state, every bad message is answered with an error and
// changes nothing, and a registered client hears of each change.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "support/capture_client.h"
#include "support/command.h"
#include "support/files.h"
#include "support/jack_server.h"
#include "support/onsets.h"
#include "support/osc_client.h"
#include "support/process.h"

namespace {

using namespace cacophony::test_support;
using namespace std::chrono_literals;

TEST(OscPlay, TempoQueryErrorsAndRegisteredClients) {
  START_SERVER(server);
  Capture capture(server.name());
  ASSERT_TRUE(capture.ok());
  const int port = free_udp_port();
  Process play({CACOPHONY_BINARY, "play", "4/4", "120", "--osc", std::to_string(port), "--connect",
                capture.port()},
               Output::file(temp_path("osc.out")), Input::null, {server.env()});
  ASSERT_TRUE(play.wait_for_output("beat #1 ", 10s)) << play.output();
  Client client(port);
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/cacophony/tempo", "f", 150.0f);
  std::this_thread::sleep_for(1500ms);
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/cacophony/query", "");
  Heard state = client.next();
  EXPECT_EQ(state.path, "/cacophony/state");
  EXPECT_EQ(state.first, "150");

  // Each bad message: an error, and the tempo as it was.
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/cacophony/tempo", "f", 5000.0f);
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/cacophony/tempo", "s", "fast");
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/cacophony/tempo", "f", NAN);
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/cacophony/nope", "");
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/cacophony/meter", "ii", 4, 3);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.next().path, "/cacophony/error") << i;
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/cacophony/query", "");
  EXPECT_EQ(client.next().first, "150");

  // A registered client hears of a change.
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/cacophony/register", "s",
               client.url().c_str());
  std::this_thread::sleep_for(200ms);
  lo_send_from(client.target(), client.server(), LO_TT_IMMEDIATE, "/cacophony/tempo", "f", 90.0f);
  bool told = false;
  for (Heard h = client.next(); !h.path.empty() && !told; h = client.next())
    told = h.path == "/cacophony/state" && h.first == "90";
  EXPECT_TRUE(told) << "the registered client hears of 90 bpm";
  std::this_thread::sleep_for(1500ms);
  play.signal(SIGINT);
  const int status = play.wait(10s);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 130);
  capture.stop();

  // Heard: 120 bpm (24000 frames), then 150 (19200), then 90 (32000), in that order.
  const std::vector<std::size_t> at = onsets(capture.samples(), 100);
  std::vector<std::size_t> intervals;
  for (std::size_t i = 1; i < at.size(); ++i) intervals.push_back(at[i] - at[i - 1]);
  const auto first_of = [&](std::size_t interval) {
    return std::find(intervals.begin(), intervals.end(), interval) - intervals.begin();
  };
  EXPECT_LT(first_of(24000), first_of(19200));
  EXPECT_LT(first_of(19200), first_of(32000));
  EXPECT_LT(first_of(32000), static_cast<long>(intervals.size()));
  EXPECT_NE(play.output().find("at 150 bpm: "), std::string::npos);
}

// A port someone holds is the user's to mend: one line, exit 2, before anything plays.
TEST(OscPlay, APortInUseIsRefused) {
  START_SERVER(server);
  lo_server holder =
      lo_server_new_with_proto(nullptr, LO_UDP, [](int, const char*, const char*) {});
  const int port = lo_server_get_port(holder);
  const CommandResult r =
      run_cacophony("play 4/4 120 --osc " + std::to_string(port), server.env() + " ");
  lo_server_free(holder);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--osc " + std::to_string(port)), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

}  // namespace
