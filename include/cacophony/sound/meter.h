#pragma once
// Meter: where the metronome's volume comes from, asked once per beat.
//
// - `simulated`: a seeded random volume in 0..100 for each beat, the same for the same seed.
// - `file:PATH`: the EBU R128 momentary loudness (the last 400 ms) of a recording at the beat's
//   time, through libebur128; the recording is read with libsndfile (WAV, FLAC, OGG, ..., any
//   rate, mono or stereo) and fed sequentially up to each beat, so a render reads it once.
//   After its end the recording counts as silence.
//
// Loudness to volume: volume = clamp(round((lufs + 60) * 100 / 60), 0, 100): -60 LUFS or below
// -> 0, -30 LUFS -> 50, 0 LUFS -> 100; silence (-inf) -> 0.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

namespace cacophony::sound {

int loudness_to_volume(double lufs);

class Meter {
 public:
  virtual ~Meter() = default;
  // The volume for beat `beat`, which starts at `frame` of a track at `rate` samples per second.
  // Beats come in order.
  virtual int volume_at(std::int64_t beat, std::int64_t frame, int rate) = 0;
  // Called often (about every millisecond) on the meter's thread between beats, for meters that
  // must keep up with a live input.
  virtual void poll() {}
};

class SimulatedMeter final : public Meter {
 public:
  explicit SimulatedMeter(std::uint64_t seed) : random_(seed) {}
  int volume_at(std::int64_t beat, std::int64_t frame, int rate) override;

 private:
  std::mt19937_64 random_;
};

class FileMeter final : public Meter {
 public:
  // Opens and checks the whole recording; throws BadInput when it is missing, not audio or cut
  // short.
  explicit FileMeter(const std::filesystem::path& path);
  ~FileMeter() override;
  FileMeter(const FileMeter&) = delete;
  FileMeter& operator=(const FileMeter&) = delete;

  int rate() const { return rate_; }
  int channels() const { return channels_; }
  std::int64_t frames() const { return frames_; }

  // The momentary loudness, in LUFS, of the 400 ms before `file_frame` (-inf for silence).
  // `file_frame` never goes back.
  double loudness_at(std::int64_t file_frame);
  int volume_at(std::int64_t beat, std::int64_t frame, int rate) override;

 private:
  void feed_until(std::int64_t file_frame);

  struct Handles;  // libsndfile's and libebur128's
  std::unique_ptr<Handles> handles_;
  int rate_ = 0;
  int channels_ = 0;
  std::int64_t frames_ = 0;
  std::int64_t fed_ = 0;
  std::vector<float> buffer_;
};

// What a --meter spec names: "simulated", "file:PATH" or, for live play only, "jack" (the JACK
// sink's input, see jack_sink.h). Throws BadInput naming the accepted forms on anything else.
enum class MeterKind { simulated, file, jack };
MeterKind meter_kind(std::string_view spec, bool live);

// A "simulated" or "file:PATH" meter; throws BadInput on anything else.
std::unique_ptr<Meter> make_meter(std::string_view spec, std::uint64_t seed);

// The path of a "file:PATH" spec, or empty.
std::filesystem::path meter_file(std::string_view spec);

}  // namespace cacophony::sound
