#pragma once
// Defer: Go's `defer`. Runs `fn` when the scope ends; several run in reverse order of declaration,
// as Go's deferred calls do.

#include <utility>

namespace cacophony::runtime {

template <class F>
class Defer {
 public:
  explicit Defer(F fn) : fn_(std::move(fn)) {}
  ~Defer() { fn_(); }
  Defer(const Defer&) = delete;
  Defer& operator=(const Defer&) = delete;

 private:
  F fn_;
};

}  // namespace cacophony::runtime
