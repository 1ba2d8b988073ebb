# What the tmux end-to-end scripts share (sourced, not run: scripts/test runs only Tests/e2e/*.sh). The caller sets
# NAME (for messages) before sourcing. Gives: BIN, TMP (removed at exit, with $TMP/home and $TMP/ws made), ENVV
# (temp XDG folders and a UTF-8 xterm), T (tmux on a private server), pane, fail, wait_for TEXT [S],
# wait_gone TEXT [S], start_in_workspace ARGS (glmchat on $SCRIPT in $TMP/ws, --no-save), and a placeholder session `keep` (killing the last session makes the server exit while the
# next new-session may already be talking to it). `extra_cleanup`, if the caller defines it, runs at exit.
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
BIN=${GLMCHAT_BIN:-$PWD/.build/release/glmchat}
[ -x "$BIN" ] || { echo "$NAME: $BIN is missing; build it first (swift build -c release)"; exit 1; }
command -v tmux >/dev/null || { echo "$NAME: tmux is not installed (scripts/setup installs it)"; exit 1; }

TMP=$(mktemp -d)
SOCK="glmchat-$NAME-$$"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { declare -F extra_cleanup >/dev/null && extra_cleanup; T kill-server 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
T new-session -d -s keep "sleep 3600"
ENVV="env XDG_CONFIG_HOME=$TMP/config XDG_DATA_HOME=$TMP/data HOME=$TMP/home TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"
mkdir -p "$TMP/home" "$TMP/ws"

pane() { T capture-pane -p -J -t "${TARGET:-e2e}" 2>/dev/null; }
fail() { echo "$NAME: FAILED: $*"; echo "---- screen ----"; pane; echo "----------------"; exit 1; }
# wait_for TEXT [SECONDS]: until the screen shows TEXT (fixed string).
wait_for() {
  local text=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 10; i++)); do
    pane | grep -qF -- "$text" && return 0
    sleep 0.1
  done
  fail "the screen never showed \"$text\" within ${secs}s"
}
wait_gone() {
  local text=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 10; i++)); do
    pane | grep -qF -- "$text" || return 0
    sleep 0.1
  done
  fail "\"$text\" stayed on the screen for ${secs}s"
}
# start_in_workspace ARGS...: a fresh session `e2e` running glmchat on the caller's $SCRIPT in $TMP/ws, saving nothing.
start_in_workspace() {
  T kill-session -t e2e 2>/dev/null
  T new-session -d -s e2e -x 100 -y 30 -c "$TMP/ws" "$ENVV $BIN --demo-script $SCRIPT --no-save $*; echo GLMCHAT-EXIT=\$?; sleep 600"
}
