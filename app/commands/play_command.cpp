// `play`: the metronome live, through a running JACK server, alone or in an Ableton Link session.
// Three steps: the options, checked; the player, built; the play, until the end, a signal or
// the server's going.

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cacophony/link/link_grid.h"
#include "cacophony/link/link_rhythm_grid.h"
#include "cacophony/link/session.h"
#include "cacophony/remote/osc.h"
#include "cacophony/rhythm/parse.h"
#include "cacophony/sound/engine.h"
#include "cacophony/sound/jack_meter.h"
#include "cacophony/sound/jack_sink.h"
#include "cacophony/sound/live_grid.h"
#include "cacophony/sound/midi_clock_grid.h"
#include "cacophony/sound/midi_out.h"
#include "cacophony/sound/rhythm_grid.h"
#include "cacophony/sound/samples.h"
#include "cacophony/sound/transport_grid.h"
#include "commands.h"
#include "io/signals.h"
#include "io/sound_errors.h"
#include "io/voice.h"
#include "live/live_rig.h"
#include "live/play_loop.h"
#include "options/midi_options.h"
#include "options/options.h"
#include "options/rhythm_options.h"
#include "options/transport_options.h"

namespace cacophony::cli {
namespace {

constexpr const char* kOscHost = "127.0.0.1";

struct RawPlay {
  RawRhythm rhythm;
  std::vector<std::string> connect;
  std::vector<std::string> follow_connect;
  bool link = false;
  std::string quantum;
  bool start_stop_sync = false;
  bool quiet = false;
  std::string osc;
  std::string osc_host;  // "" when not given
  std::string name = "cacophony";
  RawMidi midi;
  RawTransport transport;
};

struct PlayOptions {
  rhythm::Performance performance;               // what plays alone
  double link_bpm = 120;                         // with --link: the tempo proposed to the session
  double quantum = 4;                            // with --link: the bar, in quarter notes
  bool link_steady = false;                      // with --link: LinkGrid, not LinkRhythmGrid
  std::int64_t beats = sound::Engine::kEndless;  // with --link: clicks before it stops
  bool live_meter = false;                       // --follow jack
  std::unique_ptr<sound::Meter> meter;  // the others'; --follow jack's is made with the sink
  ClickChoice sounds;
  std::vector<std::string> connect;
  std::vector<std::string> follow_connect;
  std::optional<Setlist> setlist;  // what plays instead of `performance`
  bool link = false;
  bool start_stop_sync = false;
  bool quiet = false;
  int osc_port = -1;  // none
  std::string osc_host;
  std::string name;
  MidiChoice midi;
  TransportMode transport = TransportMode::none;
};

// A rhythm a player may change as it plays: one steady section, no count-in, no swing.
bool changeable(const rhythm::Performance& p) {
  return p.sections.size() == 1 && p.sections[0].tempo.kind == rhythm::Tempo::Kind::constant &&
         p.feel.count_in == rhythm::Feel::kNoCountIn && p.feel.swing == 50 && p.feel.delay == 0 &&
         p.sections[0].voices.empty();
}

// Every tempo of the rhythm, for Link's range.
void check_link_tempos(const rhythm::Performance& p) {
  for (const rhythm::Section& s : p.sections) {
    std::vector<double> tempos = s.tempo.per_beat;
    tempos.insert(tempos.end(), {s.tempo.from, s.tempo.to});
    for (const double bpm : tempos)
      if (bpm < link::kMinBpm || bpm > link::kMaxBpm)
        throw UsageError(fmt::format("the tempo must be in [{:.0f}, {:.0f}] with --link, got {}",
                                     link::kMinBpm, link::kMaxBpm, bpm));
  }
}

// With --link the session owns the beat line. A steady rhythm of whole quarter-note beats, never
// ending on its own, plays the session's beats (LinkGrid: the tempo and the pattern may change as
// it plays); any other (a map, ramps, a count-in, subdivisions, voices) plays on the session's
// beat line from its next bar and drives its tempo (LinkRhythmGrid). A Link beat is a quarter
// note: the quantum is the first bar's length in quarter notes unless --quantum says otherwise.
void link_rhythm(const RawPlay& raw, PlayOptions& o) {
  RawRhythm endless = raw.rhythm;
  endless.beats.clear();  // a steady rhythm's beats are counted by the engine
  o.performance = performance_of(endless, {.fallback_bpm = 120});
  const rhythm::Section& s = o.performance.sections.front();
  o.link_steady = raw.rhythm.map.empty() && changeable(o.performance) &&
                  s.beats == rhythm::kEndless && o.performance.feel.subdivide == 1 &&
                  s.meter.unit == 4;
  if (!o.link_steady && !raw.rhythm.beats.empty())
    o.performance = performance_of(raw.rhythm, {.fallback_bpm = 120});
  else if (!raw.rhythm.beats.empty())
    o.beats = parse_count("--beats", raw.rhythm.beats, 1, 10'000'000);
  if (o.performance.feel.delay != 0)
    throw UsageError("--link plays on the session's grid: --delay is not taken with it");
  check_link_tempos(o.performance);
  const rhythm::Section& first = o.performance.sections.front();
  o.link_bpm = first.tempo.per_beat.empty() ? first.tempo.from : first.tempo.per_beat.front();
  o.quantum = raw.quantum.empty()
                  ? first.meter.beats * first.meter.quarters()
                  : static_cast<double>(parse_count("--quantum", raw.quantum, 1, 16));
}

// With --follow-midi-clock the clock owns the tempo and the song's place: the rhythm gives only
// its bar (a meter, the bar's first beat accented) and its subdivisions, on the clock's pulses.
void clock_rhythm(const RawPlay& raw, PlayOptions& o) {
  const rhythm::Performance& p = o.performance;
  const rhythm::Section& s = p.sections.front();
  if (!raw.rhythm.map.empty() || !changeable(p) || p.feel.swing != 50 || !s.pattern.empty())
    throw UsageError(
        "--follow-midi-clock plays the clock's beats in a steady bar: give a meter and "
        "--subdivide, not a map, a ramp, a count-in, swing, a pattern or voices");
  if (sound::MidiClockGrid::kPulsesPerQuarter % p.feel.subdivide != 0)
    throw UsageError(fmt::format(
        "--follow-midi-clock clicks on the clock's pulses: --subdivide must divide 24, got {}",
        p.feel.subdivide));
}

// Following a MIDI clock the tempo is the clock's, so the words may stop at the meter (`3/4`, `4
// 3/4`): a tempo, never used, is put after it for the parser, which wants one.
RawRhythm with_clock_tempo(RawRhythm raw) {
  const auto meter = std::find_if(raw.words.begin(), raw.words.end(), [](const std::string& w) {
    return w.find('/') != std::string::npos &&
           w.find_first_not_of("0123456789/") == std::string::npos;
  });
  if (meter == raw.words.end()) return raw;
  const auto after = std::next(meter);
  if (after == raw.words.end() || !std::isdigit(static_cast<unsigned char>(after->front())))
    raw.words.insert(after, "120");
  return raw;
}

// Checked in the order the errors have always come; the simulated or file meter is made here,
// so a recording it can't use is reported before JACK is asked for anything.
PlayOptions play_options(const RawPlay& raw) {
  PlayOptions o;
  if (!raw.link && (raw.start_stop_sync || !raw.quantum.empty()))
    throw UsageError(raw.start_stop_sync ? "--start-stop-sync needs --link"
                                         : "--quantum needs --link");
  if (raw.link && !raw.rhythm.setlist.empty())
    throw UsageError("--link shares one steady tempo: --setlist is not taken with it");
  o.transport = transport_choice(raw.transport, raw.rhythm, raw.link);
  if (!raw.midi.follow_clock.empty() && o.transport != TransportMode::none)
    throw UsageError(
        "--follow-midi-clock takes the tempo from the clock: --transport is not taken with it");
  if (raw.link)
    link_rhythm(raw, o);
  else if (!raw.rhythm.setlist.empty())
    o.setlist = setlist_of(raw.rhythm);
  else if (!raw.midi.follow_clock.empty())
    // Following a MIDI clock, the tempo is the clock's: a meter alone will do.
    o.performance = performance_of(with_clock_tempo(raw.rhythm), {.fallback_bpm = 120});
  else if (o.transport != TransportMode::follow)  // following, the master's beats play
    o.performance = performance_of(raw.rhythm);
  const VolumeChoice volume = volume_of(raw.rhythm, Playing::live);
  o.live_meter = volume.follow && volume.followed.kind == MeterChoice::Kind::jack;
  if (!o.live_meter) o.meter = make_volume_meter(volume);
  if (!o.live_meter && !raw.follow_connect.empty())
    throw UsageError("--follow-connect needs --follow jack");
  o.sounds = click_choice(raw.rhythm);
  o.connect = raw.connect;
  o.follow_connect = raw.follow_connect;
  o.link = raw.link;
  o.start_stop_sync = raw.start_stop_sync;
  o.quiet = raw.quiet;
  if (!raw.osc.empty()) o.osc_port = static_cast<int>(parse_count("--osc", raw.osc, 1, 65535));
  if (raw.osc.empty() && !raw.osc_host.empty()) throw UsageError("--osc-host needs --osc");
  o.osc_host = raw.osc_host.empty() ? kOscHost : raw.osc_host;
  o.name = parse_client_name(raw.name);
  // Under transport the clock follows the rhythm on the transport's frames, or the master's BBT.
  o.midi = midi_choice(raw.midi, raw.link                      ? "--link"
                                 : !raw.rhythm.setlist.empty() ? "--setlist"
                                                               : "");
  if (!o.midi.follow_clock.empty()) clock_rhythm(raw, o);
  return o;
}

// The OSC remote, on --osc-host and --osc.
std::unique_ptr<remote::OscRemote> open_osc_remote(const PlayOptions& o) {
  const remote::Limits limits{o.link ? link::kMinBpm : rhythm::Tempo::kMin,
                              o.link ? link::kMaxBpm : rhythm::kMaxTempo};
  try {
    return std::make_unique<remote::OscRemote>(o.osc_host, o.osc_port, limits);
  } catch (const remote::OscError& e) {
    throw UsageError(fmt::format("--osc {} on {}: {}", o.osc_port, o.osc_host, e.what()));
  }
}

// What plays, on a live rig (live_rig.h): the grid the options ask for, the engine on it, its
// volume (the meter taken from the options) and the OSC remote.
struct Player {
  explicit Player(PlayOptions& o)
      : rig(o.live_meter ? LiveRig::Input::in : LiveRig::Input::none, o.name) {
    std::unique_ptr<sound::Meter> meter = std::move(o.meter);
    if (o.live_meter) meter = std::make_unique<sound::JackMeter>(rig.sink());
    sound::Grid& grid = make_grid(o);
    steady = dynamic_cast<sound::SteadyMeter*>(meter.get());
    if (o.osc_port > 0) osc = open_osc_remote(o);
    if (o.midi.any()) attach_midi(o.midi);
    rig.make_engine(grid, o.beats, click_sounds(o.sounds, rig.rate()));
    rig.feed_volume(std::move(meter));
  }

