#include "cacophony/remote/osc.h"

#include "cacophony/rhythm/rhythm.h"

#include <fcntl.h>
#include <lo/lo.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace cacophony::remote {
namespace {

// liblo's error handler takes no user data; it keeps the last message for an OscError.
thread_local std::string liblo_error;

void keep_liblo_error(int /*number*/, const char* message, const char* /*where*/) {
  liblo_error = message != nullptr ? message : "unknown error";
}

struct AddressFree {
  void operator()(lo_address address) const { lo_address_free(address); }
};
using Address = std::unique_ptr<void, AddressFree>;

std::string url_of(lo_address address) {
  char* url = lo_address_get_url(address);
  std::string text = url != nullptr ? url : "";
  std::free(url);
  return text;
}

// Null unless `url` is a valid osc.udp:// URL: our replies leave from a UDP port, and liblo
// prints to stderr on a protocol it doesn't know.
Address udp_address(const std::string& url) {
  if (!url.starts_with("osc.udp://")) return nullptr;
  return Address{lo_address_new_from_url(url.c_str())};
}

std::string text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// A UDP socket bound to host:port. liblo 0.31 binds only the wildcard address, so this socket
// takes the place of its own: a remote control stays on 127.0.0.1 unless asked otherwise.
int bind_udp(const std::string& host, int port) {
  const std::string where = host + ":" + std::to_string(port);
  if (port < 0 || port > 65535) throw OscError("cannot bind " + where + ": no such port");
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int status = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (status != 0) throw OscError("cannot bind " + where + ": " + gai_strerror(status));
  const int fd = socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const int bound = fd < 0 ? -1 : bind(fd, found->ai_addr, found->ai_addrlen);
  const int error = errno;
  freeaddrinfo(found);
  if (bound != 0) {
    if (fd >= 0) close(fd);
    throw OscError("cannot bind " + where + ": " + std::strerror(error));
  }
  return fd;
}

int bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  char service[NI_MAXSERV] = "0";
  getnameinfo(reinterpret_cast<sockaddr*>(&address), length, nullptr, 0, service, sizeof service,
              NI_NUMERICSERV);
  return std::atoi(service);
}

// What a message carries, once its argument types are known to fit its path.
struct Request {
  const Limits& limits;
  std::string_view path;
  std::vector<double> numbers;
  std::string word;
};

// Empty if `value` is a finite number in lo..hi, else why not.
std::string outside(std::string_view what, double value, double lo, double hi) {
  if (!std::isfinite(value)) return std::string(what) + " " + text(value) + " is not finite";
  if (value < lo || value > hi) {
    return std::string(what) + " " + text(value) + " is outside " + text(lo) + ".." + text(hi);
  }
  return {};
}

std::string check_tempo(const Request& request, Command& command) {
  command.value = request.numbers[0];
  return outside("tempo", command.value, request.limits.min_tempo, request.limits.max_tempo);
}

std::string check_volume(const Request& request, Command& command) {
  command.value = request.numbers[0];
  return outside("volume", command.value, 0, 100);
}

// A meter of `min_beats`..kMaxBeats beats of a note value we know.
std::string check_meter_from(const Request& request, Command& command, int min_beats) {
  const double beats = request.numbers[0];
  const double unit = request.numbers[1];
  constexpr int kMax = rhythm::Meter::kMaxBeats;
  if (!(beats >= min_beats && beats <= kMax && beats == std::floor(beats))) {
    return "meter beats " + text(beats) + " is not a whole number in " + std::to_string(min_beats) +
           ".." + std::to_string(kMax);
  }
  constexpr std::array<double, 6> kUnits{1, 2, 4, 8, 16, 32};
  if (std::find(kUnits.begin(), kUnits.end(), unit) == kUnits.end()) {
    return "meter unit " + text(unit) + " is not 1, 2, 4, 8, 16 or 32";
  }
  command.beats = static_cast<int>(beats);
  command.unit = static_cast<int>(unit);
  return {};
}

