#include "cacophony/rhythm/parse.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace cacophony::rhythm {
namespace {

using Fields = std::vector<std::string_view>;

// Where an error is: the source and the line every message of one section carries.
struct Where {
  const std::string& source;
  int line;
  [[noreturn]] void fail(std::string problem) const {
    throw RhythmError(source, line, std::move(problem));
  }
};

// A field echoed in a message, shortened so one wild field can't swamp the line.
std::string shown(std::string_view field) {
  constexpr std::size_t kShown = 40;
  if (field.size() <= kShown) return "'" + std::string(field) + "'";
  return "'" + std::string(field.substr(0, kShown)) + "...'";
}

Fields split(std::string_view text, std::string_view separators) {
  Fields fields;
  std::size_t at = text.find_first_not_of(separators);
  while (at != std::string_view::npos) {
    const std::size_t end = std::min(text.find_first_of(separators, at), text.size());
    fields.push_back(text.substr(at, end - at));
    at = text.find_first_not_of(separators, end);
  }
  return fields;
}

// from_chars alone, so no locale's decimal comma, and the whole field must be the number.
template <typename Number>
std::optional<Number> to_number(std::string_view text) {
  Number value{};
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end) return std::nullopt;
  if constexpr (std::is_floating_point_v<Number>) {
    if (!std::isfinite(value)) return std::nullopt;
  }
  return value;
}

bool only(std::string_view text, std::string_view allowed) {
  return !text.empty() && text.find_first_not_of(allowed) == std::string_view::npos;
}

bool is_integer(std::string_view field) {
  return only(field, "0123456789");
}
bool is_pattern(std::string_view field) {
  return only(field, "Xx.");
}
bool is_meter(std::string_view field) {
  return only(field, "0123456789/") && field.find('/') != std::string_view::npos;
}

std::int64_t parse_bars(std::string_view field, const Where& where) {
  const auto bars = is_integer(field) ? to_number<std::int64_t>(field) : std::nullopt;
  if (!bars || *bars < 1 || *bars > kMaxBars)
    where.fail("bars " + shown(field) + " must be a whole number from 1 to " +
               std::to_string(kMaxBars));
  return *bars;
}

Meter parse_meter(std::string_view field, const Where& where) {
  const std::size_t slash = field.find('/');
  const auto beats = to_number<int>(field.substr(0, slash));
  const auto unit = to_number<int>(field.substr(slash + 1));
  if (!beats || !unit) where.fail("meter " + shown(field) + " must be written n/d, like 7/8");
  if (*beats < 1 || *beats > Meter::kMaxBeats)
    where.fail("meter " + shown(field) + " must have 1 to " + std::to_string(Meter::kMaxBeats) +
               " beats in a bar");
  if (*unit < 1 || *unit > 32 || (*unit & (*unit - 1)) != 0)
    where.fail("meter " + shown(field) + " must count in 1, 2, 4, 8, 16 or 32th notes");
  return Meter{*beats, *unit};
}

double parse_tempo(std::string_view field, const Where& where) {
  const auto tempo = to_number<double>(field);
  if (!tempo || !(*tempo >= Tempo::kMin) || *tempo > kMaxTempo)
    where.fail("tempo " + shown(field) +
               " must be a number of quarter notes per minute from 1 to " +
               std::to_string(static_cast<int>(kMaxTempo)));
  return *tempo;
}

std::vector<Accent> parse_pattern(std::string_view field, const Meter& meter, const Where& where) {
  if (field.size() != static_cast<std::size_t>(meter.beats))
    where.fail("pattern " + shown(field) + " has " + std::to_string(field.size()) +
               " beats, the bar of " + std::to_string(meter.beats) + "/" +
               std::to_string(meter.unit) + " has " + std::to_string(meter.beats));
  std::vector<Accent> pattern;
  for (const char beat : field) pattern.push_back(static_cast<Accent>(beat));
  return pattern;
}

