// AVX2 activation quantizers (Q8_0, Q8_K, F16, BF16): byte for byte the scalar ones in quants.c and convert.c (same
// products, the same round-half-to-even, the same first element of largest magnitude, the same quiet NaN), which
// ck_quantize_row runs otherwise.
#if defined(__x86_64__)
#include <immintrin.h>
#include "blocks.h"
#include "hsum_avx2.h"
#include "simd.h"
#define AVX2 __attribute__((target("avx2,fma,f16c")))

/// 32 floats × scale, rounded half to even, as 32 int8 in order (values within ±127).
AVX2 static inline __m256i round_to_i8(const float *x, __m256 scale) {
    __m256i i[4];
    for (int k = 0; k < 4; k++)
        i[k] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * k), scale), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i[0], i[1]), _mm256_packs_epi32(i[2], i[3]));
    // packs work per 128-bit half: dwords come out as 0 2 4 6 1 3 5 7 (4 elements each)
    return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

AVX2 void ck_quant_q8_0_avx2(const float *x, void *dst, int64_t nb) {
    block_q8_0 *y = dst;
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    for (int64_t i = 0; i < nb; i++, x += QK) {
        __m256 m = _mm256_and_ps(_mm256_loadu_ps(x), abs_mask);
        for (int k = 1; k < 4; k++) m = _mm256_max_ps(m, _mm256_and_ps(_mm256_loadu_ps(x + 8 * k), abs_mask));
        const float amax = hmax8(m);
        const float d = amax / 127.0f, id = amax != 0.0f ? 127.0f / amax : 0.0f;
        y[i].d = ck_fp32_to_fp16(d);
        _mm256_storeu_si256((__m256i *)y[i].qs, round_to_i8(x, _mm256_set1_ps(id)));
    }
}

AVX2 void ck_quant_q8_K_avx2(const float *x, void *dst, int64_t nb) {
    block_q8_K *y = dst;
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    for (int64_t i = 0; i < nb; i++, x += QK_K) {
        __m256 m = _mm256_setzero_ps();
        for (int k = 0; k < QK_K; k += 8) m = _mm256_max_ps(m, _mm256_and_ps(_mm256_loadu_ps(x + k), abs_mask));
        const float amax = hmax8(m);
        if (!amax) { memset(&y[i], 0, sizeof(block_q8_K)); continue; }
        float max = amax;  // the first element of largest magnitude, with its sign
        for (int k = 0; k < QK_K; k += 8) {
            const int hit = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_and_ps(_mm256_loadu_ps(x + k), abs_mask), _mm256_set1_ps(amax), _CMP_EQ_OQ));
            if (hit) { max = x[k + __builtin_ctz((unsigned)hit)]; break; }
        }
        const float iscale = -127.f / max;
        for (int k = 0; k < QK_K; k += 32) _mm256_storeu_si256((__m256i *)(y[i].qs + k), round_to_i8(x + k, _mm256_set1_ps(iscale)));
        for (int j = 0; j < QK_K/16; ++j) {
            int sum = 0;
            for (int ii = 0; ii < 16; ++ii) sum += y[i].qs[j*16 + ii];
            y[i].bsums[j] = (int16_t)sum;
        }
        y[i].d = 1 / iscale;
    }
}

/// 8 floats with a NaN among them go through the scalar conversion (it makes every NaN the same quiet NaN).
AVX2 static inline int any_nan(__m256 v) { return _mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)) != 0; }

/// x (n) → IEEE f16, rounded to nearest even (F16C), as ck_fp32_to_fp16.
AVX2 void ck_quant_f16_avx2(const float *x, uint16_t *d, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        if (any_nan(v)) { for (int k = 0; k < 8; k++) d[i + k] = ck_fp32_to_fp16(x[i + k]); continue; }
        _mm_storeu_si128((__m128i *)(d + i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
    for (; i < n; i++) d[i] = ck_fp32_to_fp16(x[i]);
}

/// f16 (n) → f32, as ck_fp16_to_fp32 (F16C widens exactly).
AVX2 void ck_dequant_f16_avx2(const uint16_t *h, float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + i))));
    for (; i < n; i++) x[i] = ck_fp16_to_fp32(h[i]);
}

/// x (n) → bf16, rounded to nearest even ((u + 0x7fff + lsb) >> 16), as ck_fp32_to_bf16.
AVX2 void ck_quant_bf16_avx2(const float *x, uint16_t *d, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        if (any_nan(v)) { for (int k = 0; k < 8; k++) d[i + k] = ck_fp32_to_bf16(x[i + k]); continue; }
        const __m256i u = _mm256_castps_si256(v);
        const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
        const __m256i r = _mm256_srli_epi32(_mm256_add_epi32(u, _mm256_add_epi32(_mm256_set1_epi32(0x7fff), lsb)), 16);
        _mm_storeu_si128((__m128i *)(d + i), _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1)));
    }
    for (; i < n; i++) d[i] = ck_fp32_to_bf16(x[i]);
}
#endif
