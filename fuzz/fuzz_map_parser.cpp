// Fuzzes the tempo map parser: a map either parses to a performance check() accepts, or is
// refused with a RhythmError; anything else (another exception, a crash, undefined behaviour) is
// a bug. So is memory out of proportion to the text: the parser's peak of allocated bytes must
// stay within kBytesPerByte times the input, plus kSlack (a line's fields, and containers'
// doubling, at their smallest). A map's sections are capped (kMaxSections), so this bounds the
// largest map too.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

#include "cacophony/rhythm/parse.h"

using namespace cacophony::rhythm;

namespace {

constexpr std::size_t kBytesPerByte = 128;  // a four-byte line "1 1" is a 144-byte Section
constexpr std::size_t kSlack = 1 << 20;

// Every allocation carries its size in front, so that the bytes in use are known at any time.
constexpr std::size_t kHeader = alignof(std::max_align_t);
std::atomic<std::size_t> in_use{0};  // libFuzzer's own threads allocate too
std::atomic<std::size_t> peak{0};

void* counted(std::size_t size) {
  auto* block = static_cast<unsigned char*>(std::malloc(size + kHeader));
  if (!block) return nullptr;
  *reinterpret_cast<std::size_t*>(block) = size;
  const std::size_t now = in_use += size;
  if (now > peak) peak = now;
  return block + kHeader;
}

void release(void* p) {
  if (!p) return;
  unsigned char* block = static_cast<unsigned char*>(p) - kHeader;
  in_use -= *reinterpret_cast<std::size_t*>(block);
  std::free(block);
}

}  // namespace

void* operator new(std::size_t size) {
  if (void* p = counted(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted(size);
}
void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t before = in_use;
  peak = in_use.load();
  Performance performance;
  try {
    performance = parse_map(text, "fuzz");
  } catch (const RhythmError&) {
    // a refusal is a fine answer to a bad map
  } catch (...) {
    std::abort();
  }
  if (peak - before > kBytesPerByte * size + kSlack) std::abort();
  if (performance.sections.empty()) return 0;
  try {
    check(performance);  // the parser must return only what a Timeline can play
  } catch (...) {
    std::abort();
  }
  return 0;
}
