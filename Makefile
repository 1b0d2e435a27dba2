# The README's two commands are `make run` and `make test`; both set up what they need.
.PHONY: setup build run test package tsan asan fuzz soak bench screenshot format lint clean

setup:
	@scripts/setup

build: setup
	@cmake --preset default >/dev/null
	@cmake --build --preset default

run: build
	./build/cacophony

test: build
	ctest --preset default

# The Debian packages cacophony and cacophony-dev (cmake/package.cmake), into build/package/.
package: build
	@cd build && cpack -G DEB >/dev/null
	@ls build/package/*.deb

tsan: setup
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan
	ctest --preset tsan

asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan
	ctest --preset asan

# libFuzzer on every parser of outside input (fuzz/), FUZZ_SECONDS each (default 60).
FUZZ_TARGETS = fuzz_options fuzz_meter_spec fuzz_live_commands fuzz_file_meter fuzz_map_parser
fuzz: setup
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz --target $(FUZZ_TARGETS)
	@scripts/fuzz $(FUZZ_TARGETS)

# Every correct scenario for 10 000 000 simulated beats: time, peak memory, open files (not in CI).
soak: build
	@scripts/soak

# cacophony_onset_bench: onsets on the practice corpus's held-out half, beside aubio (BENCHMARKS.md).
# Go (golang-go, installed by setup) runs its twins in the same run: the ticker beside the
# precision benchmark, and parked goroutines and channel ping-pong beside the runtime's.
bench: build
	@cd bench/go_ticker && go build -o ../../build/bench/go_ticker main.go
	./build/bench/cacophony_bench
	./build/bench/cacophony_onset_bench
	bench/runtime_vs_go
	bench/render_vs_klick
	bench/play_vs_klick
	bench/midi_clock_vs_jack_midi_clock

# The README's pictures: the report page, taken by the page test in Chromium, and play's live
# display, through a pseudo-terminal.
screenshot: build
	CACOPHONY_SCREENSHOT=docs/report.png node tests/page/page.test.mjs build/cacophony
	scripts/live-screenshot docs/live-display.png
	CACOPHONY_SCREENSHOT=docs/practice.png node tests/page/practice.test.mjs build/cacophony

format:
	@git ls-files '*.h' '*.cpp' | xargs clang-format -i

# No function in source/ or app/ longer than 60 lines (clang-tidy, over build/compile_commands.json).
lint: build
	@git ls-files 'source/*.cpp' 'app/*.cpp' | xargs -P2 -n4 clang-tidy -p build --quiet \
	  --warnings-as-errors='*' --checks='-*,readability-function-size' \
	  --config='{CheckOptions: [{key: readability-function-size.LineThreshold, value: 60}]}' \
	  >build/lint.log 2>&1; status=$$?; grep -v 'warnings generated' build/lint.log; \
	  if [ $$status -ne 0 ]; then echo "lint: functions over 60 lines (see above)"; exit 1; fi; \
	  echo "lint: no function over 60 lines"

clean:
	rm -rf build build-tsan build-asan build-fuzz
