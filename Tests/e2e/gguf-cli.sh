#!/usr/bin/env bash
# `glmchat info` end to end: JSON output equals gguf-py's reading; bad files give one sentence and exit 1.
set -u
cd "$(dirname "$0")/../.."
bin=.build/release/glmchat; [ -x "$bin" ] || bin=.build/debug/glmchat
data=${GLMCHAT_TESTDATA:-$HOME/.cache/glmchat/testdata}
model=$data/models/SmolLM2-135M-Instruct.Q4_1.gguf
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "gguf-cli: $*" >&2; exit 1; }

"$bin" info -m "$model" --json > "$tmp/info.json" || fail "info --json failed"
python3 - "$tmp/info.json" Tests/Fixtures/gguf/reference.json <<'PY' || fail "info --json differs from gguf-py"
import json, sys
got = json.load(open(sys.argv[1])); ref = json.load(open(sys.argv[2]))["SmolLM2-135M-Instruct.Q4_1.gguf"]
mine = [(t["name"], t["type"], t["shape"], t["offset"], t["bytes"]) for t in got["tensors"]]
theirs = [(t["name"], t["type"], t["shape"], t["offset"], t["bytes"]) for t in ref["tensors"]]
assert mine == theirs, "tensor tables differ"
assert set(got["metadata"]) == set(ref["metadata"]), "metadata keys differ"
PY
"$bin" info -m "$model" | grep -q "^  Q4_1 .* 210 tensors" || fail "text output lacks the quant mix"

# info --kernels names the form GLM's prompt batches attend in; a bad GLMCHAT_MLA_PROMPT is one sentence.
glm=Tests/Fixtures/engine/glm-q8_0.gguf
# k_b is kept transposed in f16 (f32 for the f32 cache); `auto` expands from 320 tokens unless the absorbed form runs on AMX.
GLMCHAT_MLA_PROMPT=expanded "$bin" info -m "$glm" --kernels | grep -q "^prompt batches of 2 or more tokens: expanded into per-head keys and values (k_b transposed as F16)$" \
  || fail "info --kernels does not name the expanded prompt attention"
GLMCHAT_MLA_PROMPT=expanded GLMCHAT_KV=f32 "$bin" info -m "$glm" --kernels | grep -q "(k_b transposed as F32)$" \
  || fail "k_b is not kept in f32 for the f32 cache"
GLMCHAT_AMX=0 "$bin" info -m "$glm" --kernels | grep -q "^prompt batches of 320 or more tokens: expanded" \
  || fail "auto does not expand long prompt batches"
GLMCHAT_MLA_PROMPT=absorbed "$bin" info -m "$glm" --kernels | grep -q "^prompt batches" && fail "absorbed expands prompt attention"
GLMCHAT_MLA_PROMPT=mla3 "$bin" info -m "$glm" --kernels > "$tmp/out" 2> "$tmp/err" && fail "GLMCHAT_MLA_PROMPT=mla3 was accepted"
[ "$(cat "$tmp/err")" = "glmchat: GLMCHAT_MLA_PROMPT=mla3 is not a valid setting (use auto|absorbed|expanded)." ] \
  || fail "bad GLMCHAT_MLA_PROMPT: $(cat "$tmp/err")"

check_bad() { # file, expected words
  "$bin" info -m "$1" > "$tmp/out" 2> "$tmp/err"; rc=$?
  [ "$rc" -eq 1 ] || fail "$1: exit code $rc, expected 1"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "$1: stderr is not one line: $(cat "$tmp/err")"
  grep -q "$2" "$tmp/err" || fail "$1: stderr lacks '$2': $(cat "$tmp/err")"
}
head -c 3000000 "$model" > "$tmp/truncated.gguf"; check_bad "$tmp/truncated.gguf" "past the end of the file"
head -c 2000 "$model" > "$tmp/short.gguf"; check_bad "$tmp/short.gguf" "272 tensors, more than its 2.0 KB can hold"
head -c 1780000 "$model" > "$tmp/cut.gguf"; check_bad "$tmp/cut.gguf" "the file is truncated"
printf 'not a model' > "$tmp/text.gguf"; check_bad "$tmp/text.gguf" "is not a GGUF file"
cp "$model" "$tmp/flipped.gguf"; printf '\xff\xff\xff\xff\xff\xff\xff\x7f' | dd of="$tmp/flipped.gguf" bs=1 seek=16 conv=notrunc status=none
check_bad "$tmp/flipped.gguf" "metadata entries"
check_bad "$tmp/missing.gguf" "cannot open"
# A FIFO named on the command line is refused in one sentence, never waited on.
mkfifo "$tmp/fifo"
check_bad "$tmp/fifo" "not a regular file"
for args in "tokenize -m $model -f $tmp/fifo" "generate -m $model -f $tmp/fifo" "sessions import --sessions-dir $tmp/s $tmp/fifo" "--demo-script $tmp/fifo"; do
  timeout 20 "$bin" $args < /dev/null > "$tmp/out" 2> "$tmp/err"; rc=$?
  [ "$rc" -eq 1 ] || fail "$args: exit code $rc, expected 1 (124: it waited on the FIFO)"
  grep -q "not a regular file" "$tmp/err" || fail "$args: stderr lacks 'not a regular file': $(cat "$tmp/err")"
done
exit 0
