#!/usr/bin/env bash
# The Debian packages (issue 17), made by CPack from BUILD as `make package` makes them:
# - lintian reports no error (warnings and notes are printed);
# - the package's version is the one `cacophony --version` says;
# - unpacked with dpkg-deb -x: the binary runs --help, and the main job in simulated time gives
#   exactly the build's output; the manual page renders with man -l; every shared library the
#   binary needs comes from a package its Depends declares; the completions are in place.
# - the -dev package, unpacked beside it, builds examples/my_metronome, which runs.
# Usage: package_test.sh BUILD SOURCE
set -euo pipefail
build="$1"
source="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack"; }
version=$("$build/cacophony" --version | awk '{print $2}')
deb="$work/out/cacophony_${version}_amd64.deb"
dev="$work/out/cacophony-dev_${version}_amd64.deb"
[[ -f "$deb" && -f "$dev" ]] || fail "expected $(basename "$deb") and $(basename "$dev"), got: $(ls "$work/out")"
for package in "$deb" "$dev"; do
  [[ $(dpkg-deb -f "$package" Version) == "$version" ]] || fail "$package: Version is not $version"
done
echo "ok: built $(basename "$deb") and $(basename "$dev")"

lintian --allow-root --fail-on error --display-level '>=pedantic' "$deb" "$dev" | tee "$work/lintian.txt" ||
  fail "lintian reports errors"
echo "ok: lintian reports no error ($(grep -c '^W:' "$work/lintian.txt" || true) warnings)"

root="$work/root"
dpkg-deb -x "$deb" "$root"
bin="$root/usr/bin/cacophony"
"$bin" --help | grep '^Usage: cacophony' >/dev/null || fail "the packaged binary's --help"
"$bin" --time simulated --no-report >"$work/packaged.txt" || fail "the packaged binary's main job"
"$build/cacophony" --time simulated --no-report >"$work/built.txt"
cmp -s "$work/packaged.txt" "$work/built.txt" || fail "the packaged binary's main job differs from the build's"
grep -q 'async_with_channels_services' "$work/packaged.txt" || fail "the main job ran no scenario"
echo "ok: the packaged binary runs --help and the main job in simulated time"

MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/cacophony.1.gz" >"$work/man.txt" 2>"$work/man.err" ||
  fail "man -l: $(cat "$work/man.err")"
[[ ! -s "$work/man.err" ]] || fail "man -l warned: $(cat "$work/man.err")"
grep -q '^EXIT STATUS' "$work/man.txt" || fail "the manual page has no EXIT STATUS"
echo "ok: its manual page renders with man -l"
for file in usr/share/bash-completion/completions/cacophony usr/share/zsh/vendor-completions/_cacophony \
  usr/share/doc/cacophony/copyright usr/share/doc/cacophony/README.md; do
  [[ -s "$root/$file" ]] || fail "the package has no /$file"
done

# Each library the binary names (NEEDED), resolved as the loader would, belongs to a package the
# package depends on.
depends=$(dpkg-deb -f "$deb" Depends)
declared=$(tr ',|' '\n\n' <<<"$depends" | awk '{print $1}')
checked=0
for library in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(ldconfig -p | awk -v l="$library" '!found && $1 == l && /x86-64/ {print $NF; found = 1}')
  [[ -n "$path" ]] || fail "$library is not found by the loader"
  owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "$path") || fail "no package owns $path"
  owner=${owner%%:*}
  grep -qxF "$owner" <<<"$declared" || fail "$library comes from $owner, which Depends does not name: $depends"
  checked=$((checked + 1))
done
((checked > 5)) || fail "only $checked libraries found"
echo "ok: the $checked libraries the binary needs come from packages it depends on"

dpkg-deb -x "$dev" "$root"
cmake -S "$source/examples/my_metronome" -B "$work/example" -G Ninja -DCMAKE_PREFIX_PATH="$root/usr" \
  >"$work/example.log" 2>&1 || { cat "$work/example.log"; fail "the example does not configure"; }
cmake --build "$work/example" >"$work/example.log" 2>&1 || { cat "$work/example.log"; fail "the example does not build"; }
"$work/example/my_metronome" run my_metronome --time simulated | grep '^19 my_metronome .*beats 15/15' >/dev/null ||
  fail "the example built against cacophony-dev does not run its metronome"
echo "ok: examples/my_metronome builds against the unpacked cacophony-dev and runs"
