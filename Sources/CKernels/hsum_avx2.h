// The horizontal sum of 8 floats the AVX2 kernels share (private to CKernels): (lo4 + hi4), then pairs, then the last two.
#ifndef CK_HSUM_AVX2_H
#define CK_HSUM_AVX2_H
#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2"))) static inline float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}
#endif
#endif
