#!/bin/sh
# Builds Tools/bench/blas_bench.c against CKernels and runs it once per configuration:
# blas_bench.sh [attn|gemm|all] [ROUNDS] [THREADS...] (default: all, 5 rounds, 1 then 2 threads).
# Best paths: glmchat auto with OpenBLAS's own core pick, and with OPENBLAS_CORETYPE=SkylakeX (its
# AVX-512 kernels, which Debian's 0.3.21 does not pick on Sapphire Rapids by itself); AVX2-only (as on a Zen 2):
# GLMCHAT_KERNELS=avx2 with AMX off (BENCH_FAMILY=avx2) against OPENBLAS_CORETYPE=Haswell. BLAS_LIB / BLAS_PREFIX choose
# another OpenBLAS (e.g. scipy-openblas32's, prefix scipy_). BENCH_CONFIGS narrows the list (e.g. "auto:SkylakeX").
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${TMPDIR:-/tmp}/glmchat-blas-bench
${CC:-clang} -O3 -fno-strict-aliasing -I"$root/Sources/CKernels/include" -I"$root/Sources/CKernels" \
    "$root"/Sources/CKernels/*.c "$root/Tools/bench/blas_bench.c" -o "$out" -lpthread -lm -ldl
what=${1:-all}; rounds=${2:-5}; [ $# -ge 2 ] && shift 2 || shift $#
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs"
for cfg in ${BENCH_CONFIGS:-auto: auto:SkylakeX avx2:Haswell}; do
    fam=${cfg%%:*}; core=${cfg#*:}
    echo; echo "== BENCH_FAMILY=$fam OPENBLAS_CORETYPE=${core:-(unset)}; load: $(uptime | sed 's/.*load average: //')"
    if [ -n "$core" ]; then BENCH_FAMILY=$fam OPENBLAS_CORETYPE=$core "$out" "$what" "$rounds" "$@"
    else (unset OPENBLAS_CORETYPE; BENCH_FAMILY=$fam "$out" "$what" "$rounds" "$@"); fi
    echo "load after: $(uptime | sed 's/.*load average: //')"
done
