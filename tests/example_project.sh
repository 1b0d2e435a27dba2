#!/usr/bin/env bash
# The example project (examples/my_metronome) against the installed package: installs BUILD into a
# temporary prefix, configures and builds the example out of tree, and runs its metronome through
# cacophony's own commands. SANITIZE, when not empty, is the build's -fsanitize= list.
# Usage: example_project.sh BUILD SOURCE [SANITIZE]
set -euo pipefail
build="$1"
source="$2"
sanitize="${3:-}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=()
if [[ -n "$sanitize" ]]; then
  flags=(-DCMAKE_CXX_FLAGS="-fsanitize=$sanitize" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$sanitize")
fi
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$source/examples/my_metronome" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" "${flags[@]}" >"$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" >"$work/build.log" || { cat "$work/build.log"; exit 1; }
listed=$("$work/build/my_metronome" list)
ran=$("$work/build/my_metronome" run my_metronome --time simulated)
printf '%s\n%s\n' "$listed" "$ran"
grep -q '^ *19 *my_metronome' <<<"$listed" || { echo "list has no my_metronome 19th"; exit 1; }
grep -q 'my_metronome' <<<"$ran" || { echo "run did not run my_metronome"; exit 1; }
# Its page counts what ran, numbers it after the eighteen built in and carries its code.
(cd "$work" && "$work/build/my_metronome" run my_metronome --time simulated --report own.html >/dev/null)
own=$(cat "$work/own.html")
grep -q '<h1>One metronome, one way:' <<<"$own" &&
  grep -q '<span class="title">19\. ' <<<"$own" &&
  grep -q '<td>19</td><td><a href="#my_metronome">' <<<"$own" &&
  grep -q 'Metronome measure_ahead(VolumeMeter meter, int beats)' <<<"$own" ||
  { echo "my_metronome's page is not its own (count, number 19, embedded code)"; exit 1; }
# A program of one's own speaks and completes under its own name.
completion=$("$work/build/my_metronome" completion bash)
grep -q '^complete -F _my_metronome my_metronome$' <<<"$completion" ||
  { echo "my_metronome's completion is not registered for my_metronome"; exit 1; }
status=0
refused=$("$work/build/my_metronome" --bogus 2>&1) || status=$?
[[ $status == 2 ]] && grep -q '^my_metronome: error:' <<<"$refused" ||
  { echo "my_metronome's errors do not name it (exit $status): $refused"; exit 1; }
# One voice (app/io/voice.h): nothing it says or writes for its reader names cacophony, and what it
# tells the reader to run is its own command line.
never_cacophony() {  # WHAT TEXT
  if grep -qi 'cacophony' <<<"$2"; then echo "my_metronome's $1 says cacophony: $2"; exit 1; fi
}
status=0
refused=$("$work/build/my_metronome" run no_such 2>&1) || status=$?
[[ $status == 2 && $refused == "my_metronome: error: unknown scenario 'no_such' (see my_metronome list)" ]] ||
  { echo "my_metronome's error (exit $status): $refused"; exit 1; }
"$work/build/my_metronome" run my_metronome --beats 100000 >"$work/run.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^my_metronome: 1 scenario at' "$work/run.out" && break; sleep 0.1; done
kill -INT "$pid"
for _ in $(seq 100); do grep -q 'stopping after' "$work/run.out" && break; sleep 0.1; done
# The second Ctrl-C aborts at once, unless the scenario has finished and the program gone already.
kill -INT "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
stopped=$(cat "$work/run.out")
[[ $status == 130 ]] &&
  grep -qx 'my_metronome: stopping after this scenario (Ctrl-C again to abort at once)' <<<"$stopped" ||
  { echo "my_metronome's stop note (exit $status): $stopped"; exit 1; }
never_cacophony "run, stopped," "$stopped"
explored=$(cd "$work" && "$work/build/my_metronome" explore my_metronome --schedules 20 \
  --report explore.html 2>&1)
never_cacophony "explore" "$explored"
page=$(cat "$work/explore.html")
grep -q '(<code>my_metronome explore</code>)' <<<"$page" &&
  grep -q 'my_metronome run my_metronome --replay ' <<<"$page" ||
  { echo "my_metronome's explore page does not tell its own commands"; exit 1; }
if grep -qiE 'cacophony (run|explore|list)' <<<"$page"; then
  echo "my_metronome's explore page tells the reader to run cacophony"; exit 1
fi
# README's "Your own metronome" compiles as shown: its C++ blocks, put together, are the whole
# program (the example's CMakeLists.txt builds them) and run as the nineteenth.
mkdir "$work/readme"
cp "$source/examples/my_metronome/CMakeLists.txt" "$work/readme/"
awk '/^## Your own metronome/ { on = 1; next } /^## / { on = 0 }
     on && /^```cpp$/ { code = 1; next } code && /^```$/ { code = 0; next } on && code' \
  "$source/README.md" >"$work/readme/my_metronome.cpp"
cmake -S "$work/readme" -B "$work/readme-build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  "${flags[@]}" >"$work/readme.log" && cmake --build "$work/readme-build" >>"$work/readme.log" ||
  { echo "README's snippets do not build as shown:"; cat "$work/readme/my_metronome.cpp" \
    "$work/readme.log"; exit 1; }
readme_ran=$("$work/readme-build/my_metronome" run my_metronome --time simulated)
grep -q '^ *19 *my_metronome .*beats 15/15' <<<"$readme_ran" ||
  { echo "README's metronome did not run: $readme_ran"; exit 1; }
