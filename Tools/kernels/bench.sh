#!/bin/sh
# Builds and runs the kernels micro-benchmark: Tools/kernels/bench.sh [TYPE_ID COLS ROWS COPIES MAX_THREADS TOKENS]
# (default: Q4_K (12), 2048 x 10240, 8 matrices cycled, 1..2 threads, 1 token). Prints GB/s per family;
# TOKENS > 1 measures matmul (4-row kernels where they exist). `bench.sh pool [THREADS]`: parallel-region latency.
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${TMPDIR:-/tmp}/glmchat-kernels-bench
cc=${CC:-clang}
$cc -O3 -fno-strict-aliasing -I"$root/Sources/CKernels/include" -I"$root/Sources/CKernels" \
    "$root"/Sources/CKernels/*.c "$root/Tools/kernels/bench.c" -o "$out" -lpthread -lm
exec "$out" "$@"
