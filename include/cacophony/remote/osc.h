#pragma once
// OscRemote: `play` driven over OSC (UDP, through liblo), as TouchOSC or Open Stage Control on a
// phone do, or `oscsend` from a shell.
//
// Our messages:
//   /cacophony/tempo f        a tempo in [limits.min_tempo, limits.max_tempo] (i and d taken too)
//   /cacophony/tap            one tap of tap tempo
//   /cacophony/start          start playing
//   /cacophony/stop           stop playing
//   /cacophony/meter ii       beats per bar (1..64) and note value (1, 2, 4, 8, 16, 32)
//   /cacophony/volume f       0..100 (i taken too)
//   /cacophony/query          the state is sent back to the sender (send_state)
//   /cacophony/register s     URL (osc.udp://host:port/, port 1..65535) gets the state on every
//                             change (notify)
//   /cacophony/song s         with a setlist: the song of that name, from the next bar
//   /cacophony/next           with a setlist: the next song, from the next bar
//   /cacophony/previous       with a setlist: the previous song, from the next bar
// klick's own messages (klick 0.12.2's OSC interface), for its clients (controller scripts,
// control surfaces), with the same effect in `play` as in klick:
//   /klick/metro/start            start; as klick, while playing too: bar 1, beat 1 again from
//                                 the next period
//   /klick/metro/stop             stop
//   /klick/simple/set_tempo f     as /cacophony/tempo (klick takes i and d too, so do we)
//   /klick/simple/set_meter ii    beats per bar (0..64) and note value (1, 2, 4, 8, 16, 32).
//                                 As klick: a new number of beats drops the pattern (back to the
//                                 bar's first beat accented); 0 beats: every beat even, unaccented
//                                 (played as one beat a bar, pattern "x", which klick's replies
//                                 tell as 0 beats, pattern ""). Whole numbers only (klick cuts 5.7
//                                 to 5); the note value must stay play's, as for /cacophony/meter.
//   /klick/simple/set_pattern s   X accent, x normal, . rest, one per beat, up to 64 of them;
//                                 "" the default. As klick, a pattern whose length is not the
//                                 bar's beats changes nothing (the player refuses it). Taken from
//                                 the next bar.
//   /klick/simple/tap [d]         a tap; from the second tap on (klick's count, not our three)
//                                 the tapped tempo is set. The optional number is the tap's time
//                                 in seconds on the sender's clock, used in place of ours.
//   /klick/config/set_volume f    klick's gain, 0..1 (1: the loudest, as our volume 100): the
//                                 volume nearest it in dB
//   /klick/quit                   ends `play` as its q key does (exit 0)
//   /klick/query [s]              replies, to the sender or the URL given, as klick does:
//   /klick/simple/query [s]         /klick/simple/{tempo,tempo_increment,tempo_start,
//   /klick/metro/query [s]          tempo_limit,current_tempo} f, /klick/simple/meter ii,
//   /klick/config/query [s]         /klick/simple/pattern s; /klick/metro/type s ("simple"),
//                                   /klick/metro/active i; /klick/config/volume f
//                                 (/klick/query: all three; the speed trainer's are 0; klick's
//                                 /klick/config/sound, sound_volume and sound_pitch are not
//                                 sent: play's sounds are not klick's)
//   /klick/ping [s]               replies /klick/pong
//   /klick/register_client [s]    the sender (or URL) is told, on every change, what
//   /klick/unregister_client [s]  /klick/query tells (all of it, where klick tells what changed)
// Not taken (klick's that `play` cannot do): the speed trainer (set_tempo_increment, _start,
// _limit), /klick/config/ sound, pitch and ports, /klick/metro/set_type, /klick/map/, /klick/jack/.
// klick's tap also moves the next beat to the tap; ours keeps the beat where it falls.
// klick takes any tempo and any note value, and any other pattern letter as a rest; we refuse
// them, as any bad message below.
//
// A message with another path, other argument types, a value out of range or not finite (NaN,
// inf) changes nothing: the sender gets /cacophony/error ,s WHY and poll() returns no command
// (klick would only print to its stderr).
//
// Guarantees
// - The constructor binds the UDP port (0: any free one, see port()) on `host` and throws
//   OscError if it can't. Nothing is received until poll().
// - poll() never blocks: it takes every datagram waiting (at most kMaxPerPoll), in order, and
//   returns the valid commands. A datagram that is not OSC, or is truncated, is dropped.
// - At most kMaxClients registered clients (ours and klick's together); registering one more
//   replaces the oldest.
//
// Thread safety: none; one thread (the play command's main thread) owns an OscRemote. It never
// runs in the audio thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
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
  enum class Kind {
    tempo,
    tap,
    start,
    stop,
    meter,
    volume,
    query,
    registered,
    unregistered,
    pattern,
    gain,
    quit,
    ping,
    song,
    next_song,
    previous_song
  };
  // klick: one of klick's messages, whose effect (a meter, a tap) and replies are klick's.
  enum class Dialect { cacophony, klick };
  Kind kind = Kind::query;
  Dialect dialect = Dialect::cacophony;
  double value = 0;          // tempo (bpm), volume (0..100) or gain (0..1)
  std::optional<double> at;  // tap: the sender's time of it, in seconds
  int beats = 0;             // meter
  int unit = 0;              // meter
  std::string word;          // pattern: its letters; klick's query: its path; song: its name
  std::string from;  // the sender's URL (for a query: where the state goes; for all: errors)
};

// What query replies and registered clients are told: /cacophony/state ,fiiiiii
//   tempo, beats, unit, playing (0/1), bar, beat, peers; klick's also the pattern and gain.
struct State {
  double tempo = 0;
  int beats = 4;
  int unit = 4;
  bool playing = true;
  std::int64_t bar = 1;
  int beat = 1;
  int peers = 0;
  std::string pattern;  // X, x and . a beat; empty: the bar's first beat accented (klick only)
  float gain = 1;       // the volume as klick's gain, 1 the loudest (klick only)
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
  // klick's replies to a query (`path`, as Command::word) to `url`.
  void send_klick_state(const std::string& url, const State& state, const std::string& path);
  // /klick/pong to `url`.
  void send_pong(const std::string& url);
  // /cacophony/state to every registered client; klick's (/klick/register_client) get what
  // /klick/query tells.
  void notify(const State& state);
  // /cacophony/error ,s WHY to `url`: a command the player could not carry out.
  void send_error(const std::string& url, const std::string& why);
  std::size_t clients() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cacophony::remote
