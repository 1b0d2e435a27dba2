#include "cacophony/sound/output_formats.h"

#include <fcntl.h>
#include <sndfile.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cacophony/sound/error.h"
#include "cacophony/sound/render.h"

namespace cacophony::sound {
namespace {

// The names users give a container besides the one libsndfile lists, each with its codec (0: the
// container's usual one).
struct Alias {
  int container;
  const char* extension;
  int codec;
};
constexpr std::array kAliases{
    Alias{SF_FORMAT_AIFF, ".aif", 0},
    Alias{SF_FORMAT_OGG, ".ogg", 0},
    Alias{SF_FORMAT_OGG, ".opus", SF_FORMAT_OPUS},
    Alias{SF_FORMAT_MPEG, ".mp3", 0},
};

// The codec a container is expected in when it does not take 16-bit PCM.
constexpr std::array<std::pair<int, int>, 2> kOwnCodecs{{
    {SF_FORMAT_OGG, SF_FORMAT_VORBIS},
    {SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III},
}};

SF_INFO mono(int format, int rate) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = format;
  return info;
}

bool checks(int format) {
  const SF_INFO info = mono(format, kDefaultRate);
  return sf_format_check(&info) != 0;
}

SF_FORMAT_INFO format_info(int command, int index) {
  SF_FORMAT_INFO info{};
  info.format = index;
  sf_command(nullptr, command, &info, sizeof info);
  return info;
}

int count_of(int command) {
  int count = 0;
  sf_command(nullptr, command, &count, sizeof count);
  return count;
}

// The first codec libsndfile lists that `container` takes; 0 if none.
int first_codec(int container) {
  const int count = count_of(SFC_GET_FORMAT_SUBTYPE_COUNT);
  for (int i = 0; i < count; ++i) {
    const int codec = format_info(SFC_GET_FORMAT_SUBTYPE, i).format;
    if (checks(container | codec)) return codec;
  }
  return 0;
}

int codec_for(int container) {
  if (checks(container | SF_FORMAT_PCM_16)) return SF_FORMAT_PCM_16;
  for (const auto& [with, codec] : kOwnCodecs)
    if (with == container && checks(container | codec)) return codec;
  return first_codec(container);
}

// A descriptor, closed when done.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// MPEG layer III's rates (MPEG-1, 2 and 2.5). Asked for another, libsndfile's MPEG writer fails
// to open and leaks LAME's encoder (LeakSanitizer finds it): it is not asked.
bool mpeg_takes(int rate) {
  constexpr std::array kRates{8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000};
  return std::find(kRates.begin(), kRates.end(), rate) != kRates.end();
}

SNDFILE* open_to_write(int fd, int format, int rate) {
  if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG && !mpeg_takes(rate)) return nullptr;
  SF_INFO info = mono(format, rate);
  return sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);
}

constexpr sf_count_t kProbeFrames = 4800;  // 9.6 kB at 16 bits: well within a pipe's 64 kB

// Writes kProbeFrames of a tone into `fd` in `format` at `rate`: does libsndfile write it?
bool write_tone(int fd, int format, int rate) {
  SNDFILE* sf = open_to_write(fd, format, rate);
  if (sf == nullptr) return false;
  std::vector<short> tone(kProbeFrames);
  for (std::size_t i = 0; i < tone.size(); ++i) tone[i] = static_cast<short>(i % 200 * 100 - 10000);
  const bool wrote = sf_writef_short(sf, tone.data(), kProbeFrames) == kProbeFrames;
  return sf_close(sf) == 0 && wrote;
}

// Does `fd`, from its start, decode to mono at `rate`, the whole tone, however many frames its
// header claims? (MP3 through a pipe decodes to a fraction of what was written.)
bool reads_back(int fd, int rate) {
  SF_INFO info{};
  SNDFILE* sf = sf_open_fd(fd, SFM_READ, &info, SF_FALSE);
  if (sf == nullptr) return false;
  std::vector<short> block(kProbeFrames);
  sf_count_t frames = 0;
  if (info.channels == 1)
    for (sf_count_t n = 0; (n = sf_readf_short(sf, block.data(), kProbeFrames)) > 0;) frames += n;
  sf_close(sf);
  return info.samplerate == rate && frames >= kProbeFrames;
}

// Does `format` at `rate` read back as written, by descriptor as render writes? In a file in
// memory: a probe by name, or through libsndfile's virtual I/O, may leave files (SD2's resource
// fork), and a container with a fixed rate takes another without a word (WVE, XI).
bool round_trips(int format, int rate) {
  const Descriptor file(memfd_create("cacophony-probe", MFD_CLOEXEC));
  return file.fd() >= 0 && write_tone(file.fd(), format, rate) &&
         lseek(file.fd(), 0, SEEK_SET) == 0 && reads_back(file.fd(), rate);
}