double parse_volume(std::string_view field, const Where& where) {
  const auto volume = to_number<double>(field);
  if (!volume) where.fail("unknown field " + shown(field) + " after the tempo");
  if (*volume < 0 || *volume > Section::kMaxVolume)
    where.fail("volume " + shown(field) + " must be from 0 to 10");
  return *volume;
}

// A ramp from `from` to `to` over `beats`; the same tempo twice is simply that tempo.
Tempo ramp(double from, double to, double beats) {
  if (from == to) return Tempo::constant(from);
  return Tempo{Tempo::Kind::ramp, from, to, beats, {}};
}

// `a-b` into its tempi; a leading '-' belongs to a (negative) tempo, not a ramp.
std::optional<std::pair<double, double>> split_ramp(std::string_view field, const Where& where) {
  const std::size_t dash = field.find('-', 1);
  if (dash == std::string_view::npos) return std::nullopt;
  return std::pair{parse_tempo(field.substr(0, dash), where),
                   parse_tempo(field.substr(dash + 1), where)};
}

Tempo parse_tempo_list(std::string_view field, const Section& section, const Where& where) {
  std::vector<double> tempi;
  for (const std::string_view tempo : split(field, ",")) tempi.push_back(parse_tempo(tempo, where));
  if (tempi.empty() || static_cast<std::int64_t>(tempi.size()) != section.beats)
    where.fail(std::to_string(tempi.size()) + " tempi for " + std::to_string(section.beats) +
               " beats (" + std::to_string(section.beats / section.meter.beats) + " bars of " +
               std::to_string(section.meter.beats) + "/" + std::to_string(section.meter.unit) +
               "): give one tempo per beat");
  return Tempo{Tempo::Kind::list, tempi.front(), tempi.back(), 0, std::move(tempi)};
}

// A map's tempo field: a tempo, a ramp across the section, or one tempo per beat.
Tempo parse_map_tempo(std::string_view field, const Section& section, const Where& where) {
  if (!only(field, "0123456789.-,"))
    where.fail("expected a tempo (like 120, 120-140 or 120,122,...), got " + shown(field));
  if (field.find(',') != std::string_view::npos) return parse_tempo_list(field, section, where);
  if (const auto tempi = split_ramp(field, where))
    return ramp(tempi->first, tempi->second, static_cast<double>(section.beats));
  return Tempo::constant(parse_tempo(field, where));
}

// The words' tempo: a tempo, or klick's speed trainer a-b[/accel].
Tempo parse_words_tempo(std::string_view field, const Section& section, const Where& where) {
  const std::size_t slash = field.find('/');
  const auto tempi = split_ramp(field.substr(0, slash), where);
  if (!tempi) {
    if (slash != std::string_view::npos)
      where.fail("tempo " + shown(field) + ": a speed trainer is written from-to/bars, like " +
                 "80-120/4");
    return Tempo::constant(parse_tempo(field, where));
  }
  const double change = std::abs(tempi->second - tempi->first);
  if (slash == std::string_view::npos) {
    if (section.beats == kEndless)
      where.fail("tempo " + shown(field) + " ramps over the bars: give the bars first, or " +
                 "the bars per bpm after a slash (80-120/4)");
    return ramp(tempi->first, tempi->second, static_cast<double>(section.beats));
  }
  const auto accel = to_number<double>(field.substr(slash + 1));
  // A tiny step times a tiny accel can underflow to a ramp of no beats, which no timeline plays.
  if (!accel || *accel <= 0 || *accel > kMaxBars || (change > 0 && !std::isnormal(change * *accel)))
    where.fail("speed trainer " + shown(field) + ": the bars per bpm after the slash must be " +
               "above 0 and up to " + std::to_string(kMaxBars));
  return ramp(tempi->first, tempi->second, change * *accel * section.meter.beats);
}