  // The grid, kept by the rig with what it reads (the Link session).
  sound::Grid& make_grid(PlayOptions& o) {
    if (o.setlist) {
      setlist = &rig.keep(std::make_unique<sound::SetlistGrid>(std::move(o.setlist->songs),
                                                               o.setlist->first, rig.rate(), true));
      return *setlist;
    }
    if (o.transport != TransportMode::none) return transport_grid(o);
    const rhythm::Performance& p = o.performance;
    if (!o.midi.follow_clock.empty()) {
      clock = &rig.keep(std::make_unique<sound::MidiClockGrid>(
          rig.rate(), p.sections[0].meter.beats, p.feel.subdivide));
      rig.sink().attach_clock_in(*clock);
      return *clock;
    }
    if (o.link) {
      session =
          &rig.keep(std::make_unique<link::Session>(o.link_bpm, o.quantum, o.start_stop_sync));
      if (!o.link_steady) return rig.keep(std::make_unique<link::LinkRhythmGrid>(*session, p));
      return rig.keep(std::make_unique<link::LinkGrid>(*session, p.sections.front().pattern));
    }
    // The MIDI clock follows a timeline, which a grid changed as it plays has not.
    if (changeable(p) && !o.midi.clock) {
      live =
          &rig.keep(std::make_unique<sound::LiveGrid>(p.sections[0], p.feel.subdivide, rig.rate()));
      return *live;
    }
    rhythm_grid = &rig.keep(std::make_unique<sound::RhythmGrid>(p, rig.rate()));
    return *rhythm_grid;
  }

