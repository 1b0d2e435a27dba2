// The corpus's samples: hydrogen-data's kits and notes rendered by fluidsynth, at any rate.

#include <sndfile.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

#include "cacophony/sound/samples.h"
#include "internal.h"

namespace cacophony::corpus::detail {
namespace {

const std::filesystem::path kKits = "/usr/share/hydrogen/data/drumkits";
const std::filesystem::path kSoundFont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
constexpr int kSampleRate = 44100;  // every kit's rate, and the rate fluidsynth renders at

const std::map<std::string, Voices>& table() {
  static const std::map<std::string, Voices> t = {
      {"kit",
       {{"GMRockKit/Kick-Hard.wav", "GMRockKit/Snare-Hard.wav", "GMRockKit/Kick-Med.wav",
         "GMRockKit/Snare-Hard.wav"},
        "GMRockKit/HatClosed-Med.wav",
        "GMRockKit/Snare-Softest.wav"}},
      {"snare-soft",
       {{"GMRockKit/Snare-Soft.wav"}, "GMRockKit/Snare-Soft.wav", "GMRockKit/Snare-Softest.wav"}},
      {"snare-hard",
       {{"GMRockKit/Snare-Hard.wav"}, "GMRockKit/Snare-Med.wav", "GMRockKit/Snare-Soft.wav"}},
      {"kick", {{"GMRockKit/Kick-Hard.wav"}, "GMRockKit/Kick-Med.wav", "GMRockKit/Kick-Soft.wav"}},
      {"hat-closed",
       {{"GMRockKit/HatClosed-Hard.wav"},
        "GMRockKit/HatClosed-Med.wav",
        "GMRockKit/HatClosed-Softest.wav"}},
      {"hat-open",
       {{"GMRockKit/HatOpen-Hard.wav"}, "GMRockKit/HatOpen-Med.wav", "GMRockKit/HatOpen-Soft.wav"}},
      {"clap",
       {{"Gimme A Hand 1.0/HandClap-Hard.wav"},
        "Gimme A Hand 1.0/HandClap-Med.wav",
        "Gimme A Hand 1.0/HandClap-Soft.wav"}},
      {"rimshot",
       {{"GMRockKit/SnareRimshot-Hard.wav"},
        "GMRockKit/SnareRimshot-Med.wav",
        "GMRockKit/SnareRimshot-Soft.wav"}},
      {"toms",
       {{"GMRockKit/Tom1-Hard.wav", "GMRockKit/Tom2-Hard.wav", "GMRockKit/TomFloor-Hard.wav",
         "GMRockKit/Tom2-Med.wav"},
        "GMRockKit/Tom1-Med.wav",
        "GMRockKit/Tom1-Soft.wav"}},
      {"cymbal",
       {{"GMRockKit/Crash-Med.wav", "GMRockKit/Ride-Med.wav"},
        "GMRockKit/Ride-Soft.wav",
        "GMRockKit/Ride-Softest.wav"}},
      {"808",
       {{"TR808EmulationKit/808_Kick_Long.flac", "TR808EmulationKit/808_Snare_1.flac",
         "TR808EmulationKit/808_Kick_Short.flac", "TR808EmulationKit/808_Snare_1.flac"},
        "TR808EmulationKit/808_Hat_Closed.flac",
        "TR808EmulationKit/808_Snare_2.flac"}},
      {"808-snare",
       {{"TR808EmulationKit/808_Snare_1.flac"},
        "TR808EmulationKit/808_Snare_1.flac",
        "TR808EmulationKit/808_Snare_2.flac"}},
      // General MIDI programs 13 (marimba, 12 from 0) and 25 (nylon guitar, 24).
      {"marimba", {{"fluid:12:72:110"}, "fluid:12:67:85", "fluid:12:72:45"}},
      {"guitar", {{"fluid:24:52:110"}, "fluid:24:59:90", "fluid:24:52:50"}},
  };
  return t;
}

std::vector<float> read_mono(const std::filesystem::path& path, int& rate) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) throw std::runtime_error("corpus: cannot read " + path.string());
  std::vector<float> all(static_cast<std::size_t>(info.frames * info.channels));
  const sf_count_t got = sf_readf_float(f, all.data(), info.frames);
  sf_close(f);
  rate = info.samplerate;
  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<float> mono(static_cast<std::size_t>(got));
  for (std::size_t i = 0; i < mono.size(); ++i) {
    float sum = 0;
    for (std::size_t c = 0; c < channels; ++c) sum += all[i * channels + c];
    mono[i] = sum / static_cast<float>(channels);
  }
  return mono;
}