// A polyrhythm's voice: +CLICKS[:PATTERN][@VOLUME], e.g. +3, +5:X.x.x, +3@0.5.
Voice parse_voice(std::string_view field, const Where& where) {
  const std::string_view whole = field;
  const auto fail = [&](const std::string& why) {
    where.fail("voice " + shown(whole) + ": " + why +
               " (a voice is +CLICKS[:PATTERN][@VOLUME], like +3 or +5:X.x.x@0.7)");
  };
  field.remove_prefix(1);
  Voice voice;
  const std::size_t at = field.find('@');
  if (at != std::string_view::npos) {
    const auto volume = to_number<double>(field.substr(at + 1));
    if (!volume || *volume < 0 || *volume > Section::kMaxVolume) fail("its volume must be 0 to 10");
    voice.volume = *volume;
    field = field.substr(0, at);
  }
  const std::size_t colon = field.find(':');
  const auto clicks =
      is_integer(field.substr(0, colon)) ? to_number<int>(field.substr(0, colon)) : std::nullopt;
  if (!clicks || *clicks < 1 || *clicks > Voice::kMaxClicks)
    fail("its clicks in a bar must be 1 to " + std::to_string(Voice::kMaxClicks));
  voice.clicks = *clicks;
  if (colon == std::string_view::npos) return voice;
  const std::string_view pattern = field.substr(colon + 1);
  if (!is_pattern(pattern) || pattern.size() != static_cast<std::size_t>(*clicks))
    fail("its pattern must have one X, x or . for each of its " + std::to_string(*clicks) +
         " clicks");
  for (const char c : pattern) voice.pattern.push_back(static_cast<Accent>(c));
  return voice;
}

// Fields after the tempo: an optional pattern, then (maps only) an optional volume, then a
// polyrhythm's voices.
void parse_tail(Fields::const_iterator field, Fields::const_iterator end, bool volume,
                Section& section, const Where& where) {
  const auto voice = [](std::string_view f) { return f.starts_with('+'); };
  if (field != end && is_pattern(*field))
    section.pattern = parse_pattern(*field++, section.meter, where);
  if (field != end && volume && !voice(*field)) section.volume = parse_volume(*field++, where);
  for (; field != end && voice(*field); ++field) {
    if (section.voices.size() == Section::kMaxVoices)
      where.fail("at most " + std::to_string(Section::kMaxVoices) + " voices besides the beat");
    section.voices.push_back(parse_voice(*field, where));
  }
  if (field != end) where.fail("unknown field " + shown(*field) + " after the tempo");
}

Section parse_map_section(const Fields& fields, const Where& where) {
  Section section;
  section.line = where.line;
  auto field = fields.begin();
  const std::int64_t bars = parse_bars(*field++, where);
  if (field != fields.end() && field->find('/') != std::string_view::npos)
    section.meter = parse_meter(*field++, where);
  section.beats = bars * section.meter.beats;
  if (field == fields.end()) where.fail("the line has no tempo after its bars");
  section.tempo = parse_map_tempo(*field++, section, where);
  parse_tail(field, fields.end(), true, section, where);
  return section;
}

bool is_label_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// Takes a leading `name:` off the fields (glued to the next field or not) and returns the name.
std::string take_label(Fields& fields, const Where& where) {
  const std::size_t colon = fields.front().find(':');
  if (colon == std::string_view::npos) return {};
  const std::string_view label = fields.front().substr(0, colon);
  if (label.empty() || !std::all_of(label.begin(), label.end(), is_label_char))
    where.fail("label " + shown(label) + " may hold only letters, digits, _, - and .");
  const std::string_view rest = fields.front().substr(colon + 1);
  if (rest.empty())
    fields.erase(fields.begin());
  else
    fields.front() = rest;
  if (fields.empty()) where.fail("label " + shown(label) + " has no section after it");
  return std::string(label);
}

// The length of the UTF-8 sequence `text` starts with, or 0 when it is not valid UTF-8 (overlong
// forms and surrogates included, as a decoder would refuse them).
std::size_t utf8_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  if (lead < 0xC2 || lead > 0xF4 || text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i)
    if ((byte(i) & 0xC0) != 0x80) return 0;
  const unsigned char second = byte(1);
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) ||
      (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F))
    return 0;
  return length;
}

