#!/usr/bin/env bash
# End-to-end: glmchat's remote backend against a real OpenAI-compatible server on loopback —
# llama-cpp-python's server (scripts/refvenv) serving SmolLM2-135M — driven by `glmchat remote-probe`.
# Checks: streaming in several pieces, cancellation mid-stream, the server killed mid-stream (clear error,
# partial text kept), 404 for an unknown path, an unknown model name, 401 for a wrong API key, and a
# conversation longer than a small server context going through the chat's context manager.
set -euo pipefail
cd "$(dirname "$0")/../.."
TESTDATA=${GLMCHAT_TESTDATA:-$HOME/.cache/glmchat/testdata}
MODEL=$TESTDATA/models/SmolLM2-135M-Instruct.Q4_1.gguf
if [ ! -f "$MODEL" ]; then
  if [ "${GLMCHAT_REQUIRE_TESTDATA:-0}" = 1 ]; then echo "remote-llamacpp: $MODEL is missing" >&2; exit 1; fi
  echo "remote-llamacpp: SKIP (no test model; run scripts/fetch-testdata)"; exit 0
fi
PY=$(scripts/refvenv)
if [ -n "${GLMCHAT_BIN:-}" ]; then BIN=$GLMCHAT_BIN; else
  # The same flags as scripts/test, so the release build it already made is reused.
  swift build -c release -Xswiftc -enable-testing --product glmchat >/dev/null
  BIN=$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/glmchat
fi
WORK=$(mktemp -d)
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
passed=0; failed=0
ok() { passed=$((passed+1)); echo "  ok   $1"; }
bad() { failed=$((failed+1)); echo "  FAIL $1"; [ -n "${2:-}" ] && sed 's/^/       /' "$2" | head -20; return 0; }

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# start_server [extra args…]: starts the server on a fresh loopback port and waits (≤ 60 s) until it answers.
start_server() {
  PORT=$(free_port)
  "$PY" -m llama_cpp.server --model "$MODEL" --host 127.0.0.1 --port "$PORT" --n_ctx 2048 --n_threads 2 "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if "$PY" - "$PORT" <<'PYEOF' 2>/dev/null; then return 0; fi
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/v1/models", timeout=2)
except urllib.error.HTTPError:
    pass  # 401 with --api_key: it is up
PYEOF
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "remote-llamacpp: the server exited"; cat "$WORK/server.log"; exit 1; }
    sleep 0.5
  done
  echo "remote-llamacpp: the server did not come up in 60 s"; cat "$WORK/server.log"; exit 1
}

# jq-free checks on the probe's JSON lines.
count() { local n; n=$(grep -c "\"event\":\"$1\"" "$2" 2>/dev/null) || true; echo "${n:-0}"; }
last_event() { tail -n 1 "$1"; }

start_server
EP=http://127.0.0.1:$PORT/v1
PROMPT="List the numbers from 1 to 30, separated by commas."

# 1. Streaming arrives in several pieces and ends normally.
rc=0; "$BIN" remote-probe --endpoint "$EP" -p "$PROMPT" --no-think -n 80 --temp 0 --seed 1 >"$WORK/stream.jsonl" 2>"$WORK/stream.err" || rc=$?
pieces=$(count content "$WORK/stream.jsonl")
if [ "$rc" = 0 ] && [ "$pieces" -ge 3 ] && last_event "$WORK/stream.jsonl" | grep -Eq '"reason":"(stop|length)"' \
   && grep -q '"event":"model","name":"[^"]*SmolLM2' "$WORK/stream.jsonl"; then ok "streaming: $pieces content pieces, finished"
else bad "streaming (exit $rc, $pieces pieces)" "$WORK/stream.jsonl"; cat "$WORK/stream.err"; fi

