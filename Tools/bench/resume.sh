#!/usr/bin/env bash
# Time to first token resuming a long conversation with and without a KV snapshot, on the real-size 6-block
# bench model: `Tools/bench/resume.sh [DEPTH] [THREADS]` (default 8192 tokens, all cores).
# Uses ~/.cache/glmchat/bench/glm-flash-6-Q4_K_M.gguf when make_bench_model.py made it (needs llama.cpp's
# quantizer from scripts/refvenv), else writes glm-flash-6-Q8_0-ggufpy.gguf with gguf-py alone (a venv in
# ~/.cache/glmchat/kv-venv with gguf 0.19.0 and numpy, ~4 GB, a few minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."
depth=${1:-8192}
threads=${2:-$(nproc)}
bench=${GLMCHAT_CACHE:-$HOME/.cache/glmchat}/bench
model=$bench/glm-flash-6-Q4_K_M.gguf
if [ ! -f "$model" ]; then
  model=$bench/glm-flash-6-Q8_0-ggufpy.gguf
  if [ ! -f "$model" ]; then
    venv=${GLMCHAT_CACHE:-$HOME/.cache/glmchat}/kv-venv
    [ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q gguf==0.19.0 numpy; }
    GLMCHAT_TESTDATA=$(scripts/fetch-testdata) "$venv/bin/python" Tools/bench/make_bench_model_q8.py "$bench" >&2
  fi
fi
swift build -c release --product glmchat 2>&1 | grep -E "error|warning: unre" || true
.build/release/glmchat bench-resume -m "$model" --depth "$depth" -t "$threads"