void check_text(std::string_view line, const Where& where) {
  if (line.find('\0') != std::string_view::npos)
    where.fail("not a text file: this line holds a NUL byte");
  while (!line.empty()) {
    const std::size_t length = utf8_length(line);
    if (length == 0) where.fail("not a text file: this line is not UTF-8");
    line.remove_prefix(length);
  }
}

// A line's fields, its comment left out: the line checked and cleaned as a text file's.
Fields line_fields(std::string_view line, const Where& where) {
  // A byte-order mark, which some editors put before UTF-8 text, is not the first field's.
  if (where.line == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
  if (line.ends_with('\r')) line.remove_suffix(1);  // CRLF line ends
  if (line.size() > kMaxLineBytes)
    where.fail("the line is longer than " + std::to_string(kMaxLineBytes) + " bytes");
  check_text(line, where);
  return split(line.substr(0, line.find('#')), " \t");
}

// A map read a line at a time, so a file never has to be in memory whole.
class MapReader {
 public:
  explicit MapReader(const std::string& source) : source_(source) {}

  void add_line(std::string_view line) {
    const Where where{source_, ++number_};
    Fields fields = line_fields(line, where);
    if (fields.empty()) return;
    if (performance_.sections.size() == kMaxSections)
      where.fail("the map has more than " + std::to_string(kMaxSections) + " sections");
    std::string label = take_label(fields, where);
    Section section = parse_map_section(fields, where);
    section.label = std::move(label);
    performance_.sections.push_back(std::move(section));
  }

  Performance finish() {
    if (performance_.sections.empty())
      throw RhythmError(source_, 0, "no sections: the map holds only comments and blank lines");
    return std::move(performance_);
  }

 private:
  const std::string& source_;
  int number_ = 0;
  Performance performance_;
};

template <typename Reader>
void stream_lines(std::istream& in, Reader& reader) {
  std::string line;
  line.reserve(kMaxLineBytes + 2);  // the limit, a CR, and the byte that exceeds them
  char chunk[4096];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    for (const char c : std::string_view(chunk, static_cast<std::size_t>(in.gcount()))) {
      if (c == '\n') {
        reader.add_line(line);
        line.clear();
      } else {
        line.push_back(c);
        // Over the limit even without a CR: add_line refuses it, unread to its end.
        if (line.size() > kMaxLineBytes + 1) reader.add_line(line);
      }
    }
  }
  if (!line.empty()) reader.add_line(line);
}

// A setlist or the presets, a line at a time (NamedRhythm).
class NamedReader {
 public:
  NamedReader(const std::string& source, std::filesystem::path folder)
      : source_(source), folder_(std::move(folder)) {}

  void add_line(std::string_view line) {
    const Where where{source_, ++number_};
    Fields fields = line_fields(line, where);
    if (fields.empty()) return;
    if (list_.size() == kMaxSections)
      where.fail("the list has more than " + std::to_string(kMaxSections) + " rhythms");
    NamedRhythm named;
    named.line = number_;
    if (fields.front().find(':') == std::string_view::npos)
      where.fail("a line is NAME: followed by a rhythm, got " + shown(fields.front()));
    named.name = take_label(fields, where);
    for (const NamedRhythm& earlier : list_)
      if (earlier.name == named.name)
        where.fail(shown(named.name) + " is named on line " + std::to_string(earlier.line) +
                   " already");
    take_rhythm(fields, named, where);
    list_.push_back(std::move(named));
  }

  std::vector<NamedRhythm> finish() {
    if (list_.empty()) throw RhythmError(source_, 0, "no rhythms: only comments and blank lines");
    return std::move(list_);
  }

