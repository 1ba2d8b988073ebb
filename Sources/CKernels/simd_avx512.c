// AVX-512 (BW/VL, VNNI, BF16) vec_dot kernels; scalar twins in dot_ref.c (same integer block sums, float order differs).
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include "blocks.h"
#include "simd.h"
#pragma STDC FP_CONTRACT OFF  // scalar float epilogues must round exactly like dot_ref.c

#define T512 "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"
#define AVX512 __attribute__((target(T512)))
#define VNNI __attribute__((target(T512 ",avx512vnni")))
#define BF16 __attribute__((target(T512 ",avx512bf16")))

/// f16 → f32 through vmovd (the asm barrier keeps clang from a vpinsrw that depends on the accumulator).
AVX512 static inline float h2f(uint16_t h) {
    __m128i t = _mm_cvtsi32_si128(h);
    __asm__("" : "+x"(t));
    return _mm_cvtss_f32(_mm_cvtph_ps(t));
}

/// Scales (bytes 0..7) and mins (bytes 8..15) of a Q4_K/Q5_K block.
static inline __m128i k4_scales(const uint8_t *s) {
    uint32_t u[4]; memcpy(u, s, 12);
    const uint32_t kmask1 = 0x3f3f3f3f, kmask2 = 0x0f0f0f0f, kmask3 = 0x03030303;
    u[3] = ((u[2] >> 4) & kmask2) | (((u[1] >> 6) & kmask3) << 4);
    const uint32_t uaux = u[1] & kmask1;
    u[1] = (u[2] & kmask2) | (((u[0] >> 6) & kmask3) << 4);
    u[2] = uaux;
    u[0] &= kmask1;
    __m128i r; memcpy(&r, u, 16);
    return r;
}
AVX512 static inline int k4_summs(__m128i mins8, const int16_t *bsums) {
    const __m128i bs = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)bsums), _mm_loadu_si128((const __m128i *)bsums + 1));
    const __m128i prod = _mm_madd_epi16(_mm_cvtepu8_epi16(mins8), bs);
    __m128i ps = _mm_add_epi32(prod, _mm_shuffle_epi32(prod, 0x4E));
    ps = _mm_add_epi32(ps, _mm_shuffle_epi32(ps, 0xB1));
    return _mm_cvtsi128_si32(ps);
}

/// Q4_K: per 64 weights one zmm [32 low nibbles | 32 high nibbles] against 64 contiguous q8; 16-bit scales
/// (scale 2j in the low 16 lanes, 2j+1 in the high 16) applied by vpdpwssd.
VNNI float ck_dot_q4_K_avx512(int n, const void *w, const void *x) {
    const block_q4_K *a = w; const block_q8_K *b = x;
    float sumf = 0;  // per block as the scalar twin: bit-exact
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    const __m512i sel[4] = {
        _mm512_set_epi64(0x0001000100010001, 0x0001000100010001, 0x0001000100010001, 0x0001000100010001, 0, 0, 0, 0),
        _mm512_set_epi64(0x0003000300030003, 0x0003000300030003, 0x0003000300030003, 0x0003000300030003,
                         0x0002000200020002, 0x0002000200020002, 0x0002000200020002, 0x0002000200020002),
        _mm512_set_epi64(0x0005000500050005, 0x0005000500050005, 0x0005000500050005, 0x0005000500050005,
                         0x0004000400040004, 0x0004000400040004, 0x0004000400040004, 0x0004000400040004),
        _mm512_set_epi64(0x0007000700070007, 0x0007000700070007, 0x0007000700070007, 0x0007000700070007,
                         0x0006000600060006, 0x0006000600060006, 0x0006000600060006, 0x0006000600060006),
    };
    for (int i = 0; i < n / QK_K; i++) {
        CK_STREAM(a + i, sizeof *a);
        const __m128i sm = k4_scales(a[i].scales);
        const int summs = k4_summs(_mm_unpackhi_epi64(sm, sm), b[i].bsums);
        const __m512i sc = _mm512_castsi128_si512(_mm_cvtepu8_epi16(sm));
        const uint8_t *q4 = a[i].qs; const int8_t *q8 = b[i].qs;
        __m512i sumi = _mm512_setzero_si512();
        for (int j = 0; j < QK_K/64; j++) {
            __m512i v = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(q4 + 32*j)));
            v = _mm512_and_si512(_mm512_mask_srli_epi16(v, 0xFFFF0000u, v, 4), m4);
            const __m512i p = _mm512_maddubs_epi16(v, _mm512_loadu_si512(q8 + 64*j));
            sumi = _mm512_dpwssd_epi32(sumi, p, _mm512_permutexvar_epi16(sel[j], sc));
        }
        sumf += (h2f(a[i].d) * b[i].d) * _mm512_reduce_add_epi32(sumi) - (h2f(a[i].dmin) * b[i].d) * summs;
    }
    return sumf;
}

