#!/usr/bin/env bash
# What cacophony generates from its own command-line definitions (issue 17):
# - `completion bash`, sourced in a non-interactive bash, completes commands, scenario ids, fixed
#   values and paths;
# - `completion zsh` loads in zsh's completion system and defines its function;
# - `manual` renders with man -l without a warning, and names every command and every option
#   that each command's --help lists, so the two cannot drift apart.
# Usage: completion_manual_test.sh CACOPHONY
set -euo pipefail
bin="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Completes LINE (a trailing space starts a new word) and prints the candidates, sorted.
complete_line() {
  bash --norc --noprofile -c '
    source <("$1" completion bash) || exit 1
    read -ra COMP_WORDS <<<"$2"
    [[ $2 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _cacophony
    printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$bin" "$1"
}
expect() {
  local got
  got=$(complete_line "$1" | tr '\n' ' ')
  [[ "$got" == "$2 " ]] || fail "completing '$1' gave '$got', expected '$2'"
  echo "ok: '$1' -> $2"
}
expect "cacophony ru" "run"
expect "cacophony run async_w" \
  "async_with_atomic async_with_channels async_with_channels_services async_with_mutex"
expect "cacophony explore async_naive --str" "--strategy"
expect "cacophony --time s" "simulated"
expect "cacophony play --follow " "file: jack simulated"
mkdir "$work/songs" && touch "$work/songs/verse.txt" "$work/songs/chorus.txt"
expect "cacophony play --map $work/songs/v" "$work/songs/verse.txt"
expect "cacophony analyze $work/songs/c" "$work/songs/chorus.txt"
expect "cacophony play --bpm " ""
expect "cacophony completion " "bash zsh"
bash --norc -c 'source <("$1" completion bash); complete -p cacophony' _ "$bin" | grep _cacophony >/dev/null ||
  fail "bash: no completion registered for cacophony"

"$bin" completion zsh >"$work/_cacophony"
zsh -n "$work/_cacophony" || fail "zsh: the script does not parse"
zsh -f -c 'autoload -U compinit && compinit -u -d "$1/zcompdump" && source "$1/_cacophony" &&
  [[ ${_comps[cacophony]} == _cacophony ]]' _ "$work" || fail "zsh: no completion registered"
echo "ok: zsh loads the script and registers _cacophony"
"$bin" completion fish >/dev/null 2>&1 && fail "completion fish was accepted"

"$bin" manual >"$work/cacophony.1"
MANWIDTH=100 man --warnings -l "$work/cacophony.1" >"$work/manual.txt" 2>"$work/man.err" ||
  fail "man -l failed: $(cat "$work/man.err")"
[[ ! -s "$work/man.err" ]] || fail "man -l warned: $(cat "$work/man.err")"
for section in NAME SYNOPSIS OPTIONS COMMANDS "EXIT STATUS" "TEMPO MAPS" FILES ENVIRONMENT EXAMPLES; do
  grep -q "^$section" "$work/manual.txt" || fail "the manual has no $section section"
done
grep -q JACK_DEFAULT_SERVER "$work/manual.txt" || fail "the manual does not name JACK_DEFAULT_SERVER"
commands=$("$bin" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1} /^$/ {on = 0}')
[[ -n "$commands" ]] || fail "no commands found in --help"
checked=0
for command in "" $commands; do
  # The command's own part of the manual: from its heading to the next command's.
  if [[ -z "$command" ]]; then
    part=$(sed -n '/^OPTIONS/,/^COMMANDS/p' "$work/manual.txt")
  else
    part=$(awk -v c="$command" '$0 == "   " c {on = 1; print; next} /^   [a-z]/ || /^[A-Z]/ {on = 0} on' \
      "$work/manual.txt")
    [[ -n "$part" ]] || fail "the manual has no section for '$command'"
  fi
  for option in $("$bin" $command --help | grep -oE '^ +(-[a-z],)?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
    grep -qe "$option" <<<"$part" || fail "'cacophony $command --help' lists $option; its manual section does not"
    checked=$((checked + 1))
  done
done
echo "ok: the manual renders without a warning and names all $checked options of --help, command by command"
