#!/usr/bin/env bash
# `glmchat bench` end to end on a tiny GLM fixture: a depth sweep (-d 8,0,4) prints one JSON object per depth in
# ascending order with the single-depth shape, and one text row per depth; bad -d values give one sentence, exit 1.
set -u
cd "$(dirname "$0")/../.."
bin=.build/release/glmchat; [ -x "$bin" ] || bin=.build/debug/glmchat
model=Tests/Fixtures/engine/glm-q8_0.gguf
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "bench-cli: $*" >&2; exit 1; }
run=("$bin" bench -m "$model" -p 4 -n 2 -r 1 -t 1)

"${run[@]}" --json > "$tmp/one.json" || fail "bench --json failed"
"${run[@]}" -d 8,0,4 --json > "$tmp/sweep.json" || fail "bench -d 8,0,4 --json failed"
python3 - "$tmp/one.json" "$tmp/sweep.json" <<'PY' || fail "the sweep's JSON is not one single-depth object per depth"
import json, sys
one = [json.loads(l) for l in open(sys.argv[1])]
sweep = [json.loads(l) for l in open(sys.argv[2])]
assert len(one) == 1 and one[0]["depth"] == 0, one
assert [o["depth"] for o in sweep] == [0, 4, 8], [o["depth"] for o in sweep]
for o in sweep:
    assert set(o) == set(one[0]), set(o) ^ set(one[0])
    assert o["prompt_tokens"] == 4 and o["gen_tokens"] == 2
    assert o["prefill_tps"]["median"] > 0 and o["decode_tps"]["median"] > 0
PY
"${run[@]}" -d 0,4 > "$tmp/text" || fail "bench -d 0,4 failed"
grep -qE '^ +depth  prefill 4 tok/s +decode 2 tok/s +decode GB/s$' "$tmp/text" || fail "no header row: $(cat "$tmp/text")"
[ "$(grep -cE '^ +[0-9]+  [0-9.]+ \(' "$tmp/text")" -eq 2 ] || fail "not one row per depth: $(cat "$tmp/text")"

check_bad() { # depth argument, expected words
  "${run[@]}" "$1" > "$tmp/out" 2> "$tmp/err"; rc=$?
  [ "$rc" -eq 1 ] || fail "$1: exit code $rc, expected 1"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "$1: stderr is not one line: $(cat "$tmp/err")"
  grep -q -- "$2" "$tmp/err" || fail "$1: stderr lacks '$2': $(cat "$tmp/err")"
}
check_bad --depth=4,x "-d takes whole numbers"
check_bad --depth=4,-1 "-d takes whole numbers"
check_bad --depth=4,,8 "-d takes whole numbers"
check_bad --depth=100000000 "tokens of context but the model holds only"
exit 0
