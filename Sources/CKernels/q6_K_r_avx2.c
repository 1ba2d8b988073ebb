// AVX2 kernels on CK_Q6_K_R weights (layout: repack_q6_K.c) against activations packed by gemm.c in the same
// register order (block_q8_Kx4s: quant 32r + 2j + h of a row is element 16j + 2r + h). Every int16 lane j of a
// product belongs to sub-block j, so one vector of the 16 scales serves all eight registers: per block and token
// 8 vpmaddubsw, summed in pairs in int16 (|2 · 2 · 63 · 127| < 2^15), and 4 vpmaddwd with the scales; the −32
// offset through the block sums. Bit for bit the Q6_K scalar twin (the same integer sum, then its float steps).
#if defined(__x86_64__)
#include <immintrin.h>
#include "blocks.h"
#include "hsum_avx2.h"
#include "simd.h"
#include "unpack_avx2.h"
#pragma STDC FP_CONTRACT OFF  // scalar float epilogues must round exactly like dot_ref.c

#define AVX2 __attribute__((target("avx2,fma,f16c")))

/// The eight 6-bit registers of one block (32 bytes each, values 0…63). `stream`: ask for the weights
/// CK_STREAM_AHEAD bytes on, two lines per 96 bytes read (the decode kernel reads them from DRAM).
AVX2 static inline __attribute__((always_inline)) void q6_K_r_registers(const block_q6_K *a, __m256i r[8], const int stream) {
    const __m256i m6 = _mm256_set1_epi8(0x3F), m2 = _mm256_set1_epi8(0x03), m4 = _mm256_set1_epi8(0x0C), m5 = _mm256_set1_epi8(0x30);
    const __m256i *s = (const __m256i *)a->ql;  // ql and qh: 192 contiguous bytes
    for (int G = 0; G < 2; G++) {
        if (stream) CK_STREAM((const char *)a + 128*G, 128);
        const __m256i x = _mm256_loadu_si256(s + 3*G), y = _mm256_loadu_si256(s + 3*G + 1), z = _mm256_loadu_si256(s + 3*G + 2);
        r[4*G] = _mm256_and_si256(x, m6);
        r[4*G + 1] = _mm256_and_si256(y, m6);
        r[4*G + 2] = _mm256_and_si256(z, m6);
        r[4*G + 3] = _mm256_or_si256(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(x, 6), m2), _mm256_and_si256(_mm256_srli_epi16(y, 4), m4)),
                                     _mm256_and_si256(_mm256_srli_epi16(z, 2), m5));
    }
}

/// Rewrites one Q6_K block in place into CK_Q6_K_R (repack_q6_K.c's plain-C definition, same bytes): the 6-bit
/// values unpacked in element order, regrouped so that register m is [sub-block m | sub-block m + 8], an 8×8
/// transpose of 16-bit pairs in each 128-bit half (register r then holds pair r of every sub-block), then
/// the fourth register of each three folded into their top bits.
AVX2 void ck_repack_q6_K_block_avx2(void *block) {
    block_q6_K *a = block;
    __m256i q[8];  // q[m]: elements 32m … 32m + 31 = [sub-block 2m | sub-block 2m + 1]
    q6_K_half(a, 0, q);
    q6_K_half(a, 1, q + 4);
    __m256i x[8], s[8], u[8], r[8];
    for (int k = 0; k < 4; k++) {  // x[m] = [sub-block m | sub-block m + 8]
        x[2*k] = _mm256_permute2x128_si256(q[k], q[k + 4], 0x20);
        x[2*k + 1] = _mm256_permute2x128_si256(q[k], q[k + 4], 0x31);
    }
    for (int m = 0; m < 8; m += 2) {
        s[m] = _mm256_unpacklo_epi16(x[m], x[m + 1]);      // pairs 0…3 of rows m, m + 1
        s[m + 1] = _mm256_unpackhi_epi16(x[m], x[m + 1]);  // pairs 4…7
    }
    for (int h = 0; h < 2; h++) {  // rows 4h … 4h + 3
        u[4*h + 0] = _mm256_unpacklo_epi32(s[4*h], s[4*h + 2]);
        u[4*h + 1] = _mm256_unpackhi_epi32(s[4*h], s[4*h + 2]);
        u[4*h + 2] = _mm256_unpacklo_epi32(s[4*h + 1], s[4*h + 3]);
        u[4*h + 3] = _mm256_unpackhi_epi32(s[4*h + 1], s[4*h + 3]);
    }
    for (int p = 0; p < 4; p++) {
        r[2*p] = _mm256_unpacklo_epi64(u[p], u[4 + p]);      // pair 2p of every sub-block
        r[2*p + 1] = _mm256_unpackhi_epi64(u[p], u[4 + p]);  // pair 2p + 1
    }
    const __m256i top = _mm256_set1_epi8((char)0xC0), low2 = _mm256_set1_epi8(0x03);
    __m256i *out = (__m256i *)a->ql;  // ql and qh: 192 contiguous bytes
    for (int G = 0; G < 2; G++) {
        const __m256i d = r[4*G + 3];
        _mm256_storeu_si256(out + 3*G, _mm256_or_si256(r[4*G], _mm256_slli_epi16(_mm256_and_si256(d, low2), 6)));
        _mm256_storeu_si256(out + 3*G + 1, _mm256_or_si256(r[4*G + 1], _mm256_and_si256(_mm256_slli_epi16(d, 4), top)));
        _mm256_storeu_si256(out + 3*G + 2, _mm256_or_si256(r[4*G + 2], _mm256_and_si256(_mm256_slli_epi16(d, 2), top)));
    }
}