# 2. Cancellation after 3 pieces: finished(cancelled), and the server still answers afterwards.
rc=0; "$BIN" remote-probe --endpoint "$EP" -p "Write a long story about a lighthouse keeper." --no-think -n 400 --cancel-after 3 >"$WORK/cancel.jsonl" 2>&1 || rc=$?
if [ "$rc" = 0 ] && last_event "$WORK/cancel.jsonl" | grep -q '"reason":"cancelled"' && [ "$(count content "$WORK/cancel.jsonl")" -ge 3 ]; then
  ok "cancel mid-stream: finished as cancelled"
else bad "cancel mid-stream (exit $rc)" "$WORK/cancel.jsonl"; fi
rc=0; "$BIN" remote-probe --endpoint "$EP" -p "Say hello." --no-think -n 8 >"$WORK/after.jsonl" 2>&1 || rc=$?
if [ "$rc" = 0 ]; then ok "server still serves after a cancelled stream"; else bad "request after cancel (exit $rc)" "$WORK/after.jsonl"; fi

# 3. Unknown path (404) and unknown model name.
rc=0; "$BIN" remote-probe --endpoint "http://127.0.0.1:$PORT/nope" -p hi --no-think -n 4 >"$WORK/404.jsonl" 2>&1 || rc=$?
if [ "$rc" = 3 ] && last_event "$WORK/404.jsonl" | grep -q 'HTTP 404' && last_event "$WORK/404.jsonl" | grep -q 'check --endpoint'; then
  ok "404 for an unknown path: $(last_event "$WORK/404.jsonl" | cut -c1-110)…"
else bad "404 for an unknown path (exit $rc)" "$WORK/404.jsonl"; fi
rc=0; "$BIN" remote-probe --endpoint "$EP" --model no-such-model -p hi --no-think >"$WORK/model.out" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q 'has no model named "no-such-model"' "$WORK/model.out"; then ok "unknown model: $(head -1 "$WORK/model.out" | cut -c1-100)…"
else bad "unknown model (exit $rc)" "$WORK/model.out"; fi