/// Q5_K: as Q4_K with the fifth bit from qh (bit 2j for the low nibbles of chunk j, 2j+1 for the high).
VNNI float ck_dot_q5_K_avx512(int n, const void *w, const void *x) {
    const block_q5_K *a = w; const block_q8_K *b = x;
    float sumf = 0;  // per block as the scalar twin: bit-exact
    const __m512i m4 = _mm512_set1_epi8(0x0F), one = _mm512_set1_epi8(1);
    const __m512i sel[4] = {
        _mm512_set_epi64(0x0001000100010001, 0x0001000100010001, 0x0001000100010001, 0x0001000100010001, 0, 0, 0, 0),
        _mm512_set_epi64(0x0003000300030003, 0x0003000300030003, 0x0003000300030003, 0x0003000300030003,
                         0x0002000200020002, 0x0002000200020002, 0x0002000200020002, 0x0002000200020002),
        _mm512_set_epi64(0x0005000500050005, 0x0005000500050005, 0x0005000500050005, 0x0005000500050005,
                         0x0004000400040004, 0x0004000400040004, 0x0004000400040004, 0x0004000400040004),
        _mm512_set_epi64(0x0007000700070007, 0x0007000700070007, 0x0007000700070007, 0x0007000700070007,
                         0x0006000600060006, 0x0006000600060006, 0x0006000600060006, 0x0006000600060006),
    };
    for (int i = 0; i < n / QK_K; i++) {
        CK_STREAM(a + i, sizeof *a);
        const __m128i sm = k4_scales(a[i].scales);
        const int summs = k4_summs(_mm_unpackhi_epi64(sm, sm), b[i].bsums);
        const __m512i sc = _mm512_castsi128_si512(_mm_cvtepu8_epi16(sm));
        const uint8_t *q5 = a[i].qs; const int8_t *q8 = b[i].qs;
        const __m512i hb = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)a[i].qh));
        __m512i sumi = _mm512_setzero_si512();
        for (int j = 0; j < QK_K/64; j++) {
            __m512i v = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(q5 + 32*j)));
            v = _mm512_and_si512(_mm512_mask_srli_epi16(v, 0xFFFF0000u, v, 4), m4);
            __m512i h = _mm512_mask_srli_epi16(_mm512_srli_epi16(hb, 2*j), 0xFFFF0000u, _mm512_srli_epi16(hb, 2*j), 1);
            h = _mm512_slli_epi16(_mm512_and_si512(h, one), 4);
            const __m512i p = _mm512_maddubs_epi16(_mm512_or_si512(v, h), _mm512_loadu_si512(q8 + 64*j));
            sumi = _mm512_dpwssd_epi32(sumi, p, _mm512_permutexvar_epi16(sel[j], sc));
        }
        sumf += fmaf(-h2f(a[i].dmin), (float)summs, (float)_mm512_reduce_add_epi32(sumi) * h2f(a[i].d)) * b[i].d;
    }
    return sumf;
}

