#pragma once
// FileMeter: the EBU R128 momentary loudness (the last 400 ms) of a recording at each beat's
// time. The recording is read with libsndfile (WAV, FLAC, OGG, ..., at Loudness::kMinRate or
// more, mono or stereo) and fed sequentially up to each beat, so a render reads it once. After its
// end the recording counts as silence.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "cacophony/sound/loudness.h"
#include "cacophony/sound/meter.h"

namespace cacophony::sound {

class FileMeter final : public Meter {
 public:
  // Opens and checks the whole recording; throws BadRecording (error.h) when it is missing, not
  // audio, cut short or not measurable.
  explicit FileMeter(const std::filesystem::path& path);
  ~FileMeter() override;
  FileMeter(const FileMeter&) = delete;
  FileMeter& operator=(const FileMeter&) = delete;

  int rate() const { return rate_; }
  int channels() const { return channels_; }
  std::int64_t frames() const { return frames_; }

  // The momentary loudness, in LUFS, of the 400 ms before `file_frame` (-inf for silence, and
  // from 400 ms after the recording's end on). `file_frame` never goes back.
  double loudness_at(std::int64_t file_frame);
  int volume_at(std::int64_t beat, std::int64_t frame, int rate) override;

 private:
  void check_whole(const std::filesystem::path& path);
  void feed_until(std::int64_t file_frame);

  struct File;  // libsndfile's handle
  std::unique_ptr<File> file_;
  std::unique_ptr<Loudness> loudness_;
  int rate_ = 0;
  int channels_ = 0;
  std::int64_t frames_ = 0;
  std::int64_t fed_ = 0;
  std::vector<float> buffer_;
};

}  // namespace cacophony::sound
