#!/usr/bin/env bash
# cacophony under PipeWire (issue 17): a PipeWire of the test's own, with no sound card and no
# desktop, plays `pw-jack cacophony play` into a null sink while pw-record records the sink's
# monitor; the checker then finds every click in the recording and checks their count and spacing.
#
# Everything lives in a temporary folder: XDG_RUNTIME_DIR (mode 0700, the sockets), HOME and the
# XDG config and state folders (WirePlumber's config and the state it saves), all under a session
# bus of its own (dbus-run-session). Whatever happens, pipewire, wireplumber, pw-record and
# cacophony are stopped (SIGTERM, then SIGKILL) and the folder removed before the script returns.
# Usage: pipewire_play.sh CACOPHONY CHECKER
#   CHECKER FILE.wav COUNT SPACING QUANTUM checks the onsets (tests/pipewire_onsets.cpp).
set -euo pipefail

cacophony="$1"
checker="$2"
here=$(cd "$(dirname "$0")" && pwd)

rate=48000
bpm=120
beats=8
spacing=$((rate * 60 / bpm))  # 24000 frames between clicks
# The graph runs in cycles of one quantum, forced to 2048 frames (43 ms, PipeWire's default
# largest): with 1024, a loaded machine (two cores, two builds) lost cycles in 12 runs of 20, with
# 2048 in none of 8. A run passes when its 8 clicks are each exactly 24000 frames after the one
# before. A run that lost cycles (no click late, some early, most spacings exact: the checker's
# exit 3) proves nothing either way and is tried again, up to three runs in all; anything else (a
# click doubled, missing or late, a wrong tempo) fails at once.
quantum=2048
attempts=3

fail() {
  echo "pipewire_play: $*" >&2
  exit 1
}

for tool in pipewire wireplumber pw-cli pw-metadata pw-jack pw-record pw-link dbus-run-session; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (run scripts/setup)"
done

# A session bus of our own (WirePlumber wants one): this script runs again inside
# dbus-run-session, which ends the bus when it returns. A SIGINT or SIGTERM is passed on to it,
# and it cleans up. (As root, dbus-daemon says it cannot raise its file limit: left out.)
if [[ -z "${CACOPHONY_PW_IN_SESSION:-}" ]]; then
  export CACOPHONY_PW_IN_SESSION=1
  dbus-run-session -- "$0" "$@" 2> >(grep -v 'Failed to set fd limit' >&2) &
  session=$!
  # shellcheck disable=SC2317  # called by the trap
  pass_on() {
    pkill -TERM -P "$session" -x bash || true  # the script, not dbus-daemon nor the grep
    wait "$session"
    exit 130
  }
  trap pass_on INT TERM
  wait "$session"
  exit $?
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cacophony-pipewire.XXXXXX")
pids=() names=()  # every process started and running, stopped in reverse order on exit

start() {  # start NAME COMMAND...: in the background, its output in $work/NAME.log
  local name=$1
  shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}
forget_last() { unset 'pids[-1]' 'names[-1]'; }

stop() {  # stop PID: SIGTERM, up to 3 s, then SIGKILL
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 30); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[i]}"; done
  if ((status != 0)); then
    for log in "$work"/*.log; do
      [[ -s "$log" ]] && { echo "--- ${log##*/}"; tail -n 20 "$log"; }
    done >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Nothing of the caller's: no other PipeWire, JACK server or user config.
unset PIPEWIRE_REMOTE PIPEWIRE_CORE PIPEWIRE_CONFIG_DIR PIPEWIRE_QUANTUM JACK_DEFAULT_SERVER \
  WIREPLUMBER_CONFIG_DIR WIREPLUMBER_DATA_DIR XDG_CONFIG_DIRS XDG_DATA_HOME
export HOME="$work/home"
export XDG_RUNTIME_DIR="$work/run"
export PIPEWIRE_RUNTIME_DIR="$XDG_RUNTIME_DIR"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_STATE_HOME="$HOME/.local/state"
mkdir -p "$HOME" "$XDG_CONFIG_HOME/wireplumber/main.lua.d" "$XDG_CONFIG_HOME/wireplumber/bluetooth.lua.d"
mkdir -m 0700 "$XDG_RUNTIME_DIR"

