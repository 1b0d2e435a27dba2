#pragma once
// LiveDisplay: what `play` shows while it plays, on stdout.
//
// - On a terminal: one line, rewritten in place (no scrolling): bar.beat (in a count-in, "in" and
//   the count-in's own bar.beat), the bar as its pattern reads (X accent, x beat, . rest) with the
//   sounding beat in parentheses, the tempo, "count-in" or the map's section, the tapped tempo
//   and how steady the taps were, the volume the last click sounded at (and "-> V" while the next
//   is to take another) or the followed loudness, muted or stopped, Link's peers and phase when
//   linked, and what the latest key could not do (for a few seconds: LiveInput::message).
// - Otherwise: one line per click, as `play` has always printed:
//   "bar.beat[.sub] at TEMPO bpm: beat #N at V power (frame F[, link ...])".
// - Quiet: nothing.
// For the play command's main thread only.

#include <string>

#include "cacophony/sound/jack_sink.h"
#include "live/live_control.h"

namespace cacophony::cli {

class LiveDisplay {
 public:
  enum class Mode { line, beats, quiet };
  LiveDisplay(Mode mode, bool link) : mode_(mode), link_(link) {}
  ~LiveDisplay();

  Mode mode() const { return mode_; }
  // A click sounded.
  void click(const sound::BeatEvent& event, const LiveStatus& status, const std::string& message);
  // Something changed between clicks (a key): the line again with the latest click.
  void refresh(const LiveStatus& status, const std::string& message);
  // Ends the line rewritten in place, if one is open, so that a message can follow on its own.
  void end_line();

 private:
  void draw(const LiveStatus& status, const std::string& message);

  Mode mode_;
  bool link_;
  bool drawn_ = false;
  sound::BeatEvent last_;
};

// The line as the terminal shows it, without the control bytes around it (for tests and docs).
std::string live_line(const sound::BeatEvent& event, const LiveStatus& status,
                      const std::string& message, bool link);

}  // namespace cacophony::cli
