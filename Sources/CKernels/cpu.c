// Runtime CPU feature detection for the kernel table, and the prefetch hint chosen by CPU vendor.
#include "CKernels.h"

int ck_stream_nta = 0;  // simd.h: prefetchnta for the decode streams on AMD, prefetcht1 elsewhere
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>

/// AMX-TILE and AMX-INT8 (CPUID 7.0 EDX bits 24, 25), and Linux's permission for the tile data state (asked once).
static int amx_usable(void) {
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        unsigned a, b, c, d;
        v = 0;
        if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (d & (1u << 24)) && (d & (1u << 25))) {
#if defined(__linux__) && defined(SYS_arch_prctl)
            v = syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */) == 0;
#endif
        }
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

/// Set once when the library loads, before any kernel can run (from the CPU vendor alone).
__attribute__((constructor)) static void choose_stream_hint(void) {
    __builtin_cpu_init();
    ck_stream_nta = __builtin_cpu_is("amd") ? 1 : 0;
}

static uint32_t detect(void) {
    __builtin_cpu_init();
    uint32_t f = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) f |= CK_AVX2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) f |= CK_AVX512;
    if (__builtin_cpu_supports("avx512vnni")) f |= CK_AVX512_VNNI;
    if (__builtin_cpu_supports("avx512bf16")) f |= CK_AVX512_BF16;
    if ((f & CK_AVX512) && amx_usable()) f |= CK_AMX;
    unsigned a, b, c, d;
    if ((f & CK_AMX) && (f & CK_AVX512_BF16) && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (d & (1u << 22))) f |= CK_AMX_BF16;
    if (__builtin_cpu_supports("gfni")) f |= CK_GFNI;
    return f;
}

uint32_t ck_cpu_features(void) {
    static int64_t cached = -1;  // detected once (AMX asks the kernel for permission)
    int64_t f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (f < 0) { f = detect(); __atomic_store_n(&cached, f, __ATOMIC_RELAXED); }
    return (uint32_t)f;
}
#else
uint32_t ck_cpu_features(void) { return 0; }
#endif