  // With --transport: the master's beats, or the rhythm on the transport's frames (publishing its
  // place as the timebase master with master).
  sound::Grid& transport_grid(const PlayOptions& o) {
    jack_client_t* client = rig.sink().client();
    if (o.transport == TransportMode::follow) {
      transport_follow =
          &rig.keep(std::make_unique<sound::TransportGrid>(sound::read_jack_transport, client));
      return *transport_follow;
    }
    transport_rhythm = &rig.keep(std::make_unique<sound::TransportRhythmGrid>(
        sound::read_jack_transport, client, o.performance, rig.rate()));
    if (o.transport == TransportMode::master)
      sound::become_timebase_master(client, transport_rhythm->timeline());
    return *transport_rhythm;
  }

  // The MIDI port, kept after the grid whose timeline its clock reads (on the transport's frames
  // under transport; following a master, its clock is on the master's bars and beats).
  void attach_midi(const MidiChoice& choice) {
    const rhythm::Timeline* timeline = rhythm_grid        ? &rhythm_grid->timeline()
                                       : transport_rhythm ? &transport_rhythm->timeline()
                                                          : nullptr;
    sound::MidiSettings settings = midi_settings(choice, timeline, rig.rate());
    if (transport_rhythm || transport_follow) {
      settings.transport = sound::read_jack_transport;
      settings.transport_context = rig.sink().client();
    }
    settings.clock_on_bbt = transport_follow && choice.clock;
    midi = &rig.keep(std::make_unique<sound::MidiOut>(settings, rig.rate()));
    rig.sink().attach_midi(*midi);
  }

