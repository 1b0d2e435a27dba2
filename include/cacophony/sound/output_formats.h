#pragma once
// The containers render writes, as this machine's libsndfile has them: discovered at run time
// from its list of major formats, never from a list of our own.
//
// Guarantees
// - output_formats() holds every major format libsndfile writes mono at kDefaultRate by
//   descriptor and reads back at that rate (probed with a short tone, in memory), by extension, in
//   libsndfile's order, each followed by its common aliases (.aif, .ogg, .opus, .mp3); headerless
//   RAW is left out. An extension libsndfile gives several formats (.wav) is the first one's.
// - Each has one codec: 16-bit PCM where the container takes it; else the container's own (Vorbis
//   for Ogg, Opus for .opus, MPEG layer III for .mp3); else the first libsndfile lists for it.
// - The list is built once, on first use, thread-safely; it is read-only after.

#include <filesystem>
#include <string>
#include <vector>

namespace cacophony::sound {

struct OutputFormat {
  std::string extension;  // lower case, with its dot: ".wav"
  int format = 0;         // libsndfile's container | codec
  std::string name;       // libsndfile's: "WAV (Microsoft), Signed 16 bit PCM"
};

const std::vector<OutputFormat>& output_formats();

// The extensions of output_formats(), space-separated: ".aiff .aif .au ...".
std::string output_extensions();

// The format for `out`'s extension (any case). Throws BadOutput (error.h): `extension` for one
// not in output_formats(), `rate` when its container does not take `rate` Hz mono (probed as
// output_formats() is, at `rate`).
const OutputFormat& output_format(const std::filesystem::path& out, int rate);

// Whether `format` can be written into a pipe or a FIFO and read back whole (libsndfile refuses
// some containers there, and leaves the lengths of others in their header unfinished), probed
// once per format by writing a short tone through a pipe and decoding it. Thread-safe.
bool streams(const OutputFormat& format);

// The extensions of the formats that stream, as output_extensions().
std::string streaming_extensions();

}  // namespace cacophony::sound
