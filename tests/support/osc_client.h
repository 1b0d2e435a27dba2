#pragma once
// Test helper: an OSC client over liblo for a `play --osc` under test: it sends from its own
// port, so that the player's replies come back to it, and keeps what it hears.

#include <arpa/inet.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace cacophony::test_support {

// A UDP port no one holds now (the kernel's pick, let go at once).
inline int free_udp_port() {
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

// What the client heard back: each message's path, its first argument and all of them, as text
// (a float as its whole part, space-separated).
struct Heard {
  std::string path;
  std::string first;
  std::string all;
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
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (heard_.empty() && std::chrono::steady_clock::now() < deadline)
      lo_server_recv_noblock(server_, 10);
    if (heard_.empty()) return {};
    Heard h = heard_.front();
    heard_.erase(heard_.begin());
    return h;
  }
  // The next message on `path` within 2 s a message, or one with an empty path.
  Heard next_on(const std::string& path) {
    Heard h = next();
    while (!h.path.empty() && h.path != path) h = next();
    return h;
  }
  void send(const char* path) { lo_send_from(target_, server_, LO_TT_IMMEDIATE, path, ""); }

 private:
  static std::string text(char type, const lo_arg* argument) {
    if (type == LO_STRING) return reinterpret_cast<const char*>(argument);
    if (type == LO_FLOAT) {
      float f;
      std::memcpy(&f, argument, sizeof f);
      return std::to_string(static_cast<int>(f));
    }
    if (type == LO_INT32) {
      std::int32_t i;
      std::memcpy(&i, argument, sizeof i);
      return std::to_string(i);
    }
    return "?";
  }
  static int on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message,
                        void* self) {
    Heard h{path, "", ""};
    for (int i = 0; i < argc; ++i) h.all += (i > 0 ? " " : "") + text(types[i], argv[i]);
    if (argc > 0 && (types[0] == LO_FLOAT || types[0] == LO_STRING))
      h.first = text(types[0], argv[0]);
    static_cast<Client*>(self)->heard_.push_back(h);
    return 0;
  }

  lo_server server_ = nullptr;
  lo_address target_ = nullptr;
  std::vector<Heard> heard_;
};

}  // namespace cacophony::test_support