/// Q6_K: 6-bit values kept unsigned (0..63); the -32 offset is taken out through the q8 block sums:
/// Σ sc·(q-32)·y = Σ sc·q·y - 32 Σ_k sc_k·bsum_k. The integer sum of one block in 16 lanes. A zmm covers 64 weights:
/// 64 bytes of ql and the 32 bytes of qh broadcast to both halves, whose two bits per weight go to bits 4–5 by a
/// variable shift and a mask or, with GFNI, by one affine bit transform (a bit matrix per qword: half 0 takes qh
/// bits 0–1 for the first 32 weights, half 1 bits 2–3; the high nibbles bits 4–5 and 6–7).
#define Q6_K_SUMS(name, attr, GFNI)                                                                                        \
attr static inline __m512i name(const block_q6_K *a, const block_q8_K *b) {                                            \
    const __m512i m4 = _mm512_set1_epi8(0x0F), m2 = _mm512_set1_epi8(0x30);                                             \
    const __m512i shl = _mm512_set_epi64(0x0002000200020002, 0x0002000200020002, 0x0002000200020002, 0x0002000200020002, \
                                         0x0004000400040004, 0x0004000400040004, 0x0004000400040004, 0x0004000400040004); \
    const __m512i shr = _mm512_set_epi64(0x0002000200020002, 0x0002000200020002, 0x0002000200020002, 0x0002000200020002, 0, 0, 0, 0); \
    const __m512i g0 = _mm512_set_epi64(0x04080000, 0x04080000, 0x04080000, 0x04080000, 0x01020000, 0x01020000, 0x01020000, 0x01020000); \
    const __m512i g1 = _mm512_set_epi64(0x40800000, 0x40800000, 0x40800000, 0x40800000, 0x10200000, 0x10200000, 0x10200000, 0x10200000); \
    /* 16-bit lane l of a zmm covering 64 weights belongs to sub-block l/8 */                                          \
    const __m512i lane_sub = _mm512_set_epi16(3,3,3,3,3,3,3,3, 2,2,2,2,2,2,2,2, 1,1,1,1,1,1,1,1, 0,0,0,0,0,0,0,0);   \
    const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)a->scales));                            \
    const __m512i sc = _mm512_castsi256_si512(sc16);                                                                     \
    /* lanes start at -32 Σ_k sc_k · bsum_k (8 lanes, the rest 0) */                                                    \
    __m512i sumi = _mm512_zextsi256_si512(_mm256_sub_epi32(_mm256_setzero_si256(),                                      \
        _mm256_slli_epi32(_mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)b->bsums)), 5)));                \
    const uint8_t *ql = a->ql, *qh = a->qh; const int8_t *q8 = b->qs;                                                   \
    for (int k = 0; k < QK_K/128; k++) {                                                                                 \
        const __m512i B = _mm512_loadu_si512(ql + 64*k);                                                                \
        const __m512i H = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(qh + 32*k)));                    \
        const __m512i h0 = GFNI ? _mm512_gf2p8affine_epi64_epi8(H, g0, 0) : _mm512_and_si512(_mm512_sllv_epi16(H, shl), m2); \
        const __m512i h1 = GFNI ? _mm512_gf2p8affine_epi64_epi8(H, g1, 0) : _mm512_and_si512(_mm512_srlv_epi16(H, shr), m2); \
        const __m512i z0 = _mm512_ternarylogic_epi32(B, m4, h0, 0xEA);  /* (B & m4) | h0 */                            \
        const __m512i z1 = _mm512_ternarylogic_epi32(_mm512_srli_epi16(B, 4), m4, h1, 0xEA);                            \
        const __m512i p0 = _mm512_maddubs_epi16(z0, _mm512_loadu_si512(q8 + 128*k));                                   \
        const __m512i p1 = _mm512_maddubs_epi16(z1, _mm512_loadu_si512(q8 + 128*k + 64));                              \
        const __m512i s0 = _mm512_permutexvar_epi16(_mm512_add_epi16(lane_sub, _mm512_set1_epi16((short)(8*k))), sc);   \
        const __m512i s1 = _mm512_permutexvar_epi16(_mm512_add_epi16(lane_sub, _mm512_set1_epi16((short)(8*k + 4))), sc); \
        sumi = _mm512_dpwssd_epi32(sumi, p0, s0);                                                                      \
        sumi = _mm512_dpwssd_epi32(sumi, p1, s1);                                                                      \
    }                                                                                                                  \
    return sumi;                                                                                                       \
}
#define VNNI_GFNI __attribute__((target(T512 ",avx512vnni,gfni")))
Q6_K_SUMS(q6_K_sums, VNNI, 0)
Q6_K_SUMS(q6_K_sums_gfni, VNNI_GFNI, 1)

