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
#include "support/process.h"

namespace {

using namespace cacophony::test_support;
using namespace std::chrono_literals;

// A UDP port no one holds now (the kernel's pick, let go at once).
int free_udp_port() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

// What the client heard back: each message's path and its first argument, as text.
struct Heard {
  std::string path;
  std::string first;
};

class Client {
 public:
  explicit Client(int port) {
    server_ = lo_server_new_with_proto(nullptr, LO_UDP, [](int, const char*, const char*) {});
    lo_server_add_method(server_, nullptr, nullptr, &Client::on_message, this);
    target_ = lo_address_new("127.0.0.1", std::to_string(port).c_str());
  }
  ~Client() {
    lo_address_free(target_);
    lo_server_free(server_);
  }
  std::string url() const {
    return "osc.udp://127.0.0.1:" + std::to_string(lo_server_get_port(server_)) + "/";
  }
  lo_address target() const { return target_; }
  lo_server server() const { return server_; }
  // The next message back within 2 s, or one with an empty path.
  Heard next() {
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (heard_.empty() && std::chrono::steady_clock::now() < deadline)
      lo_server_recv_noblock(server_, 10);
    if (heard_.empty()) return {};
    Heard h = heard_.front();
    heard_.erase(heard_.begin());
    return h;
  }

 private:
  static int on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message,
                        void* self) {
    Heard h{path, ""};
    if (argc > 0 && types[0] == LO_FLOAT) {
      float f;
      std::memcpy(&f, argv[0], sizeof f);
      h.first = std::to_string(static_cast<int>(f));
    } else if (argc > 0 && types[0] == LO_STRING) {
      h.first = reinterpret_cast<const char*>(argv[0]);
    }
    static_cast<Client*>(self)->heard_.push_back(h);
    return 0;
  }

  lo_server server_ = nullptr;
  lo_address target_ = nullptr;
  std::vector<Heard> heard_;
};

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
