// SIMD kernel table for x86-64 (AVX2 / AVX-512): picks the widest kernel the CPU runs for each weight type.
#include "blocks.h"
#include "simd.h"

#if defined(__x86_64__)
float ck_dot_q8_0_avx2(int, const void *, const void *);
float ck_dot_q4_0_avx2(int, const void *, const void *);
float ck_dot_q4_1_avx2(int, const void *, const void *);
float ck_dot_q5_0_avx2(int, const void *, const void *);
float ck_dot_q5_1_avx2(int, const void *, const void *);
float ck_dot_q4_K_avx2(int, const void *, const void *);
float ck_dot_q5_K_avx2(int, const void *, const void *);
float ck_dot_q6_K_avx2(int, const void *, const void *);
float ck_dot_f32_avx2(int, const void *, const void *);
float ck_dot_iq4_nl_avx2(int, const void *, const void *);
float ck_dot_q2_K_avx2(int, const void *, const void *);
float ck_dot_q3_K_avx2(int, const void *, const void *);
float ck_dot_iq4_xs_avx2(int, const void *, const void *);
float ck_dot_f16_avx2(int, const void *, const void *);
float ck_dot_bf16_avx2(int, const void *, const void *);

ck_vec_dot_fn ck_avx512_kernel(uint32_t t, uint32_t features);
ck_vec_dot4_fn ck_avx512_dot4(uint32_t t, uint32_t features);

void ck_dot4_q4_K_avx2(int, const void *, const void *, size_t, float *);
void ck_dot4_q6_K_avx2(int, const void *, const void *, size_t, float *);
void ck_dot4_q5_K_avx2(int, const void *, const void *, size_t, float *);
void ck_dot4_q4_0_avx2(int, const void *, const void *, size_t, float *);
void ck_dot4_q4_1_avx2(int, const void *, const void *, size_t, float *);
void ck_dot4_q5_0_avx2(int, const void *, const void *, size_t, float *);
void ck_dot4_q5_1_avx2(int, const void *, const void *, size_t, float *);
void ck_dot4_iq4_nl_avx2(int, const void *, const void *, size_t, float *);
void ck_dot4_q8_0_avx2(int, const void *, const void *, size_t, float *);

static ck_vec_dot_fn avx2_kernel(uint32_t t) {
    switch (t) {
    case CK_Q8_0: return ck_dot_q8_0_avx2; case CK_Q4_0: return ck_dot_q4_0_avx2; case CK_Q4_1: return ck_dot_q4_1_avx2;
    case CK_Q5_0: return ck_dot_q5_0_avx2; case CK_Q5_1: return ck_dot_q5_1_avx2;
    case CK_Q4_K: return ck_dot_q4_K_avx2; case CK_Q5_K: return ck_dot_q5_K_avx2; case CK_Q6_K: return ck_dot_q6_K_avx2;
    case CK_Q4_K_R: return ck_dot_q4_K_r_avx2; case CK_Q6_K_R: return ck_dot_q6_K_r_avx2;
    case CK_Q2_K: return ck_dot_q2_K_avx2; case CK_Q3_K: return ck_dot_q3_K_avx2;
    case CK_IQ4_NL: return ck_dot_iq4_nl_avx2; case CK_IQ4_XS: return ck_dot_iq4_xs_avx2;
    case CK_F32: return ck_dot_f32_avx2; case CK_F16: return ck_dot_f16_avx2; case CK_BF16: return ck_dot_bf16_avx2;
    default: return NULL;
    }
}
#endif

ck_vec_dot4_fn ck_vec_dot4_simd_family(uint32_t type, uint32_t features, int family) {
#if defined(__x86_64__)
    if (family == CK_FAMILY_AVX512) return ck_avx512_dot4(type, features);
    if (family == CK_FAMILY_AVX2 && (features & CK_AVX2)) {
        switch (type) {
        case CK_Q4_K: return ck_dot4_q4_K_avx2; case CK_Q5_K: return ck_dot4_q5_K_avx2; case CK_Q6_K: return ck_dot4_q6_K_avx2; case CK_Q8_0: return ck_dot4_q8_0_avx2;
        case CK_Q4_0: return ck_dot4_q4_0_avx2; case CK_Q4_1: return ck_dot4_q4_1_avx2; case CK_Q5_0: return ck_dot4_q5_0_avx2;
        case CK_Q5_1: return ck_dot4_q5_1_avx2; case CK_IQ4_NL: return ck_dot4_iq4_nl_avx2; case CK_Q4_K_R: return ck_dot4_q4_K_r_avx2;
        case CK_Q6_K_R: return ck_dot4_q6_K_r_avx2;
        default: return NULL;
        }
    }
#endif
    (void)type; (void)features; (void)family;
    return NULL;
}

ck_vec_dot_fn ck_vec_dot_simd_family(uint32_t type, uint32_t features, int family) {
#if defined(__x86_64__)
    if (family == CK_FAMILY_AVX512 && (features & CK_AVX512)) return ck_avx512_kernel(type, features);
    if (family == CK_FAMILY_AVX2 && (features & CK_AVX2)) return avx2_kernel(type);
#endif
    (void)type; (void)features; (void)family;
    return NULL;
}

ck_vec_dot_fn ck_vec_dot_simd(uint32_t type, uint32_t features, const char **name) {
#if defined(__x86_64__)
    // AVX-512 where it measured faster on Zen 4 (Q6_K, BF16); for Q4_K/Q5_K the 512-bit kernels are
    // double-pumped on Zen 4 and no faster than AVX2 (Tools/kernels/bench.sh), so AVX2 is preferred there.
    // CK_Q4_K_R and Q8_0: the AVX-512 family's decode kernels are VNNI on 256-bit registers (gemv_avx512.c).
    const int prefer512 = type == CK_Q6_K || type == CK_BF16 || type == CK_Q4_K_R || type == CK_Q8_0;
    if ((features & CK_AVX512) && prefer512) {
        ck_vec_dot_fn f = ck_avx512_kernel(type, features);
        if (f) { *name = "avx512"; return f; }
    }
    if (features & CK_AVX2) {
        ck_vec_dot_fn f = avx2_kernel(type);
        if (f) { *name = "avx2"; return f; }
    }
#endif
    (void)type; (void)features; (void)name;
    return NULL;
}
