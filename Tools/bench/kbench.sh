#!/bin/sh
# Builds Tools/bench/kbench.c against CKernels and runs it: kbench.sh TYPE_ID COLS ROWS TOKENS [REPS].
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${TMPDIR:-/tmp}/glmchat-kbench
${CC:-clang} -O3 ${KBENCH_CFLAGS:-} -fno-strict-aliasing -I"$root/Sources/CKernels/include" -I"$root/Sources/CKernels" \
    "$root"/Sources/CKernels/*.c "$root/Tools/bench/kbench.c" -o "$out" -lpthread -lm
exec "$out" "$@"
