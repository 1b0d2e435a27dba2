#pragma once
// OscRemote: `play` driven over OSC (UDP, through liblo), as TouchOSC or Open Stage Control on a
// phone do, or `oscsend` from a shell.
//
// Messages (all under /cacophony/):
//   /cacophony/tempo f        a tempo in [limits.min_tempo, limits.max_tempo] (i and d taken too)
//   /cacophony/tap            one tap of tap tempo
//   /cacophony/start          start playing
//   /cacophony/stop           stop playing
//   /cacophony/meter ii       beats per bar (1..64) and note value (1, 2, 4, 8, 16, 32)
//   /cacophony/volume f       0..100 (i taken too)
//   /cacophony/query          the state is sent back to the sender (send_state)
//   /cacophony/register s     URL (osc.udp://host:port/, port 1..65535) gets the state on every
//                             change (notify)
// A message with another path, other argument types, a value out of range or not finite (NaN,
// inf) changes nothing: the sender gets /cacophony/error ,s WHY and poll() returns no command.
//
// Guarantees
// - The constructor binds the UDP port (0: any free one, see port()) on `host` and throws
//   OscError if it can't. Nothing is received until poll().
// - poll() never blocks: it takes every datagram waiting (at most kMaxPerPoll), in order, and
//   returns the valid commands. A datagram that is not OSC, or is truncated, is dropped.
// - At most kMaxClients registered clients; registering one more replaces the oldest.
//
// Thread safety: none; one thread (the play command's main thread) owns an OscRemote. It never
// runs in the audio thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace cacophony::remote {

struct OscError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Limits {
  double min_tempo = 1;
  double max_tempo = 1000;
};

struct Command {
  enum class Kind { tempo, tap, start, stop, meter, volume, query, registered };
  Kind kind = Kind::query;
  double value = 0;  // tempo (bpm) or volume (0..100)
  int beats = 0;     // meter
  int unit = 0;      // meter
  std::string from;  // the sender's URL (for a query: where the state goes; for all: errors)
};

// What query replies and registered clients are told: /cacophony/state ,fiiiiii
//   tempo, beats, unit, playing (0/1), bar, beat, peers.
struct State {
  double tempo = 0;
  int beats = 4;
  int unit = 4;
  bool playing = true;
  std::int64_t bar = 1;
  int beat = 1;
  int peers = 0;
};

class OscRemote {
 public:
  static constexpr std::size_t kMaxPerPoll = 256;
  static constexpr std::size_t kMaxClients = 16;

  OscRemote(const std::string& host, int port, Limits limits = {});
  ~OscRemote();
  OscRemote(const OscRemote&) = delete;
  OscRemote& operator=(const OscRemote&) = delete;

  int port() const;
  // The socket, readable when a datagram waits: for the owner to poll(2) on, never to read from
  // (poll() reads it).
  int socket_fd() const;
  std::vector<Command> poll();
  // /cacophony/state to `url` (a query's sender).
  void send_state(const std::string& url, const State& state);
  // /cacophony/state to every registered client.
  void notify(const State& state);
  // /cacophony/error ,s WHY to `url`: a command the player could not carry out.
  void send_error(const std::string& url, const std::string& why);
  std::size_t clients() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cacophony::remote
