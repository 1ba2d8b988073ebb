#!/bin/sh
# Builds and runs the kernels micro-benchmark: Tools/kernels/bench.sh [TYPE_ID COLS ROWS COPIES MAX_THREADS]
# (default: Q4_K (12), 2048 x 10240, 8 matrices cycled, 1..2 threads). Prints GB/s, scalar vs SIMD.
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${TMPDIR:-/tmp}/glmchat-kernels-bench
cc=${CC:-clang}
$cc -O3 -fno-strict-aliasing -I"$root/Sources/CKernels/include" -I"$root/Sources/CKernels" \
    "$root"/Sources/CKernels/*.c "$root/Tools/kernels/bench.c" -o "$out" -lpthread -lm
exec "$out" "$@"
