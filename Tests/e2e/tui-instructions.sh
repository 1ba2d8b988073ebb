#!/usr/bin/env bash
# End-to-end: the workspace's AGENTS.md reaches the model in the system message (the scripted backend echoes
# the system message it was sent), is shown folded at the top of the transcript with its size, and
# --no-instructions leaves it out.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${GLMCHAT_BIN:-$PWD/.build/release/glmchat}
SCRIPT=$PWD/Tests/e2e/fixtures/echo-script.json
[ -x "$BIN" ] || { echo "tui-instructions: $BIN is missing; build it first (swift build -c release)"; exit 1; }
command -v tmux >/dev/null || { echo "tui-instructions: tmux is not installed (scripts/setup installs it)"; exit 1; }

TMP=$(mktemp -d)
SOCK="glmchat-instr-$$"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
T new-session -d -s keep "sleep 3600"
ENVV="env XDG_CONFIG_HOME=$TMP/config XDG_DATA_HOME=$TMP/data HOME=$TMP/home TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"
mkdir -p "$TMP/home" "$TMP/ws"
printf '# House rules\n\nIndent with tabs-7391.\n' > "$TMP/ws/AGENTS.md"

pane() { T capture-pane -p -J -t e2e 2>/dev/null; }
fail() { echo "tui-instructions: FAILED: $*"; echo "---- screen ----"; pane; echo "----------------"; exit 1; }
wait_for() {
  local text=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 10; i++)); do
    pane | grep -qF -- "$text" && return 0
    sleep 0.1
  done
  fail "the screen never showed \"$text\" within ${secs}s"
}
start() {
  T kill-session -t e2e 2>/dev/null
  T new-session -d -s e2e -x 100 -y 30 -c "$TMP/ws" "$ENVV $BIN --demo-script $SCRIPT --no-save $*; echo GLMCHAT-EXIT=\$?; sleep 600"
}

start
wait_for "▸ Instructions · AGENTS.md · 38 bytes"
T send-keys -t e2e "show the system message" Enter
wait_for "Project instructions (from AGENTS.md)"
wait_for "Indent with tabs-7391."

start --no-instructions
wait_for "Type a message and press Enter"
pane | grep -qF "Instructions ·" && fail "--no-instructions still shows the instructions"
T send-keys -t e2e "show the system message again" Enter
wait_for "(no system message)"
pane | grep -qF "tabs-7391" && fail "--no-instructions still sent them"
echo "tui-instructions: ok"