std::string check_meter(const Request& request, Command& command) {
  return check_meter_from(request, command, 1);
}

// klick's 0 beats: every beat even.
std::string check_klick_meter(const Request& request, Command& command) {
  return check_meter_from(request, command, 0);
}

std::string check_pattern(const Request& request, Command& command) {
  if (request.word.size() > static_cast<std::size_t>(rhythm::Meter::kMaxBeats))
    return "pattern has more than " + std::to_string(rhythm::Meter::kMaxBeats) + " beats";
  if (request.word.find_first_not_of("Xx.") != std::string::npos)
    return "pattern " + request.word + " has a letter other than X, x and .";
  command.word = request.word;
  return {};
}

std::string check_song(const Request& request, Command& command) {
  if (request.word.empty()) return "a song's name is not empty";
  command.word = request.word;
  return {};
}

std::string check_gain(const Request& request, Command& command) {
  command.value = request.numbers[0];
  return outside("volume", command.value, 0, 1);
}

std::string check_tap(const Request& request, Command& command) {
  if (request.numbers.empty()) return {};
  command.at = request.numbers[0];
  return std::isfinite(*command.at) ? std::string{}
                                    : "tap time " + text(*command.at) + " is not finite";
}

// Whether `port` (a URL's, as liblo keeps it) is one a reply can go to: 1..65535, in digits.
bool reachable_port(const char* port) {
  const std::string_view text = port != nullptr ? port : "";
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc() && end == text.data() + text.size() && value >= 1 &&
         value <= 65535;
}

std::string check_url(const std::string& url, Command& command) {
  const Address address = udp_address(url);
  if (!address) return std::string(url) + " is not an osc.udp:// URL";
  if (!reachable_port(lo_address_get_port(address.get())))
    return "the URL's port must be a number in 1..65535";
  command.from = url_of(address.get());
  return {};
}

std::string check_register(const Request& request, Command& command) {
  const std::string why = check_url(request.word, command);
  return why.empty() ? why : "register: " + why;
}

// klick's messages that take an optional URL in place of the sender's.
std::string check_return_url(const Request& request, Command& command) {
  if (request.word.empty()) return {};
  const std::string why = check_url(request.word, command);
  return why.empty() ? why : std::string(request.path) + ": " + why;
}

// klick's queries: the path says which replies.
std::string check_klick_query(const Request& request, Command& command) {
  command.word = request.path;
  return check_return_url(request, command);
}

struct Route {
  std::string_view path;
  std::string_view shape;  // per argument, n: a number (f, d or i), s: a string
  std::string_view wants;  // the shape in words, for the error reply
  Command::Kind kind;
  std::string (*check)(const Request&, Command&);  // null: nothing to check
};

using K = Command::Kind;
constexpr std::string_view kNone = "no arguments";
constexpr std::string_view kUrl = "no arguments or one string (a URL)";
constexpr std::string_view kTap = "no arguments or one number (a time in seconds)";

