#include "options/rhythm_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "cacophony/rhythm/parse.h"
#include "cacophony/sound/samples.h"
#include "io/output_file.h"
#include "io/voice.h"
#include "options/command_model.h"
#include "options/options.h"

namespace cacophony::cli {
namespace {

constexpr int kDefaultVolume = 80;

UsageError worded(const rhythm::RhythmError& e) {
  if (e.source.empty()) return UsageError(fmt::format("rhythm: {}", e.problem));
  if (e.line == 0) return UsageError(fmt::format("{}: {}", e.source, e.problem));
  return UsageError(fmt::format("{}:{}: {}", e.source, e.line, e.problem));
}

// The preset `name` (@name), from the presets file.
rhythm::Performance preset(const std::string& name) {
  const std::filesystem::path file = config_file("presets");
  if (!std::filesystem::exists(file))
    throw UsageError(fmt::format("no preset '{}': there is no {} (--save-preset NAME makes one)",
                                 name, file.string()));
  for (const rhythm::NamedRhythm& named : rhythm::read_named_rhythms(file))
    if (named.name == name) return rhythm::performance_of(named);
  throw UsageError(fmt::format("no preset '{}' in {}", name, file.string()));
}

// The rhythm itself, from exactly one of: words (or @preset), --map, --bpm.
rhythm::Performance base_rhythm(const RawRhythm& raw, double fallback_bpm) {
  const int given = !raw.words.empty() + !raw.map.empty() + !raw.bpm.empty();
  if (given > 1)
    throw UsageError("give the rhythm once: as words (e.g. 4/4 120), --map FILE or --bpm N");
  if (!raw.from.empty() && raw.map.empty()) throw UsageError("--from needs --map");
  if (!raw.map.empty()) {
    rhythm::Performance map = rhythm::read_map(raw.map);
    if (raw.from.empty()) return map;  // moved, not copied: a map may hold millions of sections
    return rhythm::start_at(map, raw.from, raw.map);
  }
  if (raw.words.size() == 1 && raw.words.front().starts_with('@'))
    return preset(raw.words.front().substr(1));
  if (!raw.words.empty()) return rhythm::parse_words(raw.words);
  double bpm = fallback_bpm;
  if (!raw.bpm.empty()) bpm = parse_real("--bpm", raw.bpm, rhythm::Tempo::kMin, rhythm::kMaxTempo);
  if (bpm <= 0)
    throw UsageError(
        "give a rhythm: words such as 8 4/4 120 or 7/8 160 X.xX.x., --map FILE, or "
        "--bpm N (see --help)");
  rhythm::Section endless;
  endless.beats = rhythm::kEndless;
  endless.tempo = rhythm::Tempo::constant(bpm);
  rhythm::Performance p;
  p.sections.push_back(endless);
  return p;
}

// --scale, -e/-E and --delay, as klick's -x, -e/-E and -d.
void apply_klick_switches(const RawRhythm& raw, rhythm::Performance& p) {
  if (!raw.scale.empty())
    rhythm::scale_tempo(p, parse_real("--scale", raw.scale, 0.1, 10), raw.map);
  if (raw.no_accents && raw.all_accents)
    throw UsageError("--no-accents and --all-accents: give one");
  rhythm::set_emphasis(p, raw.no_accents    ? rhythm::Emphasis::none
                          : raw.all_accents ? rhythm::Emphasis::all
                                            : rhythm::Emphasis::as_written);
  if (!raw.delay.empty())
    p.feel.delay = parse_real("--delay", raw.delay, 0, rhythm::Feel::kMaxDelay);
}

}  // namespace

std::string rhythm_help(const std::string& command) {
  const std::string out = command == "render" ? " --out click.wav" : "";
  return fmt::format(
      "\nThe rhythm, as klick takes it: [bars] [meter] tempo[-tempo2[/accel]] [pattern]\n"
      "  bars     how many bars (1..100000){2}\n"
      "  meter    n/d: n beats of 1/d notes (n 1..{4}; d 1, 2, 4, 8, 16, 32); default 4/4\n"
      "  tempo    quarter notes per minute, 1..{5:g}, fractions allowed (92.5)\n"
      "           tempo-tempo2/accel: 1 bpm faster every accel bars, up to tempo2\n"
      "           tempo-tempo2: a ramp across the bars\n"
      "  pattern  X accent, x normal, . rest, one per beat; default X then x\n"
      "  voices   a polyrhythm: +CLICKS[:PATTERN][@VOLUME], up to three (+3 in 4/4: 3 against 4)\n"
      "Or --map FILE, a klick tempo map (one section a line: [label:] bars [meter]\n"
      "tempo[-tempo2 | ,t1,t2,...] [pattern] [volume] [voices]), or --bpm N [--beats N].\n"
      "Examples:\n"
      "  {3} {0} 7/8 160 X.xX.x.{1}\n"
      "  {3} {0} 32 4/4 80-120/4{1}    (a speed trainer)\n"
      "  {3} {0} 8 4/4 90 +3 +5:X.x.x@0.6{1}    (3 and 5 against 4)\n"
      "  {3} {0} --map song.txt --count-in 1{1}\n",
      command, out, command == "render" ? "; render needs an end" : "; without, until stopped",
      program_name(), rhythm::Meter::kMaxBeats, rhythm::kMaxTempo);
}

namespace {

// The rhythm and its feel: every rhythm command's.
void add_rhythm(CLI::App& cmd, RawRhythm& raw) {
  cmd.add_option("rhythm", raw.words,
                 "The rhythm: [bars] [meter] tempo[-tempo2[/accel]] [pattern]");
  takes_file(cmd.add_option("--map", raw.map, "A klick tempo map file"));
  cmd.add_option("--from", raw.from,
                 "With --map: start at the (first) section with this label (klick's -l)");
  cmd.add_option("--bpm", raw.bpm,
                 fmt::format("Shorthand: 4/4 at this tempo, 1..{:g}", rhythm::kMaxTempo));
  cmd.add_option("--beats", raw.beats, "Stop after this many beats, 1..10000000");
  cmd.add_option("-x,--scale", raw.scale,
                 "Multiply every tempo by this factor, as klick's -x (0.8: a song map at 80 %); "
                 "a ramp keeps its length in beats");
  cmd.add_option("--subdivide", raw.subdivide,
                 "Clicks per beat, 1..8 (2 eighths, 3 triplets, 4 sixteenths), softer")
      ->capture_default_str();
  cmd.add_option("--swing", raw.swing,
                 "Delay every second subdivision, 50..75 % (needs --subdivide 2 or more)")
      ->capture_default_str();
  cmd.add_option("--count-in", raw.count_in,
                 fmt::format("Count in this many bars (0: two beats), 0..{}, in sounds of its own, "
                             "its accents brighter",
                             rhythm::Feel::kMaxCountIn));
}

// The click's sound: for the commands that play one.
void add_click(CLI::App& cmd, RawRhythm& raw) {
  cmd.add_option("--volume", raw.volume,
                 fmt::format("A steady volume, 0..100 (default {})", kDefaultVolume));
  takes_file(cmd.add_option("--sounds", raw.sounds,
                            "Click samples ACCENT.wav[,NORMAL.wav], any rate (resampled)"));
  takes_one_of(cmd.add_option("-s,--sound-set", raw.sound_set,
                              "The built-in clicks' timbre: tone (default), square, sine, noise "
                              "or wood; klick's numbers 0..3 (square, sine, noise, wood) too"),
               "tone|square|sine|noise|wood|0|1|2|3");
  cmd.add_option("-w,--pitch", raw.pitch,
                 "Multiply the built-in clicks' pitch, 0.25..4: ACCENTS[,OTHERS], as klick's -w");
}

// What only render and play take.
void add_playing(CLI::App& cmd, RawRhythm& raw, bool live) {
  takes_one_of(
      cmd.add_option("--follow", raw.follow,
                     live ? "Follow a loudness instead: simulated (seeded random), file:PATH (a "
                            "recording's momentary loudness) or jack (the input port NAME:in)"
                          : "Follow a loudness instead: simulated (seeded random) or file:PATH (a "
                            "recording's momentary loudness)"),
      live ? "simulated|file:PATH|jack" : "simulated|file:PATH");
  takes_file(cmd.add_option("--setlist", raw.setlist,
                            "Play a setlist's songs one after another (a line each, NAME: RHYTHM "
                            "or NAME: map FILE); keys n and p go to the next and previous song "
                            "at the next bar"));
  cmd.add_option("--song", raw.song, "With --setlist: start at this song (default: the first)");
  cmd.add_flag("-e,--no-accents", raw.no_accents,
               "Play every accent as a normal beat (klick's -e)");
  cmd.add_flag("-E,--all-accents", raw.all_accents,
               "Play every beat in the accent's sound, rests still rests (klick's -E)");
  cmd.add_option("-d,--delay", raw.delay,
                 fmt::format("Seconds of silence before the first click (the count-in's), "
                             "0..{:g}, as klick's -d",
                             rhythm::Feel::kMaxDelay));
}

std::vector<std::filesystem::path> sample_files(const RawRhythm& raw) {
  std::vector<std::filesystem::path> files;
  if (raw.sounds.empty()) return files;
  const std::size_t comma = raw.sounds.find(',');
  files.emplace_back(raw.sounds.substr(0, comma));
  if (comma != std::string::npos) files.emplace_back(raw.sounds.substr(comma + 1));
  for (const auto& file : files)
    if (file.empty() || file.string().find(',') != std::string::npos)
      throw UsageError(
          fmt::format("--sounds takes ACCENT.wav or ACCENT.wav,NORMAL.wav, got '{}'", raw.sounds));
  return files;
}

sound::Timbre timbre_of(const std::string& name) {
  using sound::Timbre;
  static const std::vector<std::pair<std::string, Timbre>> kNames = {{"tone", Timbre::tone},
                                                                     {"square", Timbre::square},
                                                                     {"sine", Timbre::sine},
                                                                     {"noise", Timbre::noise},
                                                                     {"wood", Timbre::wood},
                                                                     // klick's -s numbers
                                                                     {"0", Timbre::square},
                                                                     {"1", Timbre::sine},
                                                                     {"2", Timbre::noise},
                                                                     {"3", Timbre::wood}};
  for (const auto& [word, timbre] : kNames)
    if (word == name) return timbre;
  throw UsageError(fmt::format(
      "--sound-set takes tone, square, sine, noise or wood (or klick's 0..3), got '{}'", name));
}

// --pitch ACCENTS[,OTHERS] into `style`.
void read_pitch(const std::string& text, sound::ClickStyle& style) {
  const std::size_t comma = text.find(',');
  const auto factor = [&](const std::string& part) {
    return parse_real("--pitch", part, sound::ClickStyle::kMinPitch, sound::ClickStyle::kMaxPitch);
  };
  style.accent_pitch = factor(text.substr(0, comma));
  style.normal_pitch =
      comma == std::string::npos ? style.accent_pitch : factor(text.substr(comma + 1));
}

}  // namespace

void add_rhythm_options(CLI::App& cmd, RawRhythm& raw, RhythmCommand which) {
  add_rhythm(cmd, raw);
  if (which != RhythmCommand::analyze) add_click(cmd, raw);
  if (which == RhythmCommand::play || which == RhythmCommand::render)
    add_playing(cmd, raw, which == RhythmCommand::play);
  const bool mutes = which == RhythmCommand::practice || which == RhythmCommand::analyze;
  cmd.add_option("--seed", raw.seed, mutes ? "Seed of --mute-random" : "Seed of --follow simulated")
      ->capture_default_str();
}

void add_client_name(CLI::App& cmd, std::string& name) {
  cmd.add_option("-n,--name", name,
                 "The JACK client's name, as klick's -n; its ports are NAME:out and NAME:in")
      ->capture_default_str();
}

ClickChoice click_choice(const RawRhythm& raw) {
  ClickChoice choice;
  choice.samples = sample_files(raw);
  if (!choice.samples.empty() && (!raw.sound_set.empty() || !raw.pitch.empty()))
    throw UsageError(
        "--sounds plays your samples; --sound-set and --pitch change the built-in clicks: give "
        "one");
  if (!raw.sound_set.empty()) choice.style.timbre = timbre_of(raw.sound_set);
  if (!raw.pitch.empty()) read_pitch(raw.pitch, choice.style);
  return choice;
}

sound::ClickSounds click_sounds(const ClickChoice& choice, int rate) {
  if (!choice.samples.empty()) return sound::load_sounds(choice.samples, rate);
  try {
    return sound::ClickSounds::synthesised(rate, choice.style);
  } catch (const std::invalid_argument&) {
    double highest = 0;
    for (std::size_t k = 0; k < sound::kClickKinds; ++k)
      highest = std::max(
          highest, sound::Click::frequency_hz(static_cast<sound::ClickKind>(k), choice.style));
    throw UsageError(fmt::format(
        "--pitch puts a click at {:.0f} Hz, too high for {} Hz (the clicks must stay under "
        "{:.0f} Hz)",
        highest, rate, 0.5 * rate));
  }
}

void declare_inputs(const RawRhythm& raw) {
  if (!raw.map.empty()) declare_input("--map", raw.map);
  if (!raw.setlist.empty()) declare_input("--setlist", raw.setlist);
  std::string_view sounds = raw.sounds;
  while (!sounds.empty()) {
    const std::size_t comma = std::min(sounds.find(','), sounds.size());
    declare_input("--sounds", std::string(sounds.substr(0, comma)));
    sounds.remove_prefix(std::min(comma + 1, sounds.size()));
  }
  constexpr std::string_view kFile = "file:";
  if (raw.follow.starts_with(kFile)) declare_input("--follow", raw.follow.substr(kFile.size()));
}

namespace {

// The feel and klick's switches over `p`, as the options say.
rhythm::Performance with_feel(const RawRhythm& raw, rhythm::Performance p, RhythmRules rules) {
  try {
    if (!raw.beats.empty())
      p = rhythm::limit_beats(p, parse_count("--beats", raw.beats, 1, 10'000'000));
    p.feel.subdivide = static_cast<int>(parse_count("--subdivide", raw.subdivide, 1, 8));
    p.feel.swing = parse_real("--swing", raw.swing, 50, 75);
    if (p.feel.swing != 50 && p.feel.subdivide == 1)
      throw UsageError("--swing delays every second subdivision: give --subdivide 2 or more");
    apply_klick_switches(raw, p);
    if (!raw.count_in.empty())
      p.feel.count_in =
          static_cast<int>(parse_count("--count-in", raw.count_in, 0, rhythm::Feel::kMaxCountIn));
    if (rules.ending == RhythmRules::Ending::required &&
        p.sections.back().beats == rhythm::kEndless)
      throw UsageError("the rhythm has no end: give bars (e.g. 8 4/4 120), --beats N or --map");
    rhythm::check(p);
    return p;
  } catch (const rhythm::RhythmError& e) {
    throw worded(e);
  }
}

}  // namespace

rhythm::Performance performance_of(const RawRhythm& raw, RhythmRules rules) {
  if (!raw.setlist.empty())
    throw UsageError("--setlist plays songs: this command takes one rhythm");
  if (!raw.song.empty()) throw UsageError("--song needs --setlist");
  rhythm::Performance base;
  try {
    base = base_rhythm(raw, rules.fallback_bpm);
  } catch (const rhythm::RhythmError& e) {
    throw worded(e);
  }
  return with_feel(raw, std::move(base), rules);
}

Setlist setlist_of(const RawRhythm& raw) {
  if (!raw.words.empty() || !raw.map.empty() || !raw.bpm.empty())
    throw UsageError("give the rhythm once: as words, --map FILE, --bpm N or --setlist FILE");
  if (!raw.beats.empty())
    throw UsageError("--beats cuts one rhythm; a setlist's songs end by themselves");
  std::vector<rhythm::NamedRhythm> named;
  try {
    named = rhythm::read_named_rhythms(raw.setlist);
  } catch (const rhythm::RhythmError& e) {
    throw worded(e);
  }
  Setlist set;
  for (const rhythm::NamedRhythm& song : named) {
    if (song.name == raw.song) set.first = set.songs.size();
    rhythm::Performance p = with_feel(raw, rhythm::performance_of(song), {});
    if (p.sections.back().beats == rhythm::kEndless)
      throw UsageError(fmt::format("{}:{}: the song '{}' has no end: give it bars", raw.setlist,
                                   song.line, song.name));
    set.songs.push_back({song.name, std::move(p)});
  }
  if (!raw.song.empty() && set.songs[set.first].name != raw.song)
    throw UsageError(fmt::format("--song: no song '{}' in {}", raw.song, raw.setlist));
  return set;
}

VolumeChoice volume_of(const RawRhythm& raw, Playing playing) {
  VolumeChoice choice;
  choice.seed = parse_seed(raw.seed);
  if (!raw.follow.empty() && !raw.volume.empty())
    throw UsageError(
        "--volume sets a steady click; --follow sets the volume from a loudness: "
        "give one");
  if (!raw.follow.empty()) {
    choice.follow = true;
    choice.followed = parse_meter(raw.follow, playing == Playing::live);
  } else if (!raw.volume.empty()) {
    choice.volume = static_cast<int>(parse_count("--volume", raw.volume, 0, 100));
  } else {
    choice.volume = kDefaultVolume;
  }
  return choice;
}

std::unique_ptr<sound::Meter> make_volume_meter(const VolumeChoice& choice) {
  if (!choice.follow) return std::make_unique<sound::SteadyMeter>(choice.volume);
  return make_meter(choice.followed, choice.seed);
}

}  // namespace cacophony::cli