/// Two blocks per step: their lane sums folded together ([isumA, isumB]) and their float steps in two lanes, each
/// block's term added to the sum in the twin's order.
#define DOT_Q6_K(name, attr, sums)                                                                                                                              \
attr float name(int n, const void *w, const void *x) {                                                                                                         \
    const block_q6_K *a = w; const block_q8_K *b = x;                                                                                                           \
    const int nb = n / QK_K;                                                                                                                                    \
    float sumf = 0;  /* per block as the scalar twin: bit-exact */                                                                                              \
    int i = 0;                                                                                                                                                  \
    for (; i + 2 <= nb; i += 2) {                                                                                                                               \
        CK_STREAM(a + i, 2 * sizeof *a);                                                                                                                        \
        const __m512i sa = sums(a + i, b + i), sb = sums(a + i + 1, b + i + 1);                                                                                 \
        /* 128-bit lanes [A0+A2, A1+A3, B0+B2, B1+B3] → [A, B] 4 lanes each → [isumA, isumB, …] */                                                              \
        const __m512i u = _mm512_add_epi32(_mm512_shuffle_i64x2(sa, sb, 0x44), _mm512_shuffle_i64x2(sa, sb, 0xEE));                                             \
        const __m256i v = _mm256_add_epi32(_mm512_castsi512_si256(_mm512_shuffle_i64x2(u, u, 0x08)), _mm512_castsi512_si256(_mm512_shuffle_i64x2(u, u, 0x0D))); \
        __m128i t = _mm_hadd_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));                                                                  \
        t = _mm_hadd_epi32(t, t);                                                                                                                               \
        const __m128 d = _mm_cvtph_ps(_mm_unpacklo_epi16(_mm_cvtsi32_si128(a[i].d), _mm_cvtsi32_si128(a[i + 1].d)));                                            \
        const __m128 p = _mm_mul_ps(_mm_mul_ps(_mm_cvtepi32_ps(t), d), _mm_unpacklo_ps(_mm_set_ss(b[i].d), _mm_set_ss(b[i + 1].d)));                            \
        sumf += _mm_cvtss_f32(p);                                                                                                                               \
        sumf += _mm_cvtss_f32(_mm_movehdup_ps(p));                                                                                                              \
    }                                                                                                                                                           \
    for (; i < nb; i++) {  /* an odd last block */                                                                                                              \
        CK_STREAM(a + i, sizeof *a);                                                                                                                            \
        sumf += ((float)_mm512_reduce_add_epi32(sums(a + i, b + i)) * h2f(a[i].d)) * b[i].d;                                                                    \
    }                                                                                                                                                           \
    return sumf;                                                                                                                                                \
}
DOT_Q6_K(ck_dot_q6_K_avx512, VNNI, q6_K_sums)
DOT_Q6_K(ck_dot_q6_K_avx512_gfni, VNNI_GFNI, q6_K_sums_gfni)

/// BF16 · BF16 with vdpbf16ps (pairs multiplied exactly, summed in f32).
BF16 float ck_dot_bf16_avx512(int n, const void *w, const void *x) {
    const uint16_t *a = w, *b = x;
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    int i = 0;
    for (; i + 64 <= n; i += 64) {
        s0 = _mm512_dpbf16_ps(s0, (__m512bh)_mm512_loadu_si512(a + i), (__m512bh)_mm512_loadu_si512(b + i));
        s1 = _mm512_dpbf16_ps(s1, (__m512bh)_mm512_loadu_si512(a + i + 32), (__m512bh)_mm512_loadu_si512(b + i + 32));
    }
    for (; i + 32 <= n; i += 32) s0 = _mm512_dpbf16_ps(s0, (__m512bh)_mm512_loadu_si512(a + i), (__m512bh)_mm512_loadu_si512(b + i));
    if (i < n) {  // masked tail: zero lanes add nothing
        const __mmask32 m = (__mmask32)((1ull << (n - i)) - 1);
        s1 = _mm512_dpbf16_ps(s1, (__m512bh)_mm512_maskz_loadu_epi16(m, a + i), (__m512bh)_mm512_maskz_loadu_epi16(m, b + i));
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

// ---- 4-activation-row kernels (matmul) on 256-bit registers with AVX-512VL VNNI: Zen 4 runs 512-bit integer
// multiplies double-pumped, so ymm with vpdpbusd / vpdpwssd does the same work in fewer instructions than AVX2.

#define VNNI256 __attribute__((target(T512 ",avx512vnni")))

/// [S0, S1, S2, S3]: the eight int32 lanes of each of four vectors summed (integer sums: order-free).
VNNI256 static inline __m128i hsum4_i32x8(__m256i s0, __m256i s1, __m256i s2, __m256i s3) {
    const __m256i a = _mm256_hadd_epi32(_mm256_hadd_epi32(s0, s1), _mm256_hadd_epi32(s2, s3));
    return _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
}
/// [M0..M3]: Σ_j mins[j] · (bsums[2j] + bsums[2j+1]) of four Q8_K blocks.
VNNI256 static inline __m128i k4_summs4(__m128i mins16, const block_q8_K *const b[4], int i) {
    __m128i m[4];
    for (int t = 0; t < 4; t++) {
        const __m128i bs = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)b[t][i].bsums), _mm_loadu_si128((const __m128i *)b[t][i].bsums + 1));
        m[t] = _mm_madd_epi16(mins16, bs);
    }
    return _mm_hadd_epi32(_mm_hadd_epi32(m[0], m[1]), _mm_hadd_epi32(m[2], m[3]));
}

