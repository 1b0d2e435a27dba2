#include "cacophony/link/link_rhythm_grid.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "ableton_link.h"
#include "cacophony/sound/rhythm_grid.h"

namespace cacophony::link {
namespace {

// The rhythm in quarter notes: at 60 quarter notes a minute a second is a quarter note, so a
// timeline at this "rate" counts kTicks ticks a quarter (a microsecond's 1/500 at 120 bpm).
constexpr int kTicks = 960'000;

rhythm::Performance in_quarters(rhythm::Performance p) {
  for (rhythm::Section& s : p.sections) s.tempo = rhythm::Tempo::constant(60);
  return p;
}

const rhythm::Performance& checked(const rhythm::Performance& p) {
  if (p.feel.delay != 0) throw std::invalid_argument("a delay has no place on a session's grid");
  return p;
}

std::chrono::microseconds micros(double us) {
  return std::chrono::microseconds(std::llround(us));
}

}  // namespace

// Both timelines hold the same clicks in the same order (only their tempos differ): `quarters`
// says where each is, `real` what it is and the map's tempo there.
struct LinkRhythmGrid::State {
  explicit State(const rhythm::Performance& p)
      : real(checked(p), kTicks), quarters(in_quarters(p), kTicks) {}
  rhythm::Timeline real, quarters;
  rhythm::Timeline::Cursor real_at, quarters_at;
  rhythm::Event real_next, quarters_next;
  bool pending = false;
  std::optional<ableton::Link::SessionState> session;  // this block's
  bool started = false;
  double start = 0;    // the session's beat where the rhythm starts
  double tempo = NAN;  // the map's tempo last proposed (none yet)

  void rewind() {
    started = false;
    pending = false;
    real_at = {};
    quarters_at = {};
  }
};

LinkRhythmGrid::LinkRhythmGrid(Session& session, const rhythm::Performance& performance)
    : session_(session), s_(std::make_unique<State>(performance)) {}

LinkRhythmGrid::~LinkRhythmGrid() = default;

void LinkRhythmGrid::begin_block(std::int64_t first_frame, const sound::BlockTime& time) {
  first_frame_ = first_frame;
  time_ = time;
  if (time.known) s_->session.emplace(session_.link_->link.captureAudioSessionState());
}

// Whether the rhythm plays in this block: it starts on the first bar at or after the block (and
// the session's start, with start/stop sync); a stop rewinds it.
bool LinkRhythmGrid::start_if_due() {
  const auto& state = *s_->session;
  const double quantum = session_.quantum();
  if (session_.start_stop_sync() && !state.isPlaying()) {
    s_->rewind();
    return false;
  }
  if (s_->started) return true;
  double from = state.beatAtTime(micros(time_.first_frame_us), quantum);
  if (session_.start_stop_sync())
    from = std::max(from, state.beatAtTime(state.timeForIsPlaying(), quantum));
  if (!std::isfinite(from)) return false;
  s_->start = std::ceil(from / quantum - 1e-6) * quantum;
  s_->started = true;
  return true;
}

// The next click of both timelines, held until it sounds; false (and the grid ended) after the
// last.
bool LinkRhythmGrid::fetch() {
  if (!s_->pending) {
    s_->pending = s_->real.next(s_->real_at, s_->real_next) &&
                  s_->quarters.next(s_->quarters_at, s_->quarters_next);
    ended_ = !s_->pending;
  }
  return s_->pending;
}

void LinkRhythmGrid::propose_tempo(double bpm, double at_us) {
  s_->session->setTempo(std::clamp(bpm, kMinBpm, kMaxBpm), micros(at_us));
  session_.link_->link.commitAudioSessionState(*s_->session);
  s_->tempo = bpm;
}

bool LinkRhythmGrid::next_before(std::int64_t end, sound::Onset& onset) {
  if (!time_.known || !s_->session || !start_if_due()) return false;
  const auto& state = *s_->session;
  for (int skipped = 0; fetch();) {
    const double beat = s_->start + static_cast<double>(s_->quarters_next.frame) / kTicks;
    const auto at = static_cast<double>(state.timeAtBeat(beat, session_.quantum()).count());
    auto offset = std::llround((at - time_.first_frame_us) / time_.us_per_frame);
    if (offset < 0 && time_.first_frame_us - at > kLateUs) {
      s_->pending = false;  // the session passed it: skipped, not played late
      if (++skipped >= kSkipsPerBlock) return false;
      continue;
    }
    const std::int64_t frame = first_frame_ + std::max<std::int64_t>(0, offset);
    if (frame >= end) return false;
    // Set where the click sounds, the change pivots there: the beat line does not jump.
    if (s_->real_next.tempo != s_->tempo) propose_tempo(s_->real_next.tempo, at);
    onset = sound::onset_of(s_->real_next, 0);
    onset.frame = frame;
    onset.beat = static_cast<std::int64_t>(std::floor(beat + 1e-9));  // the session's
    onset.tempo = state.tempo();
    s_->pending = false;
    return true;
  }
  return false;
}

}  // namespace cacophony::link
