// Horizontal sums and maxima and the f16 scale conversion the AVX2 kernels share (private to CKernels).
#ifndef CK_HSUM_AVX2_H
#define CK_HSUM_AVX2_H
#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>

/// The sum of 8 floats: (lo4 + hi4), then pairs, then the last two.
__attribute__((target("avx2"))) static inline float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/// The largest of 8 floats (none NaN).
__attribute__((target("avx2"))) static inline float hmax8(__m256 x) {
    __m128 r = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    r = _mm_max_ps(r, _mm_movehl_ps(r, r));
    r = _mm_max_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/// The sum of 8 int32 lanes (exact).
__attribute__((target("avx2"))) static inline int hsum_i32x8(__m256i v) {
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4E));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xB1));
    return _mm_cvtsi128_si32(t);
}

/// [Σ is[0], Σ is[1], Σ is[2], Σ is[3]]: the lane sums of four int32 vectors (exact; the 4-row GEMM epilogues).
__attribute__((target("avx2"))) static inline __m128i hsum4_i32x8(const __m256i is[4]) {
    const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(is[0], is[1]), _mm256_hadd_epi32(is[2], is[3]));
    return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

/// f16 → f32 through vmovd (the asm barrier stops clang from folding it into a vpinsrw that would depend
/// on the accumulator register and serialize the block loop).
__attribute__((target("avx2,fma,f16c"))) static inline float h2f_nodep(uint16_t h) {
    __m128i t = _mm_cvtsi32_si128(h);
    __asm__("" : "+x"(t));
    return _mm_cvtss_f32(_mm_cvtph_ps(t));
}
#endif
#endif
