#pragma once
// A scenario: one chart of the original, i.e. one way to build the metronome, with what the
// harness needs to stage it. Each lives in source/scenario/<id>.cpp, beside its Go twin
// scenario/<file>.go in outo/metronome.

#include <span>
#include <string>
#include <string_view>

#include "cacophony/metronome/contract.h"
#include "cacophony/metronome/delay.h"
#include "cacophony/tracker/event.h"

namespace cacophony {

// A stretch of a description's text, and whether it is emphasised: the plain data behind a
// caption, which the page and `list` each render their own way.
struct Words {
  std::string_view text;
  bool emphasised = false;
};
constexpr Words em(std::string_view text) {
  return {text, true};
}
using Description = std::span<const Words>;

// The description as plain text, emphasis dropped.
std::string plain_text(Description description);

// The shape of the original's scenario factories, minus the tracker no scenario used.
using MetronomeFactory = Metronome (*)(VolumeMeter meter, int beats);

struct Scenario {
  std::string_view id;      // the chart id
  Description description;  // the caption, with its keywords marked
  Delay delay;              // the original's delay simulator for this chart
  Label label;              // how its beats are labelled
  bool async;               // its metronome may return before its work ends (red line)
  // The file holding its metronome: for the built-in eighteen, source/scenario/<code>.cpp, whose
  // text the page embeds; for one's own, its path (e.g. __FILE__), whose text the page embeds
  // when the file can be read as the page is written.
  std::string_view code;
  MetronomeFactory metronome;
  std::string_view go_twin = {};  // a link to the Go it ports, if any: the page links it
};

// The original's fourteen, in its chart order; then the post's four examples (charts 15-18:
// the bedtime steps in sequence, with go, with go and a pause, and the loop-variable bug); then
// those added with add_scenario().
std::span<const Scenario* const> scenarios();
// Adds a metronome of one's own after the eighteen (examples/my_metronome shows one): the run,
// list and report commands then take it like the others. Call before any run, from one thread;
// `scenario` must outlive the program's use of it. Throws std::invalid_argument for an id that
// is taken or empty.
void add_scenario(const Scenario& scenario);
// Its place in scenarios(), from 1: the built-in eighteen are 1..18, one's own follow from 19.
int chart_number(const Scenario& scenario);
// nullptr when no scenario has that id.
const Scenario* find_scenario(std::string_view id);

}  // namespace cacophony
