#!/usr/bin/env bash
# Time to first token resuming a long conversation with and without a KV snapshot, on the real-size 6-block
# bench model: `Tools/bench/resume.sh [DEPTH] [THREADS]` (default 8192 tokens, all cores).
# Uses $GLMCHAT_BENCH_DIR/glm-flash-6-Q4_K_M.gguf (default ~/.cache/glmchat/bench) when make_bench_model.py made
# it (that needs llama.cpp's quantizer, scripts/refvenv), else glm-flash-6-Q8_0-ggufpy.gguf, written here with
# gguf-py alone (a venv ~/.cache/glmchat/kv-venv with gguf 0.19.0 and numpy; ~4 GB, a few minutes).
# GLMCHAT_BENCH_NO_BUILD=1 skips the release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
depth=${1:-8192}
threads=${2:-$(nproc)}
dir=${GLMCHAT_BENCH_DIR:-$HOME/.cache/glmchat/bench}
model=$dir/glm-flash-6-Q4_K_M.gguf
if [ ! -f "$model" ]; then
  model=$dir/glm-flash-6-Q8_0-ggufpy.gguf
  if [ ! -f "$model" ]; then
    venv=$HOME/.cache/glmchat/kv-venv
    [ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q gguf==0.19.0 numpy; }
    GLMCHAT_TESTDATA=$(scripts/fetch-testdata) "$venv/bin/python" Tools/bench/make_bench_model_q8.py "$dir" >&2
  fi
fi
if [ "${GLMCHAT_BENCH_NO_BUILD:-0}" != 1 ]; then
  swift build -c release --product glmchat >/dev/null
fi
exec "$(swift build -c release --show-bin-path)/glmchat" bench-resume -m "$model" --depth "$depth" -t "$threads"