// A path with arguments that may be left out has a route for each shape.
constexpr std::array kRoutes{
    Route{"/cacophony/tempo", "n", "one number (bpm)", K::tempo, check_tempo},
    Route{"/cacophony/tap", "", kNone, K::tap, nullptr},
    Route{"/cacophony/start", "", kNone, K::start, nullptr},
    Route{"/cacophony/stop", "", kNone, K::stop, nullptr},
    Route{"/cacophony/meter", "nn", "two numbers (beats, unit)", K::meter, check_meter},
    Route{"/cacophony/volume", "n", "one number (0..100)", K::volume, check_volume},
    Route{"/cacophony/query", "", kNone, K::query, nullptr},
    Route{"/cacophony/register", "s", "one string (a URL)", K::registered, check_register},
    Route{"/cacophony/song", "s", "one string (a song's name)", K::song, check_song},
    Route{"/cacophony/next", "", kNone, K::next_song, nullptr},
    Route{"/cacophony/previous", "", kNone, K::previous_song, nullptr},
    Route{"/klick/metro/start", "", kNone, K::start, nullptr},
    Route{"/klick/metro/stop", "", kNone, K::stop, nullptr},
    Route{"/klick/simple/set_tempo", "n", "one number (bpm)", K::tempo, check_tempo},
    Route{"/klick/simple/set_meter", "nn", "two numbers (beats, unit)", K::meter,
          check_klick_meter},
    Route{"/klick/simple/set_pattern", "s", "one string (X, x, .)", K::pattern, check_pattern},
    Route{"/klick/simple/tap", "", kTap, K::tap, nullptr},
    Route{"/klick/simple/tap", "n", kTap, K::tap, check_tap},
    Route{"/klick/config/set_volume", "n", "one number (0..1)", K::gain, check_gain},
    Route{"/klick/quit", "", kNone, K::quit, nullptr},
    Route{"/klick/query", "", kUrl, K::query, check_klick_query},
    Route{"/klick/query", "s", kUrl, K::query, check_klick_query},
    Route{"/klick/simple/query", "", kUrl, K::query, check_klick_query},
    Route{"/klick/simple/query", "s", kUrl, K::query, check_klick_query},
    Route{"/klick/metro/query", "", kUrl, K::query, check_klick_query},
    Route{"/klick/metro/query", "s", kUrl, K::query, check_klick_query},
    Route{"/klick/config/query", "", kUrl, K::query, check_klick_query},
    Route{"/klick/config/query", "s", kUrl, K::query, check_klick_query},
    Route{"/klick/ping", "", kUrl, K::ping, check_return_url},
    Route{"/klick/ping", "s", kUrl, K::ping, check_return_url},
    Route{"/klick/register_client", "", kUrl, K::registered, check_return_url},
    Route{"/klick/register_client", "s", kUrl, K::registered, check_return_url},
    Route{"/klick/unregister_client", "", kUrl, K::unregistered, check_return_url},
    Route{"/klick/unregister_client", "s", kUrl, K::unregistered, check_return_url},
};

// OSC aligns arguments on 4 bytes only, less than lo_arg's 8: they are copied out, not read
// in place.
template <typename T>
double read_as(const lo_arg* argument) {
  T value;
  std::memcpy(&value, argument, sizeof value);
  return static_cast<double>(value);
}

std::optional<double> number_of(char type, const lo_arg* argument) {
  switch (type) {
    case LO_FLOAT:
      return read_as<float>(argument);
    case LO_DOUBLE:
      return read_as<double>(argument);
    case LO_INT32:
      return read_as<std::int32_t>(argument);
    default:
      return std::nullopt;
  }
}

// False if the arguments don't have the route's shape.
bool read_arguments(const Route& route, std::string_view types, lo_arg** argv, Request& request) {
  if (types.size() != route.shape.size()) return false;
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (route.shape[i] == 's') {
      if (types[i] != LO_STRING) return false;
      request.word = reinterpret_cast<const char*>(argv[i]);
    } else if (const auto number = number_of(types[i], argv[i])) {
      request.numbers.push_back(*number);
    } else {
      return false;
    }
  }
  return true;
}

// Fills `command` from the message, or says why it is refused.
std::string parse(const Limits& limits, std::string_view path, std::string_view types,
                  lo_arg** argv, Command& command) {
  const auto on_path = [&](const Route& r) { return r.path == path; };
  const auto first = std::find_if(kRoutes.begin(), kRoutes.end(), on_path);
  if (first == kRoutes.end()) return "unknown path " + std::string(path);
  for (auto route = first; route != kRoutes.end() && on_path(*route); ++route) {
    Request request{limits, path, {}, {}};
    if (!read_arguments(*route, types, argv, request)) continue;
    command.kind = route->kind;
    if (path.starts_with("/klick/")) command.dialect = Command::Dialect::klick;
    return route->check != nullptr ? route->check(request, command) : std::string{};
  }
  const std::string got = types.empty() ? "none" : "," + std::string(types);
  return std::string(path) + " takes " + std::string(first->wants) + ", got " + got;
}

