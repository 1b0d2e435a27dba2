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
grep -q '^ *15 *my_metronome' <<<"$listed" || { echo "list has no my_metronome 15th"; exit 1; }
grep -q 'my_metronome' <<<"$ran" || { echo "run did not run my_metronome"; exit 1; }
# A program of one's own speaks and completes under its own name.
completion=$("$work/build/my_metronome" completion bash)
grep -q '^complete -F _my_metronome my_metronome$' <<<"$completion" ||
  { echo "my_metronome's completion is not registered for my_metronome"; exit 1; }
status=0
refused=$("$work/build/my_metronome" --bogus 2>&1) || status=$?
[[ $status == 2 ]] && grep -q '^my_metronome: error:' <<<"$refused" ||
  { echo "my_metronome's errors do not name it (exit $status): $refused"; exit 1; }