# Headless: no device monitors (no sound card, camera or Bluetooth to look for, and no real device
# taken on a machine that has one). WirePlumber keeps its session policy, which links pw-record.
cat >"$XDG_CONFIG_HOME/wireplumber/main.lua.d/51-cacophony-headless.lua" <<'EOF'
alsa_monitor.enabled = false
v4l2_monitor.enabled = false
libcamera_monitor.enabled = false
EOF
echo 'bluez_monitor.enabled = false' \
  >"$XDG_CONFIG_HOME/wireplumber/bluetooth.lua.d/51-cacophony-headless.lua"

start pipewire pipewire

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    for i in "${!pids[@]}"; do
      kill -0 "${pids[i]}" 2>/dev/null || fail "${names[i]} died while waiting for $what"
    done
    sleep 0.1
  done
  fail "no $what within $seconds s"
}
wait_for 10 "answer from pipewire (pw-cli info 0)" pw-cli info 0
start wireplumber wireplumber  # after: it gives up at once when no PipeWire answers
# WirePlumber is up once it has made the "default" metadata.
wireplumber_ready() { pw-cli ls Metadata | grep -q 'metadata.name = "default"'; }
wait_for 10 "WirePlumber (its \"default\" metadata)" wireplumber_ready

pw-cli create-node adapter '{ factory.name=support.null-audio-sink node.name=cacophony-null
  media.class=Audio/Sink object.linger=true audio.position=[FL FR] }' >"$work/create-node.log" ||
  fail "pw-cli create-node: could not create the null sink"
pw-metadata -n settings 0 clock.force-quantum "$quantum" >"$work/pw-metadata.log" ||
  fail "pw-metadata: could not force the quantum to $quantum"
sink_ready() { pw-link -i | grep -qx 'cacophony-null:playback_FL'; }
wait_for 10 "null sink cacophony-null" sink_ready

# run N: one take, recorded into $work/heard-N.wav and checked; the checker's exit status.
run() {
  local n=$1 status=0
  # The recorder, 32-bit float so that the silence between clicks stays exact zeros, asking
  # WirePlumber for the sink (a capture stream aimed at a sink records its monitor).
  start pw-record pw-record --target cacophony-null --rate "$rate" --channels 2 --format f32 \
    -P '{ node.name=cacophony-recorder }' "$work/heard-$n.wav"
  wait_for 10 "link from the sink's monitor to pw-record" recording
  sleep 0.5  # a few cycles recorded before the first click

  # Mono into the sink's left channel; the recording's first channel is what the checker reads.
  # In the background, so that a signal to this script is handled at once (wait returns).
  # Under `make asan`, LeakSanitizer leaves out what PipeWire's own libraries keep.
  LSAN_OPTIONS="suppressions=$here/pipewire.lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
    start cacophony timeout 30 pw-jack "$cacophony" play --bpm "$bpm" --beats "$beats" --quiet \
    --connect cacophony-null:playback_FL
  wait "${pids[-1]}" || status=$?
  forget_last
  ((status == 0)) || fail "pw-jack cacophony play failed (exit $status; 124: still playing after 30 s)"
  sleep 0.5  # the last click's tail, and a cycle or two of silence after it

  stop "${pids[-1]}"  # pw-record, which ends its file on SIGTERM
  forget_last
  [[ -s "$work/heard-$n.wav" ]] || fail "pw-record wrote nothing"
  "$checker" "$work/heard-$n.wav" "$beats" "$spacing" "$quantum" || status=$?
  return "$status"
}
recording() { pw-link -l | grep -A2 '^cacophony-null:monitor_FL' | grep -q 'cacophony-recorder'; }

for n in $(seq "$attempts"); do
  status=0
  run "$n" || status=$?
  case $status in
    0) break ;;
    3) echo "pipewire_play: run $n of $attempts lost cycles (a loaded machine): run discarded" ;;
    *) fail "the clicks recorded from the null sink are not $beats clicks $spacing frames apart" ;;
  esac
done
((status == 0)) || fail "all $attempts runs had clicks early (cycles lost on a loaded machine?)"
echo "pipewire_play: $beats clicks through PipeWire, $spacing frames apart (quantum $quantum)"