  LiveRig rig;
  sound::SteadyMeter* steady = nullptr;
  sound::LiveGrid* live = nullptr;
  link::Session* session = nullptr;
  sound::SetlistGrid* setlist = nullptr;
  sound::RhythmGrid* rhythm_grid = nullptr;
  sound::TransportRhythmGrid* transport_rhythm = nullptr;  // with --transport sync or master
  sound::TransportGrid* transport_follow = nullptr;        // with --transport follow
  sound::MidiOut* midi = nullptr;
  sound::MidiClockGrid* clock = nullptr;  // with --follow-midi-clock
  std::unique_ptr<remote::OscRemote> osc;
};

void report_dropped(const sound::JackSink& sink) {
  if (sink.dropped_input() > 0)
    note(fmt::format("{} input frames not metered (the meter fell behind)", sink.dropped_input()));
  if (sink.dropped_events() > 0)
    note(fmt::format("{} beats not printed (the printer fell behind)", sink.dropped_events()));
}

LiveDisplay::Mode display_mode(const PlayOptions& o) {
  if (o.quiet) return LiveDisplay::Mode::quiet;
  return isatty(STDOUT_FILENO) ? LiveDisplay::Mode::line : LiveDisplay::Mode::beats;
}

int play(Player& p, const PlayOptions& o) {
  p.rig.start(RigConnections{o.connect, o.follow_connect, true});
  for (const std::string& port : o.midi.connect) p.midi->connect(port);
  if (p.clock) p.clock->connect(o.midi.follow_clock);
  const PlayParts parts{p.rig, p.live, p.session, p.steady, p.osc.get(), p.setlist, p.clock};
  const int code = play_loop(parts, display_mode(o));
  report_dropped(p.rig.sink());
  if (p.midi && p.midi->dropped() > 0)
    note(fmt::format("{} MIDI events not sent (too many in a period)", p.midi->dropped()));
  return code;
}

int play_command(const RawPlay& raw) {
  PlayOptions options = play_options(raw);
  Player player(options);
  catch_stop_signals({SIGINT, SIGTERM});
  return play(player, options);
}

}  // namespace

void add_play_command(CLI::App& app, Action& action) {
  auto raw = std::make_shared<RawPlay>();
  CLI::App* cmd = app.add_subcommand(
      "play",
      "Play the metronome live through a running JACK server (port cacophony:out), printing "
      "bar.beat and the tempo with each click. With --link, type a tempo (and, with "
      "--start-stop-sync, start or stop) and Enter to change the session for every peer");
  cmd->footer(rhythm_help("play"));
  add_rhythm_options(*cmd, raw->rhythm, RhythmCommand::play);
  add_client_name(*cmd, raw->name);
  add_midi_options(*cmd, raw->midi);
  add_transport_options(*cmd, raw->transport);
  // One port an occurrence: a list would swallow the rhythm's words after it.
  cmd->add_option("--connect", raw->connect,
                  "JACK input port to connect to, repeatable (default: the system's playback "
                  "ports)")
      ->allow_extra_args(false);
  cmd->add_option("--follow-connect", raw->follow_connect,
                  "JACK output port to connect to cacophony:in, repeatable (with --follow jack)")
      ->allow_extra_args(false);
  cmd->add_flag("--link", raw->link,
                "Join (or start) an Ableton Link session (a Link beat is a quarter note): take "
                "its tempo (yours, 20..999, is proposed when no session exists; default 120), "
                "click on its beat grid and follow its tempo changes. A map, a ramp, a count-in "
                "or subdivisions start on the session's next bar, and the map's tempo changes "
                "move every peer");
  cmd->add_option("--quantum", raw->quantum,
                  "With --link: Link beats (quarter notes) in a bar, 1..16 (default: the first "
                  "bar's length); a steady rhythm accents the bar's first beat (phase 0)");
  cmd->add_flag("--start-stop-sync", raw->start_stop_sync,
                "With --link: follow the session's start and stop, and start and stop it");
  cmd->add_flag("--quiet", raw->quiet, "Print nothing but errors");
  cmd->add_option("--osc", raw->osc,
                  "Listen for OSC on this UDP port, 1..65535 (/cacophony/tempo f, /tap, /start, "
                  "/stop, /meter ii, /volume f, /query, /register s; and klick's: "
                  "/klick/metro/start, /stop, /klick/simple/set_tempo f, /set_meter ii, "
                  "/set_pattern s, /tap, /klick/config/set_volume f, /klick/quit, the queries)");
  cmd->add_option("--osc-host", raw->osc_host, "The address --osc listens on")
      ->default_str(kOscHost);
  cmd->callback([raw, &action] {
    action = [raw] { return with_sound_errors([&raw] { return play_command(*raw); }); };
  });
}

}  // namespace cacophony::cli
