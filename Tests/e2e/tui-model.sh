#!/usr/bin/env bash
# End-to-end with the real SmolLM2-135M model in tmux: type a message, see a streamed answer with speed
# numbers, resize, quit, restart with --resume and see the same conversation, send again and see how many
# prompt tokens its KV snapshot (sessions/kv/ID.kv) gave; a damaged snapshot is refused with its reason;
# --no-kv-cache leaves it alone. Uses .build/release/glmchat and temp XDG dirs. Skips (loudly) only while the
# binary reports that it has no in-process engine.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${GLMCHAT_BIN:-$PWD/.build/release/glmchat}
DATA=${GLMCHAT_TESTDATA:-$HOME/.cache/glmchat/testdata}
MODEL=$DATA/models/SmolLM2-135M-Instruct.Q4_1.gguf
[ -x "$BIN" ] || { echo "tui-model: $BIN is missing; build it first (swift build -c release)"; exit 1; }
command -v tmux >/dev/null || { echo "tui-model: tmux is not installed (scripts/setup installs it)"; exit 1; }
if [ ! -f "$MODEL" ]; then
  [ "${GLMCHAT_REQUIRE_TESTDATA:-0}" = 1 ] && { echo "tui-model: $MODEL is missing (run scripts/fetch-testdata)"; exit 1; }
  echo "tui-model: SKIP (no test data at $DATA)"; exit 0
fi

TMP=$(mktemp -d)
SOCK="glmchat-e2e-model-$$"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
# A session that outlives every test session: killing the last one makes the tmux server exit while the next
# new-session may already be talking to it ("server exited unexpectedly").
T new-session -d -s keep "sleep 3600"
mkdir -p "$TMP/home"
ENVV="env XDG_CONFIG_HOME=$TMP/config XDG_DATA_HOME=$TMP/data HOME=$TMP/home TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"

pane() { T capture-pane -p -t e2e 2>/dev/null; }
fail() { echo "tui-model: FAILED: $*"; echo "---- screen ----"; pane; echo "----------------"; exit 1; }
wait_for() {
  local text=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 10; i++)); do pane | grep -qF -- "$text" && return 0; sleep 0.1; done
  fail "the screen never showed \"$text\" within ${secs}s"
}
wait_gone() {
  local text=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 10; i++)); do pane | grep -qF -- "$text" || return 0; sleep 0.1; done
  fail "\"$text\" stayed on the screen for ${secs}s"
}
start() {
  T kill-session -t e2e 2>/dev/null
  T new-session -d -s e2e -x 100 -y 30 "$ENVV $BIN -m $MODEL -t 2 -c 2048 $*; echo GLMCHAT-EXIT=\$?; sleep 600"
}

start
for ((i = 0; i < 600; i++)); do
  s=$(pane)
  grep -qF "Type a message and press Enter" <<<"$s" && break
  grep -qF "GLMCHAT-EXIT=" <<<"$s" && fail "glmchat exited at start"
  sleep 0.1
done
wait_for "Type a message and press Enter" 1
T send-keys -t e2e "What is the capital of France? Answer in one word." Enter
wait_for "Esc or Ctrl-C stops the reply" 20
wait_gone "Esc or Ctrl-C stops the reply" 180
wait_for "tg "                                   # decode speed in the status bar
answer=$(pane | sed -n '/What is the capital of France/,/^─/p' | sed '1d;$d' | grep -v '^ *$' | head -3)
[ -n "$answer" ] || fail "no answer text under the question"
T resize-window -t e2e -x 60 -y 24
sleep 0.5
for ((i = 0; i < 60; i++)); do                   # a long reply re-wrapped at 60 columns may push the question up
  pane | grep -qF "What is the capital of France?" && break
  T send-keys -t e2e PPage; sleep 0.15
done
wait_for "What is the capital of France?"
T resize-window -t e2e -x 100 -y 30
T send-keys -t e2e C-c
sleep 0.2
T send-keys -t e2e C-c
wait_for "GLMCHAT-EXIT=0"
[ "$(T display -p -t e2e '#{alternate_on}')" = "0" ] || fail "the alternate screen is still on after quitting"
ID=$(pane | grep -oE 'glmchat --resume [0-9A-Za-z_-]+' | head -1 | awk '{print $3}')
[ -n "$ID" ] || fail "glmchat did not print the session id on exit"

KV=$TMP/data/glmchat/sessions/kv/$ID.kv
[ -s "$KV" ] || fail "no KV snapshot at $KV after the reply"
quit() { T send-keys -t e2e C-c; sleep 0.2; T send-keys -t e2e C-c; wait_for "GLMCHAT-EXIT=0"; }

start --resume "$ID"
wait_for "What is the capital of France?" 120
while IFS= read -r line; do                       # at the width the answer was read at, so it wraps the same way
  wait_for "$(sed 's/^ *//' <<<"$line")" 5
done <<<"$answer"
T resize-window -t e2e -x 200 -y 30               # room for the "opened …" notice and the KV cache's note
wait_for "KV cache: restored" 20                 # opening the conversation loaded its rows
T send-keys -t e2e "And of Italy?" Enter
wait_for "Esc or Ctrl-C stops the reply" 20
wait_gone "Esc or Ctrl-C stops the reply" 180
wait_for "prompt tokens" 10
reuse=$(pane | grep -oE 'KV cache from disk: reused [0-9,]+ of [0-9,]+ prompt tokens' | head -1)
[ -n "$reuse" ] || fail "the notice does not say how many prompt tokens came from the KV cache"
n=$(awk '{print $6}' <<<"$reuse" | tr -d ,)
[ "$n" -gt 10 ] || fail "only $n prompt tokens were reused: $reuse"
echo "tui-model: $reuse"
quit

# A damaged snapshot: refused with its reason, and the reply still comes.
size=$(stat -c %s "$KV")
printf '\xa5%.0s' $(seq 64) | dd of="$KV" bs=1 seek=$((size / 2)) conv=notrunc status=none
start --resume "$ID"
T resize-window -t e2e -x 200 -y 30
wait_for "opened “What is the capital" 120         # not a turn's text: a long reply scrolls the question off
wait_for "KV cache not used: the KV snapshot is damaged" 20
T send-keys -t e2e "And of Spain?" Enter
wait_for "Esc or Ctrl-C stops the reply" 20
wait_gone "Esc or Ctrl-C stops the reply" 180
wait_for "tg "
pane | grep -qF "KV cache from disk" && fail "a damaged snapshot was used"
quit
[ -s "$KV" ] || fail "the damaged snapshot was not written anew after the reply"

# --no-kv-cache: the snapshot is neither read nor written.
before=$(stat -c %Y.%s "$KV"); sleep 1
start --resume "$ID" --no-kv-cache
T resize-window -t e2e -x 200 -y 30
wait_for "opened “What is the capital" 120
T send-keys -t e2e "And of Portugal?" Enter
wait_for "Esc or Ctrl-C stops the reply" 20
wait_gone "Esc or Ctrl-C stops the reply" 180
pane | grep -qF "KV cache" && fail "--no-kv-cache still used the KV cache"
[ "$(stat -c %Y.%s "$KV")" = "$before" ] || fail "--no-kv-cache wrote the snapshot"
quit
echo "tui-model: all checks passed"
