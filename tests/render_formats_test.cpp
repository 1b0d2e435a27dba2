// render's output formats: every container this machine's libsndfile writes, picked by the
// output's extension, read back with libsndfile; and the extensions and rates it refuses.

#include <gtest/gtest.h>
#include <sndfile.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "cacophony/sound/output_formats.h"
#include "support/command.h"
#include "support/folder.h"

namespace {

using cacophony::sound::output_extensions;
using cacophony::sound::output_formats;
using cacophony::sound::OutputFormat;
using cacophony::test_support::CommandResult;
using cacophony::test_support::run_cacophony;

const std::string kError = "cacophony: error: ";
constexpr int kRate = 48000;
constexpr std::int64_t kMs = kRate / 1000;

struct Decoded {
  int format = 0;
  int channels = 0;
  int rate = 0;
  std::vector<short> samples;
};

Decoded decode(const std::string& path) {
  SF_INFO info{};
  SNDFILE* sf = sf_open(path.c_str(), SFM_READ, &info);
  EXPECT_NE(sf, nullptr) << path << ": " << sf_strerror(nullptr);
  if (sf == nullptr) return {};
  Decoded d{info.format, info.channels, info.samplerate, {}};
  std::vector<short> block(4096 * static_cast<std::size_t>(info.channels));
  for (sf_count_t n = 0; (n = sf_readf_short(sf, block.data(), 4096)) > 0;)
    d.samples.insert(d.samples.end(), block.begin(), block.begin() + n * info.channels);
  sf_close(sf);
  return d;
}

// The first frame at or over `level` (in magnitude); -1 if none.
std::int64_t first_at(const std::vector<short>& samples, int level) {
  const auto at = std::find_if(samples.begin(), samples.end(),
                               [&](short s) { return std::abs(static_cast<int>(s)) >= level; });
  return at == samples.end() ? -1 : at - samples.begin();
}

// A tenth of the loudest sample: an onset a lossy codec's ringing before it does not move.
int onset_level(const std::vector<short>& samples) {
  int peak = 0;
  for (short s : samples) peak = std::max(peak, std::abs(static_cast<int>(s)));
  return peak / 10;
}

bool lossless(const OutputFormat& f) {
  const int codec = f.format & SF_FORMAT_SUBMASK;
  return codec == SF_FORMAT_PCM_16 || codec == SF_FORMAT_DPCM_16;
}

CommandResult render_to(const cacophony::test_support::Folder& dir, const std::string& name,
                        const std::string& more = "") {
  return run_cacophony("render 1 4/4 120 " + more + "--out " + dir.at(name));
}

bool offered(const std::string& extension) {
  const auto& all = output_formats();
  return std::any_of(all.begin(), all.end(),
                     [&](const OutputFormat& f) { return f.extension == extension; });
}

TEST(RenderFormats, TheUsualContainersAreOfferedAndRawIsNot) {
  for (const char* ext : {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aiff", ".aif", ".au",
                          ".caf", ".w64", ".rf64"})
    EXPECT_TRUE(offered(ext)) << ext << " in " << output_extensions();
  EXPECT_FALSE(offered(".raw"));
  std::string listed;
  for (const OutputFormat& f : output_formats())
    listed += (listed.empty() ? "" : " ") + f.extension;
  EXPECT_EQ(output_extensions(), listed);
}

// Each container holds the same clicks: to the frame where its codec is lossless, within 1 ms
// where it is not.
TEST(RenderFormats, EveryContainerReadsBackAsItselfWithTheSameClicks) {
  cacophony::test_support::Folder dir("render_formats_");
  ASSERT_EQ(render_to(dir, "click.wav").code, 0);
  const Decoded wav = decode(dir.at("click.wav"));
  const std::int64_t wav_first = first_at(wav.samples, 1);
  const std::int64_t wav_onset = first_at(wav.samples, onset_level(wav.samples));
  ASSERT_GT(wav_first, -1);
  for (const OutputFormat& f : output_formats()) {
    const std::string name = "click" + f.extension;
    const CommandResult r = render_to(dir, name);
    ASSERT_EQ(r.code, 0) << name << ": " << r.out;
    const Decoded got = decode(dir.at(name));
    EXPECT_EQ(got.format & SF_FORMAT_TYPEMASK, f.format & SF_FORMAT_TYPEMASK) << name;
    EXPECT_EQ(got.channels, 1) << name;
    EXPECT_EQ(got.rate, kRate) << name;
    const auto frames = static_cast<std::int64_t>(got.samples.size());
    if (lossless(f)) {
      EXPECT_EQ(frames, static_cast<std::int64_t>(wav.samples.size())) << name;
      EXPECT_EQ(first_at(got.samples, 1), wav_first) << name;
      EXPECT_EQ(got.samples, wav.samples) << name;
    } else {
      EXPECT_NEAR(frames, static_cast<std::int64_t>(wav.samples.size()), 5 * kMs) << name;
      EXPECT_NEAR(first_at(got.samples, onset_level(got.samples)), wav_onset, kMs) << name;
    }
    std::filesystem::remove(dir / name);
  }
}

TEST(RenderFormats, TheExtensionsCaseAndAliasesPickTheContainerAndItsCodec) {
  cacophony::test_support::Folder dir("render_formats_");
  const std::vector<std::pair<std::string, int>> cases{
      {"a.WAV", SF_FORMAT_WAV | SF_FORMAT_PCM_16},
      {"b.Aif", SF_FORMAT_AIFF | SF_FORMAT_PCM_16},
      {"c.OGG", SF_FORMAT_OGG | SF_FORMAT_VORBIS},
      {"d.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS},
      {"e.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III},
      {"f.caf", SF_FORMAT_CAF | SF_FORMAT_PCM_16},
  };
  for (const auto& [name, format] : cases) {
    ASSERT_EQ(render_to(dir, name).code, 0) << name;
    EXPECT_EQ(decode(dir.at(name)).format & (SF_FORMAT_TYPEMASK | SF_FORMAT_SUBMASK), format)
        << name;
  }
}

TEST(RenderFormats, AnUnknownExtensionIsRefusedWithTheListOfKnownOnes) {
  cacophony::test_support::Folder dir("render_formats_");
  for (const char* name : {"click.xyz", "click.raw", "click"}) {
    const CommandResult r = render_to(dir, name);
    EXPECT_EQ(r.code, 2) << name;
    EXPECT_EQ(r.out, kError + "cannot write '" + dir.at(name) +
                         "': the output must end in one of " + output_extensions() + "\n");
  }
  EXPECT_TRUE(dir.names().empty());
}

TEST(RenderFormats, AContainerThatDoesNotTakeTheRateIsRefusedBeforeWriting) {
  cacophony::test_support::Folder dir("render_formats_");
  const std::vector<std::pair<std::string, int>> cases{{"click.opus", 44100}, {"click.mp3", 96000}};
  for (const auto& [name, rate] : cases) {
    const CommandResult r = render_to(dir, name, "--rate " + std::to_string(rate) + " ");
    EXPECT_EQ(r.code, 2) << name;
    EXPECT_EQ(r.out, kError + "cannot write '" + dir.at(name) + "': a " +
                         name.substr(name.find('.')) + " file does not take " +
                         std::to_string(rate) + " Hz\n");
  }
  EXPECT_TRUE(dir.names().empty());
  ASSERT_EQ(render_to(dir, "click.opus", "--rate 24000 ").code, 0);
  EXPECT_EQ(decode(dir.at("click.opus")).rate, 24000);
}

// A container with 32-bit sizes holds 4 GB, FLAC 2^36 samples; no render is longer than 2^36
// frames.
TEST(RenderFormats, ARenderTooLongForAnyFileIsRefusedInTheContainersWords) {
  cacophony::test_support::Folder dir("render_formats_");
  const std::string hours = "the rhythm lasts 166666.7 hours, ";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"long.ogg", "more than render writes into one file (2^36 frames)"},
      {"long.caf", "more than render writes into one file (2^36 frames)"},
      {"long.flac", "more than a FLAC file holds"},
      {"long.wav", "more than a .wav file holds (4 GB): write .flac"},
      {"long.AIFF", "more than a .aiff file holds (4 GB): write .flac"},
      {"long.au", "more than a .au file holds (4 GB): write .flac"},
  };
  for (const auto& [name, words] : cases) {
    const CommandResult r = run_cacophony("render --bpm 1 --beats 10000000 --out " + dir.at(name));
    EXPECT_EQ(r.code, 2) << name;
    EXPECT_EQ(r.out, kError + hours + words + "\n");
  }
  // 44 740 s at 48 kHz in 16 bits: just over 4 GB (44 738 s fit).
  for (const std::string ext : {".aiff", ".wav"}) {
    const CommandResult r =
        run_cacophony("render --bpm 60 --beats 44740 --out " + dir.at("over" + ext));
    EXPECT_EQ(r.code, 2) << ext;
    EXPECT_EQ(r.out, kError + "the rhythm lasts 12.4 hours, more than a " + ext +
                         " file holds (4 GB): write .flac\n");
  }
  EXPECT_TRUE(dir.names().empty());
}

// Renders into the FIFO `name` in `dir` read by `cat` into `copy`, waiting for cat to finish.
CommandResult through_fifo(const cacophony::test_support::Folder& dir, const std::string& name,
                           const std::string& copy) {
  return run_cacophony(
      "render 1 4/4 120 --out " + name + "; s=$?; wait; exit $s",
      "cd " + dir.path().string() + " && { cat " + name + " > " + copy + " & } && ");
}

// A FIFO takes a container whose header is complete before its audio; another is refused before
// anything is written into it.
TEST(RenderFormats, AFifoTakesTheContainersThatStreamOnly) {
  cacophony::test_support::Folder dir("render_formats_");
  for (const char* name : {"fifo.wav", "fifo.mp3", "fifo.ogg", "fifo.au"})
    ASSERT_EQ(mkfifo(dir.at(name).c_str(), 0666), 0);
  // WAV seeks back to finish its header; an MP3 through a pipe decodes to a fraction of itself.
  for (const std::string ext : {".wav", ".mp3"}) {
    const CommandResult r = through_fifo(dir, "fifo" + ext, "got" + ext);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.out, kError + "cannot write 'fifo" + ext + "': a " + ext +
                         " file can't stream into a pipe or a FIFO (its header is finished "
                         "last); these stream: " +
                         cacophony::sound::streaming_extensions() + "\n");
    EXPECT_EQ(std::filesystem::file_size(dir / ("got" + ext)), 0u);
  }
  EXPECT_EQ(cacophony::sound::streaming_extensions().find(".wav"), std::string::npos);
  for (const std::string ext : {".ogg", ".au"}) {
    const CommandResult r = through_fifo(dir, "fifo" + ext, "got" + ext);
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NEAR(static_cast<double>(decode(dir.at("got" + ext)).samples.size()), 2.0 * kRate,
                5 * kMs)
        << ext;
  }
}

TEST(RenderFormats, FormatsListsEveryOneWithItsCodecAndWhetherItStreams) {
  const CommandResult r = run_cacophony("render --formats");
  EXPECT_EQ(r.code, 0);
  std::string expected;
  for (const OutputFormat& f : output_formats()) {
    std::string ext = f.extension;
    ext.resize(std::max<std::size_t>(ext.size(), 6), ' ');
    expected +=
        ext + " " + f.name + (cacophony::sound::streams(f) ? " (streams into a FIFO)" : "") + "\n";
  }
  EXPECT_EQ(r.out, expected);
  EXPECT_NE(r.out.find("\n.wav   WAV (Microsoft), Signed 16 bit PCM\n"), std::string::npos);
  EXPECT_NE(r.out.find("\n.ogg   OGG (OGG Container format), Vorbis (streams into a FIFO)\n"),
            std::string::npos);
  EXPECT_NE(r.out.find("\n.mp3   MPEG-1/2 Audio, MPEG Layer III\n"), std::string::npos);
}

}  // namespace
