#!/usr/bin/env bash
# Tokenizer throughput on ~8 MB of mixed text (code, prose, CJK, emoji, numbers, whitespace), one core.
# The text repeats corpus snippets, so most words hit the per-call word cache; for text without repetition
# point BENCH_TEXT at a file of your own (e.g. a source tree concatenated).
# Usage: Tools/tokenizer/bench.sh [GLMCHAT_BINARY]   (default .build/release/glmchat; build with -c release first)
# Also times llama.cpp on the same text when the reference venv exists.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/.build/release/glmchat}
data=${GLMCHAT_TESTDATA:-$HOME/.cache/glmchat/testdata}
py=$HOME/.cache/glmchat/refvenv/bin/python
text=${BENCH_TEXT:-/tmp/glmchat-tok-bench.txt}
cd "$root"
[ -n "${BENCH_TEXT:-}" ] || python3 - "$text" <<'PY'
import sys, pathlib, random
sys.path.insert(0, "Tools/tokenizer")
import corpus
rng = random.Random(1)
hand = [h for h in corpus.HAND if "<|" not in h and "<｜" not in h]
prose = ("It was the best of times, it was the worst of times; it was the age of wisdom, it was the age of "
         "foolishness. The model's reply (v2.3.1) cost $4.50 on 2024-05-06. ") * 4
parts = []
size = 0
while size < 8_000_000:
    p = rng.choice(hand + [prose] * 4)
    parts.append(p); size += len(p.encode())
pathlib.Path(sys.argv[1]).write_text("".join(parts))
PY
for v in vocab/ggml-vocab-llama-bpe.gguf vocab/ggml-vocab-qwen2.gguf vocab/ggml-vocab-deepseek-llm.gguf models/SmolLM2-135M-Instruct.Q4_1.gguf; do
  printf '%-45s glmchat:   ' "$v"
  taskset -c 0 "$bin" tokenize -m "$data/$v" -f "$text" --timing 2>&1 >/dev/null | tail -1
  if [ -x "$py" ]; then
    printf '%-45s llama.cpp: ' "$v"
    taskset -c 0 "$py" - "$data/$v" "$text" 2>/dev/null <<'PY'
import sys, time
from llama_cpp import Llama
l = Llama(model_path=sys.argv[1], vocab_only=True, verbose=False)
b = open(sys.argv[2], "rb").read()
t = time.perf_counter(); ids = l.tokenize(b, add_bos=False); dt = time.perf_counter() - t
print(f"{len(b)} bytes, {len(ids)} tokens in {dt:.3f} s: {len(b)/1e6/dt:.2f} MB/s")
PY
  fi
done