 private:
  // The words, checked, or map FILE, read.
  void take_rhythm(const Fields& fields, NamedRhythm& named, const Where& where) const {
    if (fields.front() == "map") {
      if (fields.size() != 2) where.fail("map takes one file, as in NAME: map song.txt");
      named.map = folder_ / std::filesystem::path(std::string(fields[1]));
    } else {
      for (const std::string_view f : fields) named.words.emplace_back(f);
    }
    try {
      static_cast<void>(performance_of(named));
    } catch (const RhythmError& e) {
      std::string inner = e.problem;
      if (!e.source.empty())
        inner = e.source + (e.line > 0 ? ":" + std::to_string(e.line) : "") + ": " + inner;
      where.fail(inner);
    }
  }

  const std::string& source_;
  std::filesystem::path folder_;
  int number_ = 0;
  std::vector<NamedRhythm> list_;
};

// Refuses what is not a regular map file before opening it, so a FIFO or a device can't block.
void check_file(const std::filesystem::path& file, const std::string& source) {
  std::error_code error;
  const auto status = std::filesystem::status(file, error);
  const auto refuse = [&](const std::string& problem) { throw RhythmError(source, 0, problem); };
  if (status.type() == std::filesystem::file_type::not_found) refuse("no such file");
  if (error) refuse("the file can't be read: " + error.message());
  if (std::filesystem::is_directory(status)) refuse("a folder, not a tempo map");
  if (!std::filesystem::is_regular_file(status)) refuse("not a regular file");
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  if (error) refuse("the file can't be read: " + error.message());
  if (size > kMaxMapBytes)
    refuse("the file is larger than " + std::to_string(kMaxMapBytes >> 20) + " MiB");
}

// The labels an unknown --from could have named, the first few of them, each once.
std::string known_labels(const std::vector<Section>& sections) {
  constexpr std::size_t kListed = 10;
  std::string known;
  std::set<std::string_view> seen;
  for (const Section& section : sections) {
    if (section.label.empty() || !seen.insert(section.label).second) continue;
    if (seen.size() <= kListed) known += (known.empty() ? "" : ", ") + section.label;
  }
  const std::size_t count = seen.size();
  if (count == 0) return "the map has no labels";
  if (count > kListed) known += " and " + std::to_string(count - kListed) + " more";
  return "the labels are " + known;
}

}  // namespace

Performance parse_words(std::span<const std::string> words) {
  static const std::string kSource;
  const Where where{kSource, 0};
  if (words.empty()) where.fail("no tempo given");
  const Fields fields(words.begin(), words.end());
  Section section;
  section.beats = kEndless;
  auto field = fields.begin();
  const bool has_bars = fields.size() > 1 && is_integer(fields[0]) && !is_pattern(fields[1]);
  const std::int64_t bars = has_bars ? parse_bars(*field++, where) : 0;
  if (field != fields.end() && is_meter(*field)) section.meter = parse_meter(*field++, where);
  if (has_bars) section.beats = bars * section.meter.beats;
  if (field == fields.end()) where.fail("no tempo given after the bars and the meter");
  section.tempo = parse_words_tempo(*field++, section, where);
  parse_tail(field, fields.end(), false, section, where);
  Performance performance;
  performance.sections.push_back(std::move(section));
  return performance;
}

Performance parse_map(std::string_view text, const std::string& source) {
  if (text.size() > kMaxMapBytes)
    throw RhythmError(source, 0,
                      "the map is larger than " + std::to_string(kMaxMapBytes >> 20) + " MiB");
  MapReader reader(source);
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    reader.add_line(text.substr(at, end - at));
    at = end + 1;
  }
  return reader.finish();
}

Performance read_map(const std::filesystem::path& file) {
  const std::string source = file.string();
  check_file(file, source);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw RhythmError(source, 0, "the file can't be opened");
  MapReader reader(source);
  stream_lines(in, reader);
  if (in.bad()) throw RhythmError(source, 0, "the file can't be read to its end");
  return reader.finish();
}

std::vector<NamedRhythm> parse_named_rhythms(std::string_view text, const std::string& source,
                                             const std::filesystem::path& folder) {
  if (text.size() > kMaxMapBytes)
    throw RhythmError(source, 0,
                      "the list is larger than " + std::to_string(kMaxMapBytes >> 20) + " MiB");
  NamedReader reader(source, folder);
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    reader.add_line(text.substr(at, end - at));
    at = end + 1;
  }
  return reader.finish();
}