// A registered client: ours get /cacophony/state, klick's its own messages.
struct Client {
  std::string url;
  Address address;
  Command::Dialect dialect;
};

}  // namespace

struct OscRemote::Impl {
  Limits limits;
  lo_server server = nullptr;
  int port = 0;
  std::vector<Command> commands;
  std::vector<Client> clients;  // oldest first

  void send(lo_address to, const char* path, lo_message message) {
    lo_send_message_from(to, server, path, message);
    lo_message_free(message);
  }

  void send_float(lo_address to, const char* path, double value) {
    lo_message message = lo_message_new();
    lo_message_add_float(message, static_cast<float>(value));
    send(to, path, message);
  }

  void send_state(lo_address to, const State& state) {
    lo_message message = lo_message_new();
    lo_message_add_float(message, static_cast<float>(state.tempo));
    lo_message_add_int32(message, state.beats);
    lo_message_add_int32(message, state.unit);
    lo_message_add_int32(message, state.playing ? 1 : 0);
    const auto bar = std::clamp<std::int64_t>(state.bar, std::numeric_limits<std::int32_t>::min(),
                                              std::numeric_limits<std::int32_t>::max());
    lo_message_add_int32(message, static_cast<std::int32_t>(bar));
    lo_message_add_int32(message, state.beat);
    lo_message_add_int32(message, state.peers);
    send(to, "/cacophony/state", message);
  }

  // What klick's /klick/simple/query tells (the speed trainer's values are 0: none runs).
  void send_klick_simple(lo_address to, const State& state) {
    send_float(to, "/klick/simple/tempo", state.tempo);
    for (const char* path : {"/klick/simple/tempo_increment", "/klick/simple/tempo_start",
                             "/klick/simple/tempo_limit"})
      send_float(to, path, 0);
    send_float(to, "/klick/simple/current_tempo", state.playing ? state.tempo : 0);
    // klick's 0 beats (every beat even) is played as one unaccented beat a bar.
    const bool even = state.beats == 1 && state.pattern == "x";
    lo_message meter = lo_message_new();
    lo_message_add_int32(meter, even ? 0 : state.beats);
    lo_message_add_int32(meter, state.unit);
    send(to, "/klick/simple/meter", meter);
    lo_message pattern = lo_message_new();
    lo_message_add_string(pattern, even ? "" : state.pattern.c_str());
    send(to, "/klick/simple/pattern", pattern);
  }

  void send_klick_metro(lo_address to, const State& state) {
    lo_message type = lo_message_new();
    lo_message_add_string(type, "simple");
    send(to, "/klick/metro/type", type);
    lo_message active = lo_message_new();
    lo_message_add_int32(active, state.playing ? 1 : 0);
    send(to, "/klick/metro/active", active);
  }

  // klick's replies to the query at `path`; /klick/query's in klick's order.
  void send_klick(lo_address to, const State& state, std::string_view path) {
    const bool all = path == "/klick/query";
    if (all || path == "/klick/config/query") send_float(to, "/klick/config/volume", state.gain);
    if (all || path == "/klick/metro/query") send_klick_metro(to, state);
    if (all || path == "/klick/simple/query") send_klick_simple(to, state);
  }

  std::vector<Client>::iterator find_client(const Command& command) {
    return std::find_if(clients.begin(), clients.end(), [&](const Client& client) {
      return client.url == command.from && client.dialect == command.dialect;
    });
  }

  void add_client(const Command& command) {
    if (find_client(command) != clients.end()) return;
    if (clients.size() == kMaxClients) clients.erase(clients.begin());
    clients.push_back(Client{command.from, udp_address(command.from), command.dialect});
  }