/// The integer sum of one block against one packed row: Σ_j s_j · Σ (q − 32) · y over sub-block j, in 8 lanes.
AVX2 static inline __m256i q6_K_r_block(const __m256i r[8], __m256i sc, const int8_t *qs, const int16_t *bsums) {
    const __m256i *y = (const __m256i *)qs;
    __m256i acc = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(sc, _mm256_loadu_si256((const __m256i *)bsums)), 5));
    for (int k = 0; k < 4; k++) {
        const __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(r[2*k], _mm256_loadu_si256(y + 2*k)),
                                           _mm256_maddubs_epi16(r[2*k + 1], _mm256_loadu_si256(y + 2*k + 1)));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, sc));
    }
    return acc;
}

/// One activation row (row 0 of each packed block): the decode kernel.
AVX2 float ck_gemv_q6_K_r_avx2(int n, const void *w, const void *xp) {
    const block_q6_K *a = w; const block_q8_Kx4s *b = xp;
    float sumf = 0;  // per block as the scalar twin: bit-exact
    for (int i = 0; i < n / QK_K; i++) {
        __m256i r[8];
        q6_K_r_registers(a + i, r, 1);
        const __m256i sc = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)a[i].scales));
        const int isum = hsum_i32x8(q6_K_r_block(r, sc, b[i].qs[0], b[i].bsums[0]));
        sumf += ((float)isum * h2f_nodep(a[i].d)) * b[i].d[0];
    }
    return sumf;
}

/// T (1…4) packed rows, or G = 2 groups of 4 rows gstride bytes apart: the weights unpacked once per block.
AVX2 static inline __attribute__((always_inline)) void gemm_q6_K_r(int n, const block_q6_K *a, const block_q8_Kx4s *b0, size_t gstride, const int G, const int T, float *out) {
    __m128 sumf[2] = {_mm_setzero_ps(), _mm_setzero_ps()};
    for (int i = 0; i < n / QK_K; i++) {
        __m256i r[8];
        q6_K_r_registers(a + i, r, 0);
        const __m256i sc = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)a[i].scales));
        const float dw = h2f_nodep(a[i].d);
        for (int g = 0; g < G; g++) {
            const block_q8_Kx4s *b = (const block_q8_Kx4s *)((const char *)b0 + g * gstride);
            __m256i is[4];
            for (int t = 0; t < 4; t++) is[t] = t < T ? q6_K_r_block(r, sc, b[i].qs[t], b[i].bsums[t]) : _mm256_setzero_si256();
            const __m128i isum = hsum4_i32x8(is);
            sumf[g] = _mm_add_ps(sumf[g], _mm_mul_ps(_mm_mul_ps(_mm_cvtepi32_ps(isum), _mm_set1_ps(dw)), _mm_loadu_ps(b[i].d)));
        }
    }
    if (G == 2) { _mm_storeu_ps(out, sumf[0]); _mm_storeu_ps(out + 4, sumf[1]); return; }
    float o[4]; _mm_storeu_ps(o, sumf[0]);
    for (int t = 0; t < T; t++) out[t] = o[t];
}

AVX2 void ck_gemm_q6_K_r_avx2(int n, const void *w, const void *xp, int T, float *out) {
    switch (T) {
    case 4: gemm_q6_K_r(n, w, xp, 0, 1, 4, out); break;
    case 3: gemm_q6_K_r(n, w, xp, 0, 1, 3, out); break;
    case 2: gemm_q6_K_r(n, w, xp, 0, 1, 2, out); break;
    default: gemm_q6_K_r(n, w, xp, 0, 1, 1, out); break;
    }
}

/// Two full packed groups (8 activation rows) against one weight row.
AVX2 void ck_gemm8_q6_K_r_avx2(int n, const void *w, const void *xp, size_t gstride, float *out) {
    gemm_q6_K_r(n, w, xp, gstride, 2, 4, out);
}
#endif
