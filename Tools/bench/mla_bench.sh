#!/bin/sh
# Builds Tools/bench/mla_bench.c against CKernels and runs it: mla_bench.sh [LEN] [ROUNDS] (each attention kernel
# this CPU runs, over an f16 and a q8_0 latent cache).
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${TMPDIR:-/tmp}/glmchat-mla-bench
${CC:-clang} -O3 -fno-strict-aliasing -I"$root/Sources/CKernels/include" -I"$root/Sources/CKernels" \
    "$root"/Sources/CKernels/*.c "$root/Tools/bench/mla_bench.c" -o "$out" -lpthread -lm
exec "$out" "$@"