/// Q4_K against 4 activation rows. Per 32-weight sub-block one vpdpbusd gives 8 int32 sums of 4 products
/// (each |sum| ≤ 4·15·127, so it fits int16); two sub-blocks are packed to int16 and multiplied by their
/// scales with one vpdpwssd: 3 multiplies per 64 weights instead of AVX2's 4. Integer sums are exact, and the
/// scalar twin's float steps run for the four rows at once in one xmm (same operations per row: bit-exact).
VNNI256 void ck_dot4_q4_K_avx512(int n, const void *w, const void *x, size_t xbytes, float *out) {
    const block_q4_K *a = w;
    const block_q8_K *b[4];
    for (int t = 0; t < 4; t++) b[t] = (const block_q8_K *)((const char *)x + t * xbytes);
    __m128 sumf = _mm_setzero_ps();
    const __m256i m4 = _mm256_set1_epi8(0x0F), zero = _mm256_setzero_si256();
    for (int i = 0; i < n / QK_K; i++) {
        const __m128i sm = k4_scales(a[i].scales);
        const __m128i sc16 = _mm_cvtepu8_epi16(sm);
        const __m256i scales = _mm256_set_m128i(sc16, sc16);
        __m256i sumi[4] = {zero, zero, zero, zero};
        for (int j = 0; j < QK_K/64; j++) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32*j));
            const __m256i lo = _mm256_and_si256(bits, m4), hi = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
            // int16 lanes 0-3 of each half: scale 2j; lanes 4-7: scale 2j+1 (the layout vpackssdw produces)
            const __m256i sj = _mm256_shuffle_epi8(scales, _mm256_set_epi32(
                (4*j+3) << 24 | (4*j+2) << 16 | (4*j+3) << 8 | (4*j+2), (4*j+3) << 24 | (4*j+2) << 16 | (4*j+3) << 8 | (4*j+2),
                (4*j+1) << 24 | (4*j) << 16 | (4*j+1) << 8 | (4*j), (4*j+1) << 24 | (4*j) << 16 | (4*j+1) << 8 | (4*j),
                (4*j+3) << 24 | (4*j+2) << 16 | (4*j+3) << 8 | (4*j+2), (4*j+3) << 24 | (4*j+2) << 16 | (4*j+3) << 8 | (4*j+2),
                (4*j+1) << 24 | (4*j) << 16 | (4*j+1) << 8 | (4*j), (4*j+1) << 24 | (4*j) << 16 | (4*j+1) << 8 | (4*j)));
            for (int t = 0; t < 4; t++) {
                const int8_t *q8 = b[t][i].qs + 64*j;
                const __m256i pl = _mm256_dpbusd_epi32(zero, lo, _mm256_loadu_si256((const __m256i *)q8));
                const __m256i ph = _mm256_dpbusd_epi32(zero, hi, _mm256_loadu_si256((const __m256i *)(q8 + 32)));
                sumi[t] = _mm256_dpwssd_epi32(sumi[t], _mm256_packs_epi32(pl, ph), sj);
            }
        }
        const __m128 isum = _mm_cvtepi32_ps(hsum4_i32x8(sumi[0], sumi[1], sumi[2], sumi[3]));
        const __m128 summs = _mm_cvtepi32_ps(k4_summs4(_mm_cvtepu8_epi16(_mm_unpackhi_epi64(sm, sm)), b, i));
        const __m128 bd = _mm_setr_ps(b[0][i].d, b[1][i].d, b[2][i].d, b[3][i].d);
        const __m128 dd = _mm_mul_ps(_mm_set1_ps(h2f(a[i].d)), bd), dm = _mm_mul_ps(_mm_set1_ps(h2f(a[i].dmin)), bd);
        sumf = _mm_add_ps(sumf, _mm_sub_ps(_mm_mul_ps(dd, isum), _mm_mul_ps(dm, summs)));
    }
    _mm_storeu_ps(out, sumf);
}

