#include "cacophony/runtime/schedule.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "watchdog.h"

namespace cacophony::runtime {
namespace {

class RandomStrategy final : public Strategy {
 public:
  explicit RandomStrategy(std::uint64_t seed) : seed_(seed) {}
  void begin() override {
    forget();
    random_.seed(seed_);
  }
  std::size_t choose(std::span<const std::uint64_t> ready) override {
    return record(std::uniform_int_distribution<std::size_t>(0, ready.size() - 1)(random_));
  }

 private:
  std::uint64_t seed_;
  std::mt19937_64 random_;
};

class PctStrategy final : public Strategy {
 public:
  PctStrategy(std::uint64_t seed, int depth, std::size_t steps)
      : seed_(seed), depth_(std::max(depth, 1)), steps_(std::max<std::size_t>(steps, 1)) {}

  void begin() override {
    forget();
    random_.seed(seed_);
    priority_.clear();
    change_points_.clear();
    for (int i = 1; i < depth_; ++i)
      change_points_.push_back(std::uniform_int_distribution<std::size_t>(1, steps_)(random_));
    step_ = 0;
    next_low_ = 0;
  }
  // Priorities above depth_ for new tasks, random among them; demoted ones get 1..depth-1.
  void created(std::uint64_t task, const char* /*file*/, unsigned /*line*/) override {
    priority_[task] = depth_ + std::uniform_int_distribution<std::uint64_t>(0, 1'000'000)(random_);
  }
  std::size_t choose(std::span<const std::uint64_t> ready) override {
    ++step_;
    std::size_t best = 0;
    for (std::size_t i = 1; i < ready.size(); ++i)
      if (priority_[ready[i]] > priority_[ready[best]]) best = i;
    if (std::find(change_points_.begin(), change_points_.end(), step_) != change_points_.end()) {
      priority_[ready[best]] = ++next_low_;  // demoted below every task not yet demoted
      return choose_again(ready);
    }
    return record(best);
  }

 private:
  std::size_t choose_again(std::span<const std::uint64_t> ready) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < ready.size(); ++i)
      if (priority_[ready[i]] > priority_[ready[best]]) best = i;
    return record(best);
  }

  std::uint64_t seed_;
  int depth_;
  std::size_t steps_;
  std::mt19937_64 random_;
  std::unordered_map<std::uint64_t, std::uint64_t> priority_;
  std::vector<std::size_t> change_points_;
  std::size_t step_ = 0;
  std::uint64_t next_low_ = 0;
};

// The choices of a path, then the first option at every choice after it.
class PathStrategy final : public Strategy {
 public:
  explicit PathStrategy(std::vector<std::uint32_t> path) : path_(std::move(path)) {}
  void begin() override { forget(); }
  std::size_t choose(std::span<const std::uint64_t> ready) override {
    const std::size_t at = choices().size();
    const std::size_t index = at < path_.size() ? path_[at] : 0;
    return record(std::min<std::size_t>(index, ready.size() - 1));
  }

 private:
  std::vector<std::uint32_t> path_;
};

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// The fields of `text` between the `separator`s.
std::vector<std::string_view> fields(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  for (std::size_t from = 0;;) {
    const std::size_t at = text.find(separator, from);
    out.push_back(text.substr(from, at - from));
    if (at == std::string_view::npos) return out;
    from = at + 1;
  }
}

// "dfs", "random" or "pctD" into `s`; false for anything else.
bool parse_kind(std::string_view word, Schedule& s) {
  if (word == "dfs" || word == "random") {
    s.kind = word == "dfs" ? Schedule::Kind::dfs : Schedule::Kind::random;
    return true;
  }
  if (!word.starts_with("pct")) return false;
  const auto depth = number(word.substr(3));
  if (!depth || *depth < 1 || *depth > 100) return false;
  s.kind = Schedule::Kind::pct;
  s.depth = static_cast<int>(*depth);
  return true;
}

}  // namespace

