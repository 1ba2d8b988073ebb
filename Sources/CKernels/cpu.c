// Runtime CPU feature detection for kernel dispatch.
#include "CKernels.h"
#if defined(__x86_64__) || defined(__i386__)
uint32_t ck_cpu_features(void) {
    __builtin_cpu_init();
    uint32_t f = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) f |= CK_AVX2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) f |= CK_AVX512;
    if (__builtin_cpu_supports("avx512vnni")) f |= CK_AVX512_VNNI;
    if (__builtin_cpu_supports("avx512bf16")) f |= CK_AVX512_BF16;
    return f;
}
#else
uint32_t ck_cpu_features(void) { return 0; }
#endif