/// Q6_K against 4 activation rows: as the AVX2 4-row kernel with vpdpwssd and the float steps batched.
VNNI256 void ck_dot4_q6_K_avx512(int n, const void *w, const void *x, size_t xbytes, float *out) {
    const block_q6_K *a = w;
    const block_q8_K *b[4];
    for (int t = 0; t < 4; t++) b[t] = (const block_q8_K *)((const char *)x + t * xbytes);
    __m128 sumf = _mm_setzero_ps();
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x30);
    for (int i = 0; i < n / QK_K; i++) {
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)a[i].scales);
        const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
        __m256i sumi[4];
        for (int t = 0; t < 4; t++)  // the -32 offset through the block sums: lane 0 starts at -32 Σ_k sc_k · bsum_k
            sumi[t] = _mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)b[t][i].bsums));
        const __m128i off = hsum4_i32x8(sumi[0], sumi[1], sumi[2], sumi[3]);
        for (int t = 0; t < 4; t++) sumi[t] = _mm256_setzero_si256();
        const uint8_t *ql = a[i].ql, *qh = a[i].qh;
        for (int kk = 0; kk < QK_K/128; kk++) {
            const __m256i hb = _mm256_loadu_si256((const __m256i *)(qh + 32*kk));
            const __m256i b1 = _mm256_loadu_si256((const __m256i *)(ql + 64*kk)), b2 = _mm256_loadu_si256((const __m256i *)(ql + 64*kk + 32));
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(b1, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 4), m2));
            q[1] = _mm256_or_si256(_mm256_and_si256(b2, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 2), m2));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b1, 4), m4), _mm256_and_si256(hb, m2));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b2, 4), m4), _mm256_and_si256(_mm256_srli_epi16(hb, 2), m2));
            for (int g = 0; g < 4; g++) {
                const int k = 4*kk + g;  // sub-blocks 2k (low lanes) and 2k+1 (high lanes)
                const __m128i lo = _mm_shuffle_epi8(sc8, _mm_set1_epi8((char)(2*k))), hi = _mm_shuffle_epi8(sc8, _mm_set1_epi8((char)(2*k + 1)));
                const __m256i s = _mm256_set_m128i(_mm_cvtepi8_epi16(hi), _mm_cvtepi8_epi16(lo));
                for (int t = 0; t < 4; t++)
                    sumi[t] = _mm256_dpwssd_epi32(sumi[t], s, _mm256_maddubs_epi16(q[g], _mm256_loadu_si256((const __m256i *)(b[t][i].qs + 128*kk + 32*g))));
            }
        }
        const __m128i isum = _mm_sub_epi32(hsum4_i32x8(sumi[0], sumi[1], sumi[2], sumi[3]), _mm_slli_epi32(off, 5));
        const __m128 bd = _mm_setr_ps(b[0][i].d, b[1][i].d, b[2][i].d, b[3][i].d);
        // llama.cpp's tiled K-quant GEMM order: ((float)S · d_w) · d_x, as the 1-row kernels.
        sumf = _mm_add_ps(sumf, _mm_mul_ps(_mm_mul_ps(_mm_cvtepi32_ps(isum), _mm_set1_ps(h2f(a[i].d))), bd));
    }
    _mm_storeu_ps(out, sumf);
}

#endif