std::unique_ptr<Strategy> random_strategy(std::uint64_t seed) {
  return std::make_unique<RandomStrategy>(seed);
}

std::unique_ptr<Strategy> pct_strategy(std::uint64_t seed, int depth, std::size_t steps) {
  return std::make_unique<PctStrategy>(seed, depth, steps);
}

Narrator::Narrator(Strategy* inner, SwitchObserver on_switch)
    : inner_(inner), on_switch_(std::move(on_switch)) {}

void Narrator::begin() {
  forget();
  steps_.clear();
  origins_.clear();
  if (inner_) inner_->begin();
}

void Narrator::created(std::uint64_t task, const char* file, unsigned line) {
  if (origins_.size() <= task) origins_.resize(task + 1);
  origins_[task] = detail::task_origin(task, file ? file : "", line);
  if (inner_) inner_->created(task, file, line);
}

std::size_t Narrator::choose(std::span<const std::uint64_t> ready) {
  const std::size_t index = inner_ ? std::min(inner_->choose(ready), ready.size() - 1) : 0;
  steps_.push_back({{ready.begin(), ready.end()}, static_cast<std::uint32_t>(index)});
  return record(index);
}

const std::string& Narrator::origin(std::uint64_t task) const {
  static const std::string kNone;
  return task < origins_.size() ? origins_[task] : kNone;
}

void Narrator::switched(std::uint64_t task) {
  if (on_switch_) on_switch_(task, origin(task));
}

void DfsStrategy::begin() {
  forget();
  depth_ = 0;
}

std::size_t DfsStrategy::choose(std::span<const std::uint64_t> ready) {
  const auto options = static_cast<std::uint32_t>(ready.size());
  if (depth_ < stack_.size()) {
    stack_[depth_].options = options;  // the same program makes the same choices up to here
    return record(std::min(stack_[depth_++].taken, options - 1));
  }
  stack_.push_back({0, options});
  ++depth_;
  return record(0);
}

bool DfsStrategy::advance() {
  stack_.resize(depth_);
  while (!stack_.empty() && stack_.back().taken + 1 >= stack_.back().options) stack_.pop_back();
  if (stack_.empty()) return false;
  ++stack_.back().taken;
  return true;
}

std::string Schedule::to_string() const {
  const std::string runs = ":" + std::to_string(run_seed) + ":";
  switch (kind) {
    case Kind::random:
      return "random" + runs + std::to_string(seed);
    case Kind::pct:
      return "pct" + std::to_string(depth) + runs + std::to_string(seed);
    case Kind::dfs:
      break;
  }
  std::string text = "dfs" + runs;
  for (std::size_t i = 0; i < path.size(); ++i)
    text += (i > 0 ? "." : "") + std::to_string(path[i]);
  return text;
}

std::optional<Schedule> Schedule::parse(std::string_view text) {
  const std::vector<std::string_view> f = fields(text, ':');
  Schedule s;
  if (f.size() != 3 || !parse_kind(f[0], s)) return std::nullopt;
  const auto run_seed = number(f[1]);
  if (!run_seed) return std::nullopt;
  s.run_seed = *run_seed;
  if (s.kind != Kind::dfs) {
    const auto seed = number(f[2]);
    if (!seed) return std::nullopt;
    s.seed = *seed;
    return s;
  }
  if (f[2].empty()) return s;
  for (std::string_view step : fields(f[2], '.')) {
    const auto index = number(step);
    if (!index || *index > 1'000'000) return std::nullopt;
    s.path.push_back(static_cast<std::uint32_t>(*index));
  }
  return s;
}

std::unique_ptr<Strategy> replay(const Schedule& schedule, std::size_t pct_steps) {
  switch (schedule.kind) {
    case Schedule::Kind::random:
      return random_strategy(schedule.seed);
    case Schedule::Kind::pct:
      return pct_strategy(schedule.seed, schedule.depth, pct_steps);
    case Schedule::Kind::dfs:
      break;
  }
  return std::make_unique<PathStrategy>(schedule.path);
}

}  // namespace cacophony::runtime
