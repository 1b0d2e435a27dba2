#include "cacophony/tracker/window.h"

#include <algorithm>

namespace cacophony {

void EventWindow::add(const Event& e) {
  const Kept kept{e, recorded_++};
  if (heap_.size() < capacity_) {
    heap_.push_back(kept);
    std::push_heap(heap_.begin(), heap_.end(), earlier);
  } else if (!heap_.empty() && earlier(kept, heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), earlier);
    heap_.back() = kept;
    std::push_heap(heap_.begin(), heap_.end(), earlier);
  }
}

std::vector<Event> EventWindow::take() {
  const bool cut = recorded_ > static_cast<std::int64_t>(heap_.size());
  if (cut)
    std::sort(heap_.begin(), heap_.end(), earlier);
  else
    std::sort(heap_.begin(), heap_.end(),
              [](const Kept& a, const Kept& b) { return a.seq < b.seq; });
  std::vector<Event> events;
  events.reserve(heap_.size());
  for (const Kept& k : heap_) events.push_back(k.event);
  heap_.clear();
  heap_.shrink_to_fit();
  return events;
}

}  // namespace cacophony
