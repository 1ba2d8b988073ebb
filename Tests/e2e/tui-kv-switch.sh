#!/usr/bin/env bash
# End-to-end with the real SmolLM2-135M model in tmux: switching conversations keeps the one left in memory. Chat
# in A, Ctrl-N, chat in B, open A in the picker (F2): the notice says its rows were kept in memory, and its next
# reply reused them (`KV cache from memory: reused N of M prompt tokens`). A bad --cache-type is one sentence and
# exit code 1. Uses .build/release/glmchat and temp XDG dirs.
NAME=tui-kv-switch
source "$(dirname "$0")/lib/tmux-harness.bash"
DATA=${GLMCHAT_TESTDATA:-$HOME/.cache/glmchat/testdata}
MODEL=$DATA/models/SmolLM2-135M-Instruct.Q4_1.gguf
if [ ! -f "$MODEL" ]; then
  [ "${GLMCHAT_REQUIRE_TESTDATA:-0}" = 1 ] && { echo "$NAME: $MODEL is missing (run scripts/fetch-testdata)"; exit 1; }
  echo "$NAME: SKIP (no test data at $DATA)"; exit 0
fi
start() {
  T kill-session -t e2e 2>/dev/null
  T new-session -d -s e2e -x 100 -y 30 -c "$TMP/ws" "$ENVV $BIN -m $MODEL -t 2 -c 2048 --no-think $*; echo GLMCHAT-EXIT=\$?; sleep 600"
}
# say TEXT: sends TEXT and waits for the reply to end.
say() {
  T send-keys -t e2e "$1" Enter
  wait_for "Esc or Ctrl-C stops the reply" 20
  wait_gone "Esc or Ctrl-C stops the reply" 180
}

start --cache-type q4
wait_for "GLMCHAT-EXIT=1" 30
wait_for "glmchat: --cache-type q4 is not a KV cache type (use f16, f32, q8_0)."

start --cache-type q8_0
wait_for "Type a message and press Enter" 60
say "What is the capital of France?"
T send-keys -t e2e C-n
wait_for "Type a message and press Enter" 5
say "Name three colours."
T send-keys -t e2e F2
wait_for "What is the capital of France?" 5
T send-keys -t e2e Down Enter
wait_for "tokens kept in memory" 10
say "And of Italy?"
wait_for "KV cache from memory: reused " 10
T send-keys -t e2e C-c; sleep 0.2; T send-keys -t e2e C-c
wait_for "GLMCHAT-EXIT=0" 10
echo "$NAME: ok"