  void remove_client(const Command& command) {
    const auto client = find_client(command);
    if (client != clients.end()) clients.erase(client);
  }

  void refuse(lo_address sender, const std::string& why) {
    lo_message message = lo_message_new();
    lo_message_add_string(message, why.c_str());
    send(sender, "/cacophony/error", message);
  }

  // Every message comes here, so that each bad one gets the same reply.
  static int on_message(const char* path, const char* types, lo_arg** argv, int /*argc*/,
                        lo_message message, void* self) {
    auto& impl = *static_cast<Impl*>(self);
    const lo_address sender = lo_message_get_source(message);
    Command command;
    if (sender != nullptr) command.from = url_of(sender);
    const std::string why = parse(impl.limits, path, types != nullptr ? types : "", argv, command);
    if (!why.empty()) {
      if (sender != nullptr) impl.refuse(sender, why);
      return 0;
    }
    if (command.kind == Command::Kind::registered) impl.add_client(command);
    if (command.kind == Command::Kind::unregistered) impl.remove_client(command);
    impl.commands.push_back(std::move(command));
    return 0;
  }
};

OscRemote::OscRemote(const std::string& host, int port, Limits limits)
    : impl_(std::make_unique<Impl>()) {
  impl_->limits = limits;
  const int fd = bind_udp(host, port);
  liblo_error.clear();
  impl_->server = lo_server_new_with_proto(nullptr, LO_UDP, keep_liblo_error);
  if (impl_->server == nullptr) {
    close(fd);
    throw OscError("cannot start an OSC server: " + liblo_error);
  }
  const int replaced = dup3(fd, lo_server_get_socket_fd(impl_->server), O_CLOEXEC);
  const int error = errno;
  close(fd);
  if (replaced < 0) {
    lo_server_free(impl_->server);
    throw OscError(std::string("cannot start an OSC server: ") + std::strerror(error));
  }
  impl_->port = bound_port(replaced);
  lo_server_enable_queue(impl_->server, 0, 1);  // a bundle's time tag must not hold messages
  lo_server_add_method(impl_->server, nullptr, nullptr, &Impl::on_message, impl_.get());
}

OscRemote::~OscRemote() {
  lo_server_free(impl_->server);
}

int OscRemote::port() const {
  return impl_->port;
}

int OscRemote::socket_fd() const {
  return lo_server_get_socket_fd(impl_->server);
}

std::vector<Command> OscRemote::poll() {
  // 0: nothing waiting; below 0: a datagram liblo dropped (not OSC), the next may be fine.
  for (std::size_t i = 0; i < kMaxPerPoll; ++i) {
    if (lo_server_recv_noblock(impl_->server, 0) == 0) break;
  }
  return std::exchange(impl_->commands, {});
}

void OscRemote::send_state(const std::string& url, const State& state) {
  const Address address = udp_address(url);
  if (address) impl_->send_state(address.get(), state);
}

void OscRemote::send_klick_state(const std::string& url, const State& state,
                                 const std::string& path) {
  const Address address = udp_address(url);
  if (address) impl_->send_klick(address.get(), state, path);
}

void OscRemote::send_pong(const std::string& url) {
  const Address address = udp_address(url);
  if (address) impl_->send(address.get(), "/klick/pong", lo_message_new());
}

void OscRemote::notify(const State& state) {
  for (const Client& client : impl_->clients) {
    if (!client.address) continue;
    if (client.dialect == Command::Dialect::klick)
      impl_->send_klick(client.address.get(), state, "/klick/query");
    else
      impl_->send_state(client.address.get(), state);
  }
}

void OscRemote::send_error(const std::string& url, const std::string& why) {
  const Address address = udp_address(url);
  if (address) impl_->refuse(address.get(), why);
}

std::size_t OscRemote::clients() const {
  return impl_->clients.size();
}

}  // namespace cacophony::remote
