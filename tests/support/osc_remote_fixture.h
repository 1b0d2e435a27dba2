#pragma once
// Test helper: an OscRemote on a free port of 127.0.0.1 and a liblo server as its client, which
// sends messages and keeps every reply (path, type tags, source port, arguments).

#include <gtest/gtest.h>
#include <lo/lo.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cacophony/remote/osc.h"

namespace cacophony::remote::test_support {

using Clock = std::chrono::steady_clock;
using namespace std::string_view_literals;
using Arg = std::variant<std::int32_t, float, double, std::string>;

constexpr auto kPatience = std::chrono::seconds(2);  // the longest any wait lasts
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A message the client got: its path, type tags, source port and arguments.
struct Reply {
  std::string path;
  std::string types;
  int from_port = 0;
  std::vector<double> numbers;
  std::string word;
};

template <typename T>
T copied(const lo_arg* argument) {
  T value;
  std::memcpy(&value, argument, sizeof value);
  return value;
}

inline void quiet(int /*number*/, const char* /*message*/, const char* /*where*/) {}

inline lo_message build(const std::vector<Arg>& args) {
  lo_message message = lo_message_new();
  for (const Arg& arg : args) {
    if (const auto* i = std::get_if<std::int32_t>(&arg)) lo_message_add_int32(message, *i);
    if (const auto* f = std::get_if<float>(&arg)) lo_message_add_float(message, *f);
    if (const auto* d = std::get_if<double>(&arg)) lo_message_add_double(message, *d);
    if (const auto* s = std::get_if<std::string>(&arg)) lo_message_add_string(message, s->c_str());
  }
  return message;
}

class OscTest : public ::testing::Test {
 protected:
  OscTest() {
    client_ = lo_server_new_with_proto(nullptr, LO_UDP, quiet);
    lo_server_add_method(client_, nullptr, nullptr, &OscTest::on_reply, this);
    target_ = lo_address_new("127.0.0.1", std::to_string(remote_.port()).c_str());
  }
  ~OscTest() override {
    lo_address_free(target_);
    lo_server_free(client_);
  }

  std::string client_url() const {
    return "osc.udp://127.0.0.1:" + std::to_string(lo_server_get_port(client_)) + "/";
  }

  void send(const std::string& path, const std::vector<Arg>& args = {}) {
    lo_message message = build(args);
    lo_send_message_from(target_, client_, path.c_str(), message);
    lo_message_free(message);
  }

  // Polls the remote and the client until `done` holds or kPatience passes; the commands seen.
  std::vector<Command> pump(const std::function<bool(const std::vector<Command>&)>& done) {
    std::vector<Command> seen;
    const auto deadline = Clock::now() + kPatience;
    while (Clock::now() < deadline && !done(seen)) {
      for (Command& command : remote_.poll()) seen.push_back(std::move(command));
      lo_server_recv_noblock(client_, 5);
    }
    return seen;
  }

  std::vector<Command> until_command() {
    return pump([](const auto& seen) { return !seen.empty(); });
  }
  std::vector<Command> until_reply() {
    return pump([this](const auto&) { return !replies_.empty(); });
  }
  // Waits a little longer for replies that should not come.
  void linger() {
    for (int i = 0; i < 20; ++i) lo_server_recv_noblock(client_, 5);
  }

  static int on_reply(const char* path, const char* types, lo_arg** argv, int argc,
                      lo_message message, void* self) {
    Reply reply{
        path, types, std::atoi(lo_address_get_port(lo_message_get_source(message))), {}, {}};
    for (int i = 0; i < argc; ++i) {
      // Copied out: OSC aligns arguments on 4 bytes, less than lo_arg's 8.
      if (types[i] == LO_STRING) reply.word = reinterpret_cast<const char*>(argv[i]);
      if (types[i] == LO_FLOAT) reply.numbers.push_back(copied<float>(argv[i]));
      if (types[i] == LO_INT32) reply.numbers.push_back(copied<std::int32_t>(argv[i]));
    }
    static_cast<OscTest*>(self)->replies_.push_back(reply);
    return 0;
  }

  OscRemote remote_{"127.0.0.1", 0};
  lo_server client_ = nullptr;
  lo_address target_ = nullptr;
  std::vector<Reply> replies_;
};

}  // namespace cacophony::remote::test_support