// A standard MIDI file of one note (0.5 s at the default 120 bpm, then 1 s to ring).
std::string midi(int program, int note, int velocity) {
  const std::string track = {0x00,
                             static_cast<char>(0xC0),
                             static_cast<char>(program),
                             0x00,
                             static_cast<char>(0x90),
                             static_cast<char>(note),
                             static_cast<char>(velocity),
                             static_cast<char>(0x83),
                             0x60,
                             static_cast<char>(0x80),
                             static_cast<char>(note),
                             0x00,
                             static_cast<char>(0x87),
                             0x40,
                             static_cast<char>(0xFF),
                             0x2F,
                             0x00};
  std::string out = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0x01, static_cast<char>(0xE0)};
  out += {'M', 'T', 'r', 'k', 0, 0, 0, static_cast<char>(track.size())};
  return out + track;
}

// The note rendered dry (no reverb, no chorus) by fluidsynth, cached by its id.
std::filesystem::path rendered(const std::string& id) {
  int program = 0, note = 0, velocity = 0;
  if (std::sscanf(id.c_str(), "fluid:%d:%d:%d", &program, &note, &velocity) != 3)
    throw std::invalid_argument("corpus: bad note id " + id);
  const std::filesystem::path out = cache_dir() + "/note-" + std::to_string(program) + "-" +
                                    std::to_string(note) + "-" + std::to_string(velocity) + ".wav";
  if (std::filesystem::exists(out)) return out;
  const std::string stem = temp_stem();
  std::ofstream(stem + ".mid", std::ios::binary) << midi(program, note, velocity);
  const std::string command = "fluidsynth -ni -R 0 -C 0 -o audio.file.format=float -F '" + stem +
                              ".wav' -r " + std::to_string(kSampleRate) + " '" +
                              kSoundFont.string() + "' '" + stem + ".mid' >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  std::filesystem::remove(stem + ".mid");
  if (status != 0) throw std::runtime_error("corpus: fluidsynth failed on " + id);
  std::filesystem::rename(stem + ".wav", out);  // whole or not at all, for other processes
  return out;
}

Sample load(const std::string& id, int rate) {
  int from = 0;
  const auto path = id.starts_with("fluid:") ? rendered(id) : kKits / id;
  std::vector<float> in = read_mono(path, from);
  in.resize(std::min(in.size(), static_cast<std::size_t>(2 * from)));  // 2 s at most
  Sample s;
  if (from == rate) {
    s.samples = std::move(in);
  } else {
    sound::Resampler resampler(from, rate);
    resampler.convert(in, false, s.samples);
    resampler.convert({}, true, s.samples);
  }
  float peak = 0;
  for (const float v : s.samples) peak = std::max(peak, std::abs(v));
  if (peak == 0) throw std::runtime_error("corpus: silent sample " + id);
  for (float& v : s.samples) v /= peak;
  while (std::abs(s.samples[static_cast<std::size_t>(s.attack)]) < 0.1f) ++s.attack;
  return s;
}

}  // namespace

const Voices& voices(const std::string& instrument) {
  const auto it = table().find(instrument);
  if (it == table().end()) throw std::invalid_argument("corpus: no instrument " + instrument);
  return it->second;
}

const Sample& sample(const std::string& id, int rate) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, int>, Sample> loaded;
  const std::lock_guard lock(mutex);
  auto it = loaded.find({id, rate});
  if (it == loaded.end()) it = loaded.emplace(std::pair{id, rate}, load(id, rate)).first;
  return it->second;
}

std::string temp_stem() {
  static std::atomic<int> counter{0};
  return cache_dir() + "/tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

std::string cache_dir() {
  static const std::string dir = [] {
    std::filesystem::create_directories(CACOPHONY_CORPUS_CACHE);
    return std::string(CACOPHONY_CORPUS_CACHE);
  }();
  return dir;
}

}  // namespace cacophony::corpus::detail