std::vector<NamedRhythm> read_named_rhythms(const std::filesystem::path& file) {
  const std::string source = file.string();
  check_file(file, source);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw RhythmError(source, 0, "the file can't be opened");
  NamedReader reader(source, file.parent_path());
  stream_lines(in, reader);
  if (in.bad()) throw RhythmError(source, 0, "the file can't be read to its end");
  return reader.finish();
}

Performance performance_of(const NamedRhythm& rhythm) {
  if (!rhythm.map.empty()) return read_map(rhythm.map);
  return parse_words(rhythm.words);
}

Performance start_at(const Performance& performance, std::string_view label,
                     const std::string& source) {
  const auto& sections = performance.sections;
  const auto found = std::find_if(sections.begin(), sections.end(), [&](const Section& section) {
    return !label.empty() && section.label == label;
  });
  if (found == sections.end())
    throw RhythmError(source, 0,
                      "no section is labelled " + shown(label) + "; " + known_labels(sections));
  Performance from{std::vector<Section>(found, sections.end()), performance.feel,
                   performance.first_bar};
  for (auto section = sections.begin(); section != found; ++section)
    from.first_bar += section->beats / section->meter.beats;
  return from;
}

Performance limit_beats(const Performance& performance, std::int64_t beats) {
  if (beats < 1) throw RhythmError("", 0, "the number of beats must be 1 or more");
  Performance limited{{}, performance.feel, performance.first_bar};
  for (const Section& section : performance.sections) {
    limited.sections.push_back(section);
    if (section.beats < beats) {
      beats -= section.beats;
      continue;
    }
    Section& last = limited.sections.back();
    last.beats = beats;
    if (last.tempo.kind == Tempo::Kind::list) {
      last.tempo.per_beat.resize(static_cast<std::size_t>(beats));
      last.tempo.to = last.tempo.per_beat.back();
    }
    break;
  }
  return limited;
}

namespace {

std::string number(double value) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  return std::string(text, end);
}

// The tempo of `t` furthest outside [Tempo::kMin, kMaxTempo], or nothing when all are within.
std::optional<double> tempo_outside(const Tempo& t) {
  std::vector<double> tempi = t.per_beat;
  tempi.push_back(t.from);
  tempi.push_back(t.to);
  const auto [lowest, highest] = std::minmax_element(tempi.begin(), tempi.end());
  if (*lowest < Tempo::kMin) return *lowest;
  if (*highest > kMaxTempo) return *highest;
  return std::nullopt;
}

}  // namespace

void scale_tempo(Performance& performance, double factor, const std::string& source) {
  if (!(factor > 0 && std::isfinite(factor)))
    throw RhythmError(source, 0, "the tempo factor must be a positive number");
  for (Section& section : performance.sections) {
    Tempo& t = section.tempo;
    t.from *= factor;
    t.to *= factor;
    for (double& bpm : t.per_beat) bpm *= factor;
    if (const auto outside = tempo_outside(t))
      throw RhythmError(source, section.line,
                        "at " + number(factor) + " times, a tempo would be " + number(*outside) +
                            ": tempi go from " + number(Tempo::kMin) + " to " + number(kMaxTempo));
  }
}

void set_emphasis(Performance& performance, Emphasis emphasis) {
  if (emphasis == Emphasis::as_written) return;
  for (Section& section : performance.sections) {
    if (section.pattern.empty()) {
      section.pattern.assign(static_cast<std::size_t>(section.meter.beats), Accent::normal);
      section.pattern.front() = Accent::accent;
    }
    for (Accent& a : section.pattern) {
      if (emphasis == Emphasis::none && a == Accent::accent) a = Accent::normal;
      if (emphasis == Emphasis::all && a == Accent::normal) a = Accent::accent;
    }
  }
}

}  // namespace cacophony::rhythm