// What came out of `pipe`'s reading end, in a file in memory, read from its start; -1 if none.
int copy_to_memory(int pipe) {
  const int file = memfd_create("cacophony-probe", MFD_CLOEXEC);
  char buffer[4096];
  for (ssize_t n = 0; file >= 0 && (n = read(pipe, buffer, sizeof buffer)) > 0;)
    if (write(file, buffer, static_cast<std::size_t>(n)) != n) break;
  if (file >= 0) lseek(file, 0, SEEK_SET);
  return file;
}

// Does `format` written into a pipe read back? libsndfile refuses a pipe for some containers,
// and leaves others' lengths as it wrote them before the audio (none, for some). The pipe does
// not block: what would not fit in it fails.
bool round_trips_a_pipe(int format) {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  const Descriptor reader(ends[0]);
  {
    const Descriptor writer(ends[1]);
    if (!write_tone(writer.fd(), format, kDefaultRate)) return false;
  }
  const Descriptor copy(copy_to_memory(reader.fd()));
  return copy.fd() >= 0 && reads_back(copy.fd(), kDefaultRate);
}

std::string name_of(int format) {
  SF_FORMAT_INFO container{}, codec{};
  container.format = format & SF_FORMAT_TYPEMASK;
  codec.format = format & SF_FORMAT_SUBMASK;
  sf_command(nullptr, SFC_GET_FORMAT_INFO, &container, sizeof container);
  sf_command(nullptr, SFC_GET_FORMAT_INFO, &codec, sizeof codec);
  return std::string(container.name ? container.name : "?") + ", " +
         (codec.name ? codec.name : "?");
}

void add(std::vector<OutputFormat>& formats, std::string extension, int format) {
  const bool known = std::any_of(formats.begin(), formats.end(),
                                 [&](const OutputFormat& f) { return f.extension == extension; });
  if (!known && round_trips(format, kDefaultRate))
    formats.push_back({std::move(extension), format, name_of(format)});
}

std::vector<OutputFormat> discover() {
  std::vector<OutputFormat> formats;
  const int count = count_of(SFC_GET_FORMAT_MAJOR_COUNT);
  for (int i = 0; i < count; ++i) {
    const SF_FORMAT_INFO major = format_info(SFC_GET_FORMAT_MAJOR, i);
    const int codec = codec_for(major.format);
    if (major.format == SF_FORMAT_RAW || codec == 0) continue;
    add(formats, std::string(".") + major.extension, major.format | codec);
    for (const Alias& alias : kAliases)
      if (alias.container == major.format)
        add(formats, alias.extension, major.format | (alias.codec ? alias.codec : codec));
  }
  return formats;
}

std::string lower_extension(const std::filesystem::path& out) {
  std::string ext = out.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

template <typename Keep>
std::string extensions(Keep keep) {
  std::string list;
  for (const OutputFormat& f : output_formats())
    if (keep(f)) list += (list.empty() ? "" : " ") + f.extension;
  return list;
}

}  // namespace

const std::vector<OutputFormat>& output_formats() {
  static const std::vector<OutputFormat> formats = discover();
  return formats;
}

std::string output_extensions() {
  return extensions([](const OutputFormat&) { return true; });
}

const OutputFormat& output_format(const std::filesystem::path& out, int rate) {
  const std::string ext = lower_extension(out);
  const auto& formats = output_formats();
  const auto found = std::find_if(formats.begin(), formats.end(),
                                  [&](const OutputFormat& f) { return f.extension == ext; });
  if (found == formats.end()) throw BadOutput(out, BadOutput::Why::extension);
  // It reads back at kDefaultRate (discover()): only the rate can keep it from doing so at `rate`.
  if (rate != kDefaultRate && !round_trips(found->format, rate))
    throw BadOutput(out, BadOutput::Why::rate, {}, rate);
  return *found;
}

bool streams(const OutputFormat& format) {
  static std::mutex mutex;
  static std::map<int, bool> known;
  const std::lock_guard lock(mutex);
  const auto [at, added] = known.try_emplace(format.format, false);
  if (added) at->second = round_trips_a_pipe(format.format);
  return at->second;
}

std::string streaming_extensions() {
  return extensions([](const OutputFormat& f) { return streams(f); });
}

}  // namespace cacophony::sound
