# The README's two commands are `make run` and `make test`; both set up what they need.
.PHONY: setup build run test tsan asan bench screenshot format clean

setup:
	@scripts/setup

build: setup
	@cmake --preset default >/dev/null
	@cmake --build --preset default

run: build
	./build/cacophony

test: build
	ctest --preset default

tsan: setup
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan
	ctest --preset tsan

asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan
	ctest --preset asan

bench: build
	./build/bench/cacophony_bench

# The README's picture of the report page, taken by the page test in Chromium.
screenshot: build
	CACOPHONY_SCREENSHOT=docs/report.png node tests/page/page.test.mjs build/cacophony

format:
	@git ls-files '*.h' '*.cpp' | xargs clang-format -i

clean:
	rm -rf build build-tsan build-asan