# 4. The server killed mid-stream: a clear failure, the partial text kept (printed before it). Retried twice
#    in case the reply was over before the kill landed.
killed_ok=0
for attempt in 1 2 3; do
  [ -n "$SERVER_PID" ] || { start_server; EP=http://127.0.0.1:$PORT/v1; }
  rc_file=$WORK/kill.rc; rm -f "$rc_file"
  ( rc=0; "$BIN" remote-probe --endpoint "$EP" -p "Write a long story about a lighthouse keeper." --no-think -n 600 >"$WORK/kill.jsonl" 2>&1 || rc=$?; echo "$rc" >"$rc_file" ) &
  probe=$!
  for _ in $(seq 1 600); do [ "$(count content "$WORK/kill.jsonl")" -ge 2 ] && break; [ -f "$rc_file" ] && break; sleep 0.05; done
  kill -9 "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  wait "$probe" || true
  if grep -q '"reason":"' "$WORK/kill.jsonl"; then echo "  (attempt $attempt: the reply ended before the kill; again)"; continue; fi
  if [ "$(cat "$rc_file")" = 3 ] && [ "$(count content "$WORK/kill.jsonl")" -ge 2 ] \
     && last_event "$WORK/kill.jsonl" | grep -q 'closed the connection in the middle of the reply.*partial reply is kept'; then killed_ok=1
  else bad "server killed mid-stream (exit $(cat "$rc_file"))" "$WORK/kill.jsonl"; killed_ok=2; fi
  break
done
[ "$killed_ok" = 1 ] && ok "server killed mid-stream: $(last_event "$WORK/kill.jsonl" | cut -c1-120)…"
[ "$killed_ok" = 0 ] && bad "server killed mid-stream: never caught it mid-reply"

# 5. API keys: a wrong key is refused with a clear sentence (and never printed); the right one works.
stop_server
start_server --api_key e2e-right-key
EP=http://127.0.0.1:$PORT/v1
rc=0; WRONG_KEY=e2e-wrong-key "$BIN" remote-probe --endpoint "$EP" --api-key-env WRONG_KEY -p hi --no-think -n 4 >"$WORK/401.out" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q 'refused the API key (HTTP 401' "$WORK/401.out" && grep -q 'WRONG_KEY' "$WORK/401.out" && ! grep -q 'e2e-wrong-key' "$WORK/401.out"; then
  ok "401 for a wrong key: $(head -1 "$WORK/401.out" | cut -c1-100)…"
else bad "401 for a wrong key (exit $rc)" "$WORK/401.out"; fi
rc=0; RIGHT_KEY=e2e-right-key "$BIN" remote-probe --endpoint "$EP" --api-key-env RIGHT_KEY -p "Say hello." --no-think -n 8 >"$WORK/key.jsonl" 2>&1 || rc=$?
if [ "$rc" = 0 ] && grep -q '"event":"finished"' "$WORK/key.jsonl"; then ok "the right key is accepted"; else bad "right key (exit $rc)" "$WORK/key.jsonl"; fi
rc=0; "$BIN" remote-probe --endpoint "$EP" --api-key-env UNSET_GLMCHAT_KEY -p hi >"$WORK/nokey.out" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q 'UNSET_GLMCHAT_KEY named by --api-key-env.* is not set' "$WORK/nokey.out"; then ok "missing key variable is reported"; else bad "missing key variable (exit $rc)" "$WORK/nokey.out"; fi

# 6. A conversation longer than the server's context (n_ctx 512), through the chat's context manager
#    (remote-probe --history). llama-cpp-python 0.3.36 answers a streamed prompt longer than n_ctx with
#    200 and an empty stream (the error only reaches its log), so without -c glmchat can only say that
#    clearly; with -c 512 it leaves out the oldest turns itself and the reply comes.
stop_server
start_server --n_ctx 512
EP=http://127.0.0.1:$PORT/v1
"$PY" - >"$WORK/history.json" <<'PYEOF'
import json
h = []
for t in ["lighthouses", "tide pools", "sailing knots", "sea glass", "harbour seals", "fog horns", "kelp forests", "storm petrels"]:
    h.append({"role": "user", "content": f"Tell me a few things about {t}, in a short paragraph please. " * 3})
    h.append({"role": "assistant", "content": f"Here are a few things about {t}: they are found along many coasts, and they change with the seasons. " * 3})
print(json.dumps(h))
PYEOF
rc=0; "$BIN" remote-probe --endpoint "$EP" --history "$WORK/history.json" -p "And now a word about boats." --no-think -n 16 --temp 0 >"$WORK/long.jsonl" 2>&1 || rc=$?
if [ "$rc" = 3 ] && grep -q '"event":"send","messages":17' "$WORK/long.jsonl" && last_event "$WORK/long.jsonl" | grep -q 'ended the reply without sending any of it.*give glmchat that size with -c'; then
  ok "prompt longer than n_ctx: $(last_event "$WORK/long.jsonl" | cut -c1-100)…"
else bad "prompt longer than n_ctx (exit $rc)" "$WORK/long.jsonl"; fi
rc=0; "$BIN" remote-probe --endpoint "$EP" --history "$WORK/history.json" -p "And now a word about boats." --no-think -n 16 --temp 0 --context-length 512 >"$WORK/fit.jsonl" 2>&1 || rc=$?
sent=$(grep -o '"event":"send","messages":[0-9]*' "$WORK/fit.jsonl" | grep -o '[0-9]*$' || true)
if [ "$rc" = 0 ] && [ "$(count send "$WORK/fit.jsonl")" = 1 ] && [ -n "$sent" ] && [ "$sent" -lt 17 ] && [ "$sent" -ge 1 ] \
   && [ "$(count content "$WORK/fit.jsonl")" -ge 1 ] && last_event "$WORK/fit.jsonl" | grep -Eq '"reason":"(stop|length)"'; then
  ok "with -c 512 the oldest turns are left out: $sent of 17 messages sent, reply finished"
else bad "context fit with -c 512 (exit $rc)" "$WORK/fit.jsonl"; fi

echo "remote-llamacpp: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
