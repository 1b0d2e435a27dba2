#pragma once
// Schedules: the simulated runtime's choices of which ready task runs next, made by a Strategy,
// so that a run can be explored under many interleavings (as awslabs/shuttle and Coyote do) and
// any one of them replayed.
//
// - A choice is made whenever two or more tasks are ready; with one there is nothing to choose.
//   FIFO (the default, no Strategy) always takes the longest-ready task. Every go() is a choice
//   point as well (simulated time): its spawner goes on (index 0, FIFO's choice) or a ready task,
//   the new one among them, runs first, as Go allows.
// - random: each choice uniform, from a seeded generator.
// - pct: Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010): each task gets a
//   random priority as it is created, and the highest-priority ready task runs; at depth-1 random
//   choice steps (within the first `steps` choices) the task that would run is demoted below all
//   others. A bug of depth d among n steps and k tasks is found with probability at least
//   1/(k·n^(d−1)) per run.
// - dfs: bounded exhaustive search, one run after another: each run follows the previous run's
//   choices up to the last one that has an untried option, takes the next option there, and the
//   first option after; exhausted() says when every schedule has been run.
// - A Schedule names a run completely: the strategy, its seed (or, for dfs, the choices) and the
//   seed of the run's own random draws, as a short string (to_string/parse). replay() gives the
//   strategy that makes the same choices again.
//
// - A Narrator keeps a run's schedule as facts for a person: at every choice, which tasks were
//   ready and which one ran, and where each task was started; and it tells each switch as it
//   happens.
//
// Thread safety: a Strategy serves one run at a time, on the simulated runtime's one thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cacophony::runtime {

class Strategy {
 public:
  virtual ~Strategy() = default;
  // A run begins (the strategy's state for one run is reset).
  virtual void begin() {}
  // A task was created by go() at `file`:`line`; ids count from 0 in creation order within the
  // run.
  virtual void created(std::uint64_t /*task*/, const char* /*file*/, unsigned /*line*/) {}
  // The ready tasks' ids in FIFO order (at least two): the index of the one to run.
  virtual std::size_t choose(std::span<const std::uint64_t> ready) = 0;
  // The choices made in the run so far, as indices: the run's choice points.
  const std::vector<std::uint32_t>& choices() const { return choices_; }
  // Task `task` runs (is resumed); the runtime tells every switch.
  void ran(std::uint64_t task) {
    order_ = (order_ ^ task) * 0x100000001b3ULL;
    switched(task);
  }
  // The order the run's tasks ran in, hashed (FNV-1a over their ids): runs with equal hashes
  // ran their tasks in the same order.
  std::uint64_t order() const { return order_; }

 protected:
  // What a strategy does on a switch besides hashing the order: nothing, but for the Narrator.
  virtual void switched(std::uint64_t /*task*/) {}
  std::size_t record(std::size_t index) {
    choices_.push_back(static_cast<std::uint32_t>(index));
    return index;
  }
  void forget() {
    choices_.clear();
    order_ = kOrderBasis;
  }

 private:
  static constexpr std::uint64_t kOrderBasis = 0xcbf29ce484222325ULL;
  std::vector<std::uint32_t> choices_;
  std::uint64_t order_ = kOrderBasis;
};

struct Schedule {
  enum class Kind { random, pct, dfs };
  Kind kind = Kind::random;
  std::uint64_t run_seed = 1;       // the seed of the run's own draws (delays, volumes)
  std::uint64_t seed = 0;           // random, pct
  int depth = 3;                    // pct
  std::vector<std::uint32_t> path;  // dfs: the choices

  std::string to_string() const;
  // std::nullopt for text that is not a schedule.
  static std::optional<Schedule> parse(std::string_view text);
};

std::unique_ptr<Strategy> random_strategy(std::uint64_t seed);
std::unique_ptr<Strategy> pct_strategy(std::uint64_t seed, int depth, std::size_t steps);

class DfsStrategy final : public Strategy {
 public:
  void begin() override;
  std::size_t choose(std::span<const std::uint64_t> ready) override;
  // After a run: moves to the next schedule; false once every one has been run.
  bool advance();

 private:
  struct Point {
    std::uint32_t taken;
    std::uint32_t options;
  };
  std::vector<Point> stack_;  // the choice points of the last run
  std::size_t depth_ = 0;     // how far the current run has come
};

// Makes the choices of `inner` (FIFO's, index 0, when null) and keeps them with the tasks that were
// ready at each, and where each task was started, to be told in words. `on_switch`, when given,
// is called at every switch with the task that runs next and its origin(), on the run's thread,
// so it may read the runtime's now(). One Narrator serves one run at a time, like any Strategy.
class Narrator final : public Strategy {
 public:
  struct Step {
    std::vector<std::uint64_t> ready;  // in FIFO order; at a go(), the spawner first
    std::uint32_t taken = 0;           // the index in `ready` of the task that ran
  };
  using SwitchObserver = std::function<void(std::uint64_t task, const std::string& origin)>;

  explicit Narrator(Strategy* inner = nullptr, SwitchObserver on_switch = {});
  void begin() override;
  void created(std::uint64_t task, const char* file, unsigned line) override;
  std::size_t choose(std::span<const std::uint64_t> ready) override;

  const std::vector<Step>& steps() const { return steps_; }
  // "the main task" for task 0, else "go at FILE:LINE" (the file's name without its folders);
  // "" for a task this run did not create.
  const std::string& origin(std::uint64_t task) const;

 protected:
  void switched(std::uint64_t task) override;

 private:
  Strategy* inner_;
  SwitchObserver on_switch_;
  std::vector<Step> steps_;
  std::vector<std::string> origins_;  // by task id
};

// The strategy that makes `schedule`'s choices again (for dfs: its path, then the first option).
std::unique_ptr<Strategy> replay(const Schedule& schedule, std::size_t pct_steps = 1000);

}  // namespace cacophony::runtime
