#include "io/sound_errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>

#include "cacophony/sound/error.h"
#include "cacophony/sound/jack_sink.h"
#include "cacophony/sound/output_formats.h"
#include "cacophony/sound/render.h"
#include "options/options.h"

namespace cacophony::cli {
namespace {

std::string words(const sound::BadRate& e) {
  return fmt::format("unsupported rate {} Hz: the rate must be in [{}, {}]", e.rate,
                     sound::kMinRate, sound::kMaxRate);
}

// Why a name has no format: "-" (render writes a file), a name that is all extension (".wav" is
// a hidden file's name, without one), or another ending.
std::string no_format(const std::filesystem::path& path) {
  if (path == "-")
    return "render writes a file, not standard output: give a name whose extension picks the "
           "format, e.g. click.wav (a FIFO named X.flac streams)";
  std::string name = path.filename().string();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto& formats = sound::output_formats();
  if (std::any_of(formats.begin(), formats.end(),
                  [&](const sound::OutputFormat& f) { return f.extension == name; }))
    return fmt::format("the file needs a name before {} (e.g. click{})", name, name);
  return "the output must end in one of " + sound::output_extensions();
}

std::string words(const sound::BadOutput& e) {
  using Why = sound::BadOutput::Why;
  const std::string ext = e.path.extension().string();
  switch (e.why) {
    case Why::extension:
      return fmt::format("cannot write '{}': {}", e.path.string(), no_format(e.path));
    case Why::rate:
      return fmt::format("cannot write '{}': a {} file does not take {} Hz", e.path.string(), ext,
                         e.rate);
    case Why::unstreamable:
      return fmt::format(
          "cannot write '{}': a {} file can't stream into a pipe or a FIFO (its header is "
          "finished last); these stream: {}",
          e.path.string(), ext, sound::streaming_extensions());
    case Why::refused:
      break;
  }
  return fmt::format("cannot write '{}': {}", e.path.string(), e.reason);
}

std::string cannot_read(const sound::BadRecording& e, const std::string& why) {
  return fmt::format("cannot read '{}': {}", e.path.string(), why);
}

std::string words(const sound::BadRecording& e) {
  using Why = sound::BadRecording::Why;
  switch (e.why) {
    case Why::missing:
      return cannot_read(e, "no such file");
    case Why::folder:
      return cannot_read(e, "it is a folder");
    case Why::not_regular:
      return cannot_read(e, "not a regular file");
    case Why::unreadable:
      return cannot_read(e, e.reason);
    case Why::channels:
      return cannot_read(e, fmt::format("{} channels (mono or stereo only)", e.found));
    case Why::empty:
      return cannot_read(e, "no audio in it");
    case Why::truncated:
      return cannot_read(
          e, e.reason.empty() ? "it is truncated" : fmt::format("it is truncated ({})", e.reason));
    case Why::damaged:
      return cannot_read(e, fmt::format("it is truncated or damaged ({} of {} frames decoded)",
                                        e.found, e.expected));
    case Why::unseekable:
      return cannot_read(e, "it can't be read from the start again");
    case Why::not_finite:
      return cannot_read(e, fmt::format("it holds a sample that is not a number or infinite (at "
                                        "frame {})",
                                        e.found));
    case Why::rate:
      return cannot_read(e, fmt::format("its sample rate, {} Hz, is more than 256 times from the "
                                        "{} Hz it must be converted to",
                                        e.found, e.expected));
    case Why::unmeasurable:
      break;
  }
  return cannot_read(e, "the loudness meter does not take its format");
}

std::string words(const sound::TooLong& e) {
  using Limit = sound::TooLong::Limit;
  const std::string holds =
      e.limit == Limit::four_gb
          ? fmt::format("more than a {} file holds (4 GB): write .flac", e.extension)
      : e.limit == Limit::flac ? "more than a FLAC file holds"
                               : "more than render writes into one file (2^36 frames)";
  return fmt::format("the rhythm lasts {:.1f} hours, {}",
                     static_cast<double>(e.frames) / e.rate / 3600.0, holds);
}

std::string words(const sound::WriteFailed& e) {
  using Why = sound::WriteFailed::Why;
  if (e.why == Why::close) return fmt::format("writing '{}' failed", e.path.string());
  return fmt::format("writing '{}' failed: {}", e.path.string(), e.reason);
}

std::string words(const sound::JackError& e) {
  using Step = sound::JackError::Step;
  switch (e.step) {
    case Step::no_server:
      return "no JACK server running";
    case Step::no_answer:
      return "the JACK server does not answer";
    case Step::open_client:
      return fmt::format("cannot open a JACK client (status 0x{:x})", e.status);
    case Step::register_port:
      return fmt::format("cannot register the JACK port '{}'", e.port);
    case Step::set_callback:
      return "cannot set the JACK process callback";
    case Step::activate:
      return "cannot activate the JACK client";
    case Step::connect_output:
      return fmt::format("cannot connect {} to '{}'", e.port, e.peer);
    case Step::connect_input:
      break;
  }
  return fmt::format("cannot connect '{}' to {}", e.peer, e.port);
}

// What the user can mend (exit 2), and what failed on the way (exit 1).
bool users_to_mend(const sound::JackError& e) {
  using Step = sound::JackError::Step;
  return e.step == Step::no_server || e.step == Step::connect_output ||
         e.step == Step::connect_input;
}

}  // namespace

int with_sound_errors(const std::function<int()>& command) {
  try {
    return command();
  } catch (const sound::BadRate& e) {
    throw UsageError(words(e));
  } catch (const sound::BadOutput& e) {
    throw UsageError(words(e));
  } catch (const sound::BadRecording& e) {
    throw UsageError(words(e));
  } catch (const sound::TooLong& e) {
    throw UsageError(words(e));
  } catch (const sound::WriteFailed& e) {
    throw std::runtime_error(words(e));
  } catch (const sound::Unmeasurable& e) {
    throw std::runtime_error(fmt::format("the loudness meter does not take {} Hz", e.rate));
  } catch (const sound::JackError& e) {
    if (users_to_mend(e)) throw UsageError(words(e));
    throw std::runtime_error(words(e));
  }
}

}  // namespace cacophony::cli
