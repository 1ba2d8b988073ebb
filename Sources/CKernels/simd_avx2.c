// AVX2+FMA+F16C vec_dot kernels; scalar twins in dot_ref.c (same integer block sums, float order differs).
#if defined(__x86_64__)
#include <immintrin.h>
#include "hsum_avx2.h"
#include "unpack_avx2.h"
#include <math.h>
#include "blocks.h"
#include "simd.h"
#pragma STDC FP_CONTRACT OFF  // scalar float epilogues must round exactly like dot_ref.c

#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define H2F(h) h2f_nodep(h)
/// 8 int32 sums of signed x[i]*y[i] over 32 int8 pairs (x may be -128, y in [-127,127]).
AVX2 static inline __m256i dot_i8(__m256i x, __m256i y) {
    const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
    return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}
/// Same for unsigned x (0..255 as u8 but here at most 63) times signed y.
AVX2 static inline __m256i dot_u8(__m256i x, __m256i y) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(x, y), _mm256_set1_epi16(1));
}

/// The f16 scales of k (≤ 8) consecutive blocks `stride` bytes apart as f32, 0 past k (the halves gathered in scalar registers).
AVX2 static inline __m256 scales8(const void *first_d, size_t stride, int k) {
    uint64_t q[2] = {0, 0};
    for (int j = 0; j < k; j++) {
        uint16_t h; memcpy(&h, (const char *)first_d + j * stride, 2);
        q[j / 4] |= (uint64_t)h << (16 * (j % 4));
    }
    return _mm256_cvtph_ps(_mm_set_epi64x((long long)q[1], (long long)q[0]));
}
/// Lane j = the sum of v[j]'s 8 lanes (exact integer sums).
AVX2 static inline __m256i sum_lanes8(const __m256i v[8]) {
    const __m256i q0 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));  // [v0..v3 lo | v0..v3 hi]
    const __m256i q1 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(q0, q1, 0x20), _mm256_permute2x128_si256(q0, q1, 0x31));
}

/// k (≤ 8) blocks of Q8_0 or Q5_0 weights from block ib on, added to sumf with the scalar twin's bits: per block the
/// exact integer sum s, then sumf += s · (dw · dx) in block order. The k sums gathered into one register, the
/// scales converted together, the k adds in order.
AVX2 static inline __attribute__((always_inline)) float add_blocks8(uint32_t type, const void *w, const block_q8_0 *b, int ib, int k, float sumf) {
    const size_t size = type == CK_Q5_0 ? sizeof(block_q5_0) : sizeof(block_q8_0);  // both start with their f16 scale
    const char *a = (const char *)w + (size_t)ib * size;
    __m256i v[8];
    for (int j = 0; j < 8; j++) {
        if (j >= k) { v[j] = _mm256_setzero_si256(); continue; }
        CK_STREAM(a + j * size, 1);  // spread over the blocks: all 5 asks up front read 5 % slower from DRAM
        const __m256i q = type == CK_Q5_0 ? q5_0_quants((const block_q5_0 *)(a + j * size))
                                          : _mm256_loadu_si256((const __m256i *)((const block_q8_0 *)(a + j * size))->qs);
        v[j] = dot_i8(q, _mm256_loadu_si256((const __m256i *)b[ib + j].qs));
    }
    const __m256 dd = _mm256_mul_ps(scales8(a, size, k), scales8(&b[ib].d, sizeof(block_q8_0), k));
    float p[8];
    _mm256_storeu_ps(p, _mm256_mul_ps(_mm256_cvtepi32_ps(sum_lanes8(v)), dd));
    for (int j = 0; j < k; j++) sumf += p[j];
    return sumf;
}

/// Q8_0 and Q5_0 with the scalar twins' bits (as the 8-row GEMM in gemm_q8_0.c, so a prompt and a decoded token see
/// the same products), eight blocks at a time and the last 1…7 together.
AVX2 static inline __attribute__((always_inline)) float dot_blocks(uint32_t type, int n, const void *w, const void *x) {
    const int nb = n / QK;
    float sumf = 0;
    int ib = 0;
    for (; ib + 8 <= nb; ib += 8) sumf = add_blocks8(type, w, x, ib, 8, sumf);
    switch (nb - ib) {  // k a constant in each: the loops above unroll
    case 7: return add_blocks8(type, w, x, ib, 7, sumf);
    case 6: return add_blocks8(type, w, x, ib, 6, sumf);
    case 5: return add_blocks8(type, w, x, ib, 5, sumf);
    case 4: return add_blocks8(type, w, x, ib, 4, sumf);
    case 3: return add_blocks8(type, w, x, ib, 3, sumf);
    case 2: return add_blocks8(type, w, x, ib, 2, sumf);
    case 1: return add_blocks8(type, w, x, ib, 1, sumf);
    default: return sumf;
    }
}

AVX2 float ck_dot_q8_0_avx2(int n, const void *w, const void *x) { return dot_blocks(CK_Q8_0, n, w, x); }
AVX2 float ck_dot_q5_0_avx2(int n, const void *w, const void *x) { return dot_blocks(CK_Q5_0, n, w, x); }

/// Eight rows (wbytes apart) of Q8_0 or Q5_0 weights against one activation row: per block the 8 rows' sums gathered
/// into one register and scaled together, lane r accumulating row r in block order — each lane the scalar twin's
/// bits. For short rows (attn_k_b: 6 blocks) the single-row kernel's per-row work would dominate; for long ones its
/// one float add per 34-byte block in a dependent chain (4 cycles each) caps it near 23 GB/s from cache, where the 8
/// lanes here add 8 blocks at once. Long rows ask for the next 8 rows' block as they go (8 rows of 2048 columns:
/// 17 KB ahead), short ones for the bytes CK_STREAM_AHEAD on, at the start.
AVX2 static inline __attribute__((always_inline)) void dot8_rows(uint32_t type, int n, const char *w, size_t wbytes, const block_q8_0 *b, float *out) {
    const size_t size = type == CK_Q5_0 ? sizeof(block_q5_0) : sizeof(block_q8_0);
    const int lng = n / QK >= 8;
    if (!lng) for (size_t o = 0; o < 8 * wbytes; o += 64) CK_PREFETCH_STREAM(w + CK_STREAM_AHEAD + o);
    __m256 sum = _mm256_setzero_ps();
    for (int ib = 0; ib < n / QK; ib++) {
        const __m256i y = _mm256_loadu_si256((const __m256i *)b[ib].qs);
        __m256i v[8];
        for (int r = 0; r < 8; r++) {
            const char *blk = w + r * wbytes + ib * size;
            if (lng) CK_PREFETCH_STREAM(blk + 8 * wbytes);
            v[r] = dot_i8(type == CK_Q5_0 ? q5_0_quants((const block_q5_0 *)blk) : _mm256_loadu_si256((const __m256i *)((const block_q8_0 *)blk)->qs), y);
        }
        const __m256 dd = _mm256_mul_ps(scales8(w + ib * size, wbytes, 8), _mm256_set1_ps(H2F(b[ib].d)));
        sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_cvtepi32_ps(sum_lanes8(v)), dd));
    }
    _mm256_storeu_ps(out, sum);
}

AVX2 void ck_dot8_rows_q8_0_avx2(int n, const void *w, size_t wbytes, const void *x, float *out) { dot8_rows(CK_Q8_0, n, w, wbytes, x, out); }
AVX2 void ck_dot8_rows_q5_0_avx2(int n, const void *w, size_t wbytes, const void *x, float *out) { dot8_rows(CK_Q5_0, n, w, wbytes, x, out); }

AVX2 float ck_dot_q4_0_avx2(int n, const void *w, const void *x) {
    const block_q4_0 *a = w; const block_q8_0 *b = x;
    float sumf = 0;  // per block as the scalar twin and llama.cpp's repacked Q4_0 GEMM: bit-exact
    for (int ib = 0; ib < n / QK; ib++) {
        const __m256i q = _mm256_sub_epi8(nibbles32(a[ib].qs), _mm256_set1_epi8(8));
        const int s = hsum_i32x8(dot_i8(q, _mm256_loadu_si256((const __m256i *)b[ib].qs)));
        sumf = fmaf((float)s, H2F(a[ib].d) * H2F(b[ib].d), sumf);
    }
    return sumf;
}

AVX2 float ck_dot_q4_1_avx2(int n, const void *w, const void *x) {
    const block_q4_1 *a = w; const block_q8_1 *b = x;
    __m256 acc = _mm256_setzero_ps();
    float summs = 0;
    for (int ib = 0; ib < n / QK; ib++) {
        summs += H2F(a[ib].m) * H2F(b[ib].s);
        const __m256 d = _mm256_set1_ps(H2F(a[ib].d) * H2F(b[ib].d));
        const __m256i s = dot_u8(nibbles32(a[ib].qs), _mm256_loadu_si256((const __m256i *)b[ib].qs));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(s), acc);
    }
    return hsum8(acc) + summs;
}

AVX2 float ck_dot_q5_1_avx2(int n, const void *w, const void *x) {
    const block_q5_1 *a = w; const block_q8_1 *b = x;
    __m256 acc = _mm256_setzero_ps();
    float summs = 0;
    for (int ib = 0; ib < n / QK; ib++) {
        summs += H2F(a[ib].m) * H2F(b[ib].s);
        const __m256 d = _mm256_set1_ps(H2F(a[ib].d) * H2F(b[ib].d));
        const __m256i hi = _mm256_and_si256(bytes_from_bits32(a[ib].qh), _mm256_set1_epi8(0x10));
        const __m256i s = dot_u8(_mm256_or_si256(nibbles32(a[ib].qs), hi), _mm256_loadu_si256((const __m256i *)b[ib].qs));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(s), acc);
    }
    return hsum8(acc) + summs;
}

/// [scale 2g+1 ×8 (high lanes) | scale 2g ×8 (low lanes)] as int16, from 16 signed or unsigned 8-bit scales.
AVX2 static inline __m256i pair_scales(__m128i sc8, int g, int is_signed) {
    const __m128i lo = _mm_shuffle_epi8(sc8, _mm_set1_epi8((char)(2*g))), hi = _mm_shuffle_epi8(sc8, _mm_set1_epi8((char)(2*g + 1)));
    return is_signed ? _mm256_set_m128i(_mm_cvtepi8_epi16(hi), _mm_cvtepi8_epi16(lo))
                     : _mm256_set_m128i(_mm_cvtepu8_epi16(hi), _mm_cvtepu8_epi16(lo));
}

/// Scales (bytes 0..7) and mins (bytes 8..15) of a Q4_K/Q5_K block, unpacked from 12 bytes of 6-bit fields.
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
/// Shuffle masks that broadcast 16-bit scale 2j (low 128 bits) ... for AVX2: all 16 lanes = scale k.
AVX2 static inline __m256i scale_bcast(__m256i scales16, int k) {
    const __m256i idx = _mm256_set1_epi16((short)((2*k) | ((2*k + 1) << 8)));
    return _mm256_shuffle_epi8(scales16, idx);
}
/// Σ_j mins[j] · (bsums[2j] + bsums[2j+1]) for a Q8_K block.
AVX2 static inline int k4_summs(__m128i mins8, const int16_t *bsums) {
    const __m128i bs = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)bsums), _mm_loadu_si128((const __m128i *)bsums + 1));
    const __m128i prod = _mm_madd_epi16(_mm_cvtepu8_epi16(mins8), bs);
    __m128i ps = _mm_add_epi32(prod, _mm_shuffle_epi32(prod, 0x4E));
    ps = _mm_add_epi32(ps, _mm_shuffle_epi32(ps, 0xB1));
    return _mm_cvtsi128_si32(ps);
}

AVX2 float ck_dot_q4_K_avx2(int n, const void *w, const void *x) {
    const block_q4_K *a = w; const block_q8_K *b = x;
    float sumf = 0;  // per block as the scalar twin: bit-exact
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    for (int i = 0; i < n / QK_K; i++) {
        CK_STREAM(a + i, sizeof *a);
        const __m128i sm = k4_scales(a[i].scales);
        const int summs = k4_summs(_mm_unpackhi_epi64(sm, sm), b[i].bsums);
        const __m128i sc16 = _mm_cvtepu8_epi16(sm);
        const __m256i scales = _mm256_set_m128i(sc16, sc16);
        const uint8_t *q4 = a[i].qs; const int8_t *q8 = b[i].qs;
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < QK_K/64; j++) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)q4);
            const __m256i pl = _mm256_maddubs_epi16(_mm256_and_si256(bits, m4), _mm256_loadu_si256((const __m256i *)q8));
            const __m256i ph = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(bits, 4), m4), _mm256_loadu_si256((const __m256i *)(q8 + 32)));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(scale_bcast(scales, 2*j), pl));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(scale_bcast(scales, 2*j + 1), ph));
            q4 += 32; q8 += 64;
        }
        sumf += (H2F(a[i].d) * b[i].d) * hsum_i32x8(sumi) - (H2F(a[i].dmin) * b[i].d) * summs;
    }
    return sumf;
}

/// Q4_K against 4 activation rows at once (rows xbytes apart): the nibbles and scales are unpacked once per
/// block for all four; out[t] = W · X_t.
AVX2 void ck_dot4_q4_K_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) {
    const block_q4_K *a = w;
    const block_q8_K *b[4];
    for (int t = 0; t < 4; t++) b[t] = (const block_q8_K *)((const char *)x + t * xbytes);
    float sumf[4] = {0, 0, 0, 0};  // per block as the scalar twin: bit-exact
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    for (int i = 0; i < n / QK_K; i++) {
        const __m128i sm = k4_scales(a[i].scales);
        const __m128i mins = _mm_unpackhi_epi64(sm, sm);
        const __m128i sc16 = _mm_cvtepu8_epi16(sm);
        const __m256i scales = _mm256_set_m128i(sc16, sc16);
        const float dw = H2F(a[i].d), mw = H2F(a[i].dmin);
        __m256i sumi[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
        for (int j = 0; j < QK_K/64; j++) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32*j));
            const __m256i lo = _mm256_and_si256(bits, m4), hi = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
            const __m256i sl = scale_bcast(scales, 2*j), sh = scale_bcast(scales, 2*j + 1);
            for (int t = 0; t < 4; t++) {
                const int8_t *q8 = b[t][i].qs + 64*j;
                const __m256i pl = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)q8));
                const __m256i ph = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(q8 + 32)));
                sumi[t] = _mm256_add_epi32(sumi[t], _mm256_add_epi32(_mm256_madd_epi16(sl, pl), _mm256_madd_epi16(sh, ph)));
            }
        }
        for (int t = 0; t < 4; t++) {
            sumf[t] += (dw * b[t][i].d) * hsum_i32x8(sumi[t]) - (mw * b[t][i].d) * k4_summs(mins, b[t][i].bsums);
        }
    }
    for (int t = 0; t < 4; t++) out[t] = sumf[t];
}

/// Q4_K against T (1…4) activation rows packed by gemm.c (block_q8_Kx4). The nibbles are transposed so
/// that each int16 lane of a product belongs to one fixed sub-block (see pack_q8_Kx4): the 8 products of a
/// 256-block sum in int16 (|8 · 2 · 15 · 128| = 30720 < 2^15) and take their scales in one vpmaddwd, 9
/// multiplies per row and block instead of 16. The four rows' sums are reduced together and the float
/// steps run in 4 lanes, each lane exactly the scalar twin's: (dw·d8)·isum − (mw·d8)·summs per block.
/// The nibble registers M_k, N_k of one Q4_K block's 128 quant bytes (see pack_q8_Kx4 in gemm.c).
AVX2 static inline void q4_K_registers(const uint8_t *qs, __m256i wm[4], __m256i wn[4]) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i c0 = _mm256_loadu_si256((const __m256i *)qs), c1 = _mm256_loadu_si256((const __m256i *)(qs + 32));
    const __m256i c2 = _mm256_loadu_si256((const __m256i *)(qs + 64)), c3 = _mm256_loadu_si256((const __m256i *)(qs + 96));
    const __m256i u0 = _mm256_unpacklo_epi32(c0, c1), u1 = _mm256_unpackhi_epi32(c0, c1);
    const __m256i u2 = _mm256_unpacklo_epi32(c2, c3), u3 = _mm256_unpackhi_epi32(c2, c3);
    const __m256i r[4] = {_mm256_unpacklo_epi64(u0, u2), _mm256_unpackhi_epi64(u0, u2), _mm256_unpacklo_epi64(u1, u3), _mm256_unpackhi_epi64(u1, u3)};
    for (int k = 0; k < 4; k++) {
        const __m256i lo = _mm256_and_si256(r[k], m4), hi = _mm256_and_si256(_mm256_srli_epi16(r[k], 4), m4);
        wm[k] = _mm256_blend_epi32(lo, hi, 0xF0);
        wn[k] = _mm256_permute2x128_si256(lo, hi, 0x21);
    }
}

/// Rewrites one Q4_K block in place into CK_Q4_K_R (repack.c): register k stored as M_k | N_k << 4.
AVX2 void ck_repack_q4_K_block_avx2(void *block) {
    uint8_t *qs = ((block_q4_K *)block)->qs;
    __m256i wm[4], wn[4];
    q4_K_registers(qs, wm, wn);
    for (int k = 0; k < 4; k++) _mm256_storeu_si256((__m256i *)(qs + 32*k), _mm256_or_si256(wm[k], _mm256_slli_epi16(wn[k], 4)));
}

/// R: the weights are CK_Q4_K_R (repack.c), whose bytes already are (M_k | N_k << 4): no transposition.
AVX2 static inline __attribute__((always_inline)) void gemm_q4_K(int n, const block_q4_K *a, const block_q8_Kx4 *b0, size_t gstride, const int G, const int T, const int R, float *out) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m128i scidx = _mm_setr_epi8(0, 0, 2, 2, 4, 4, 6, 6, 1, 1, 3, 3, 5, 5, 7, 7);
    __m128 sumf[2] = {_mm_setzero_ps(), _mm_setzero_ps()};
    for (int i = 0; i < n / QK_K; i++) {
        const __m128i sm = k4_scales(a[i].scales);
        const __m256i sc = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(sm, scidx));  // half 0: sc[2p] ×2, half 1: sc[2p+1] ×2
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_unpackhi_epi64(sm, sm));  // [m0…m7 | m0…m7]
        __m256i wm[4], wn[4];
        if (R) {
            for (int k = 0; k < 4; k++) {
                const __m256i q = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32*k));
                wm[k] = _mm256_and_si256(q, m4);
                wn[k] = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
            }
        } else {
            q4_K_registers(a[i].qs, wm, wn);
        }
        const float dw = H2F(a[i].d), mw = H2F(a[i].dmin);
        for (int g = 0; g < G; g++) {  // groups of 4 rows gstride apart, same unpacked weights
        const block_q8_Kx4 *b = (const block_q8_Kx4 *)((const char *)b0 + g * gstride);
        __m256i is[4];
        for (int t = 0; t < 4; t++) {
            if (t >= T) { is[t] = _mm256_setzero_si256(); continue; }
            const __m256i *y = (const __m256i *)b[i].qs[t];
            const __m256i p0 = _mm256_add_epi16(_mm256_maddubs_epi16(wm[0], _mm256_loadu_si256(y + 0)), _mm256_maddubs_epi16(wm[1], _mm256_loadu_si256(y + 1)));
            const __m256i p1 = _mm256_add_epi16(_mm256_maddubs_epi16(wm[2], _mm256_loadu_si256(y + 2)), _mm256_maddubs_epi16(wm[3], _mm256_loadu_si256(y + 3)));
            const __m256i p2 = _mm256_add_epi16(_mm256_maddubs_epi16(wn[0], _mm256_loadu_si256(y + 4)), _mm256_maddubs_epi16(wn[1], _mm256_loadu_si256(y + 5)));
            const __m256i p3 = _mm256_add_epi16(_mm256_maddubs_epi16(wn[2], _mm256_loadu_si256(y + 6)), _mm256_maddubs_epi16(wn[3], _mm256_loadu_si256(y + 7)));
            is[t] = _mm256_madd_epi16(_mm256_add_epi16(_mm256_add_epi16(p0, p1), _mm256_add_epi16(p2, p3)), sc);
        }
        const __m128i isum = hsum4_i32x8(is);
        // summs: Σ_s m_s · bsp[t][s] for the 4 rows
        const __m256i s01 = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)b[i].bsp[0]), mins);  // [row 0 | row 1]
        const __m256i s23 = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)b[i].bsp[2]), mins);  // [row 2 | row 3]
        const __m256i x = _mm256_hadd_epi32(s01, s23);  // [0 0 2 2 | 1 1 3 3]
        const __m128i summs = _mm_shuffle_epi32(_mm_hadd_epi32(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1)), 0xD8);
        const __m128 d8 = _mm_loadu_ps(b[i].d);
        const __m128 dd = _mm_mul_ps(_mm_set1_ps(dw), d8), dm = _mm_mul_ps(_mm_set1_ps(mw), d8);
        sumf[g] = _mm_add_ps(sumf[g], _mm_sub_ps(_mm_mul_ps(dd, _mm_cvtepi32_ps(isum)), _mm_mul_ps(dm, _mm_cvtepi32_ps(summs))));
        }
    }
    if (G == 2) { _mm_storeu_ps(out, sumf[0]); _mm_storeu_ps(out + 4, sumf[1]); return; }
    float o[4]; _mm_storeu_ps(o, sumf[0]);
    for (int t = 0; t < T; t++) out[t] = o[t];
}

AVX2 void ck_gemm_q4_K_avx2(int n, const void *w, const void *xp, int T, float *out) {
    switch (T) {
    case 4: gemm_q4_K(n, w, xp, 0, 1, 4, 0, out); break;
    case 3: gemm_q4_K(n, w, xp, 0, 1, 3, 0, out); break;
    case 2: gemm_q4_K(n, w, xp, 0, 1, 2, 0, out); break;
    default: gemm_q4_K(n, w, xp, 0, 1, 1, 0, out); break;
    }
}

/// Two full packed groups (8 activation rows, gstride bytes apart) against one weight row: weights unpacked once.
AVX2 void ck_gemm8_q4_K_avx2(int n, const void *w, const void *xp, size_t gstride, float *out) {
    gemm_q4_K(n, w, xp, gstride, 2, 4, 0, out);
}

AVX2 void ck_gemm_q4_K_r_avx2(int n, const void *w, const void *xp, int T, float *out) {
    switch (T) {
    case 4: gemm_q4_K(n, w, xp, 0, 1, 4, 1, out); break;
    case 3: gemm_q4_K(n, w, xp, 0, 1, 3, 1, out); break;
    case 2: gemm_q4_K(n, w, xp, 0, 1, 2, 1, out); break;
    default: gemm_q4_K(n, w, xp, 0, 1, 1, 1, out); break;
    }
}

AVX2 void ck_gemm8_q4_K_r_avx2(int n, const void *w, const void *xp, size_t gstride, float *out) {
    gemm_q4_K(n, w, xp, gstride, 2, 4, 1, out);
}

/// CK_Q4_K_R against one activation row packed by gemm.c (row 0 of each block_q8_Kx4): the decode kernel.
/// Per block: 8 vpmaddubsw summed in int16 (as gemm_q4_K), one vpmaddwd with the scales, the scalar twin's float
/// steps. About 1.4× the plain Q4_K kernel's speed from cache (no per-sub-block scale broadcasts and vpmaddwd).
AVX2 float ck_gemv_q4_K_r_avx2(int n, const void *w, const void *xp) {
    const block_q4_K *a = w; const block_q8_Kx4 *b = xp;
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m128i scidx = _mm_setr_epi8(0, 0, 2, 2, 4, 4, 6, 6, 1, 1, 3, 3, 5, 5, 7, 7);
    float sumf = 0;  // per block as the scalar twin: bit-exact
    for (int i = 0; i < n / QK_K; i++) {
        CK_STREAM(a + i, sizeof *a);
        const __m128i sm = k4_scales(a[i].scales);
        const __m256i sc = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(sm, scidx));
        const __m128i mins = _mm_cvtepu8_epi16(_mm_unpackhi_epi64(sm, sm));
        const __m256i *y = (const __m256i *)b[i].qs[0];
        __m256i p[4];
        for (int k = 0; k < 4; k++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32*k));
            p[k] = _mm256_add_epi16(_mm256_maddubs_epi16(_mm256_and_si256(q, m4), _mm256_loadu_si256(y + k)),
                                    _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4), _mm256_loadu_si256(y + 4 + k)));
        }
        const __m256i is = _mm256_madd_epi16(_mm256_add_epi16(_mm256_add_epi16(p[0], p[1]), _mm256_add_epi16(p[2], p[3])), sc);
        const __m128i s4 = _mm_madd_epi16(_mm_loadu_si128((const __m128i *)b[i].bsp[0]), mins);
        __m128i ps = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
        ps = _mm_add_epi32(ps, _mm_shuffle_epi32(ps, 0xB1));
        const float d8 = b[i].d[0];
        sumf += (H2F(a[i].d) * d8) * hsum_i32x8(is) - (H2F(a[i].dmin) * d8) * _mm_cvtsi128_si32(ps);
    }
    return sumf;
}

/// Q5_K against 4 activation rows at once.
AVX2 void ck_dot4_q5_K_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) {
    const block_q5_K *a = w;
    const block_q8_K *b[4];
    for (int t = 0; t < 4; t++) b[t] = (const block_q8_K *)((const char *)x + t * xbytes);
    float sumf[4] = {0, 0, 0, 0};  // per block as the scalar twin: bit-exact
    const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    for (int i = 0; i < n / QK_K; i++) {
        const __m128i sm = k4_scales(a[i].scales);
        const __m128i mins = _mm_unpackhi_epi64(sm, sm);
        const __m128i sc16 = _mm_cvtepu8_epi16(sm);
        const __m256i scales = _mm256_set_m128i(sc16, sc16);
        const __m256i hb = _mm256_loadu_si256((const __m256i *)a[i].qh);
        const float dw = H2F(a[i].d), mw = H2F(a[i].dmin);
        __m256i sumi[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
        for (int j = 0; j < QK_K/64; j++) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32*j));
            const __m256i hl = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2*j), one), 4);
            const __m256i hh = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2*j + 1), one), 4);
            const __m256i lo = _mm256_or_si256(_mm256_and_si256(bits, m4), hl);
            const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits, 4), m4), hh);
            const __m256i sl = scale_bcast(scales, 2*j), sh = scale_bcast(scales, 2*j + 1);
            for (int t = 0; t < 4; t++) {
                const int8_t *q8 = b[t][i].qs + 64*j;
                const __m256i pl = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)q8));
                const __m256i ph = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(q8 + 32)));
                sumi[t] = _mm256_add_epi32(sumi[t], _mm256_add_epi32(_mm256_madd_epi16(sl, pl), _mm256_madd_epi16(sh, ph)));
            }
        }
        for (int t = 0; t < 4; t++)
            sumf[t] += fmaf(-mw, (float)k4_summs(mins, b[t][i].bsums), (float)hsum_i32x8(sumi[t]) * dw) * b[t][i].d;
    }
    for (int t = 0; t < 4; t++) out[t] = sumf[t];
}

/// Q8_0 against 4 activation rows: the single-row kernel per row (matmuls of 2+ rows run gemm_q8_0.c).
AVX2 void ck_dot4_q8_0_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) {
    for (int t = 0; t < 4; t++) out[t] = ck_dot_q8_0_avx2(n, w, (const char *)x + t * xbytes);
}

/// Q6_K against 4 activation rows at once.
AVX2 void ck_dot4_q6_K_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) {
    const block_q6_K *a = w;
    const block_q8_K *b[4];
    for (int t = 0; t < 4; t++) b[t] = (const block_q8_K *)((const char *)x + t * xbytes);
    float sumf[4] = {0, 0, 0, 0};  // per block as the scalar twin: bit-exact
    for (int i = 0; i < n / QK_K; i++) {
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)a[i].scales);
        const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
        const float dw = H2F(a[i].d);
        __m256i sumi[4];
        for (int t = 0; t < 4; t++)  // the -32 offset through the block sums: -32 Σ_k sc_k · bsum_k
            sumi[t] = _mm256_setr_epi32(-32 * hsum_i32x8(_mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)b[t][i].bsums))), 0, 0, 0, 0, 0, 0, 0);
        for (int kk = 0; kk < QK_K/128; kk++) {
            __m256i q[4];
            q6_K_half(a + i, kk, q);
            for (int g = 0; g < 4; g++) {
                const __m256i s = pair_scales(sc8, 4*kk + g, 1);
                for (int t = 0; t < 4; t++) {
                    const __m256i p = _mm256_maddubs_epi16(q[g], _mm256_loadu_si256((const __m256i *)(b[t][i].qs + 128*kk + 32*g)));
                    sumi[t] = _mm256_add_epi32(sumi[t], _mm256_madd_epi16(s, p));
                }
            }
        }
        for (int t = 0; t < 4; t++) sumf[t] += ((float)hsum_i32x8(sumi[t]) * dw) * b[t][i].d;
    }
    for (int t = 0; t < 4; t++) out[t] = sumf[t];
}

/// Q6_K against T (1…4) activation rows packed by gemm.c (block_q8_Kx4s): the 6-bit registers paired so
/// that two products sum in int16 (|2 · 2 · 63 · 128| = 32256 < 2^15) before one vpmaddwd with the scales;
/// the −32 offset through the block sums; float steps in 4 lanes, each the scalar twin's ((float)isum·d)·d8.
AVX2 static inline __attribute__((always_inline)) void gemm_q6_K(int n, const block_q6_K *a, const block_q8_Kx4s *b0, size_t gstride, const int G, const int T, float *out) {
    __m128 sumf[2] = {_mm_setzero_ps(), _mm_setzero_ps()};
    for (int i = 0; i < n / QK_K; i++) {
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)a[i].scales);
        const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
        __m256i wx[4], wy[4], sp[4];
        for (int kk = 0; kk < 2; kk++) {
            __m256i q[4];
            q6_K_half(a + i, kk, q);
            wx[2*kk] = _mm256_unpacklo_epi64(q[0], q[1]); wy[2*kk] = _mm256_unpackhi_epi64(q[0], q[1]);
            wx[2*kk + 1] = _mm256_unpacklo_epi64(q[2], q[3]); wy[2*kk + 1] = _mm256_unpackhi_epi64(q[2], q[3]);
        }
        for (int pr = 0; pr < 4; pr++) {  // int16 lanes: [s_b ×4, s_b+2 ×4 | s_b+1 ×4, s_b+3 ×4], b = 4·pr
            const char c = (char)(4*pr);
            const __m128i idx = _mm_setr_epi8(c, c, c, c, c + 2, c + 2, c + 2, c + 2, c + 1, c + 1, c + 1, c + 1, c + 3, c + 3, c + 3, c + 3);
            sp[pr] = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, idx));
        }
        const float dw = H2F(a[i].d);
        for (int g = 0; g < G; g++) {  // groups of 4 rows gstride apart, same unpacked weights
        const block_q8_Kx4s *b = (const block_q8_Kx4s *)((const char *)b0 + g * gstride);
        __m256i is[4];
        for (int t = 0; t < 4; t++) {
            if (t >= T) { is[t] = _mm256_setzero_si256(); continue; }
            const __m256i *y = (const __m256i *)b[i].qs[t];
            __m256i s = _mm256_slli_epi32(_mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)b[i].bsums[t])), 5);
            s = _mm256_sub_epi32(_mm256_setzero_si256(), s);
            for (int pr = 0; pr < 4; pr++) {
                const __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(wx[pr], _mm256_loadu_si256(y + 2*pr)),
                                                   _mm256_maddubs_epi16(wy[pr], _mm256_loadu_si256(y + 2*pr + 1)));
                s = _mm256_add_epi32(s, _mm256_madd_epi16(p, sp[pr]));
            }
            is[t] = s;
        }
        const __m128i isum = hsum4_i32x8(is);
        sumf[g] = _mm_add_ps(sumf[g], _mm_mul_ps(_mm_mul_ps(_mm_cvtepi32_ps(isum), _mm_set1_ps(dw)), _mm_loadu_ps(b[i].d)));
        }
    }
    if (G == 2) { _mm_storeu_ps(out, sumf[0]); _mm_storeu_ps(out + 4, sumf[1]); return; }
    float o[4]; _mm_storeu_ps(o, sumf[0]);
    for (int t = 0; t < T; t++) out[t] = o[t];
}

AVX2 void ck_gemm_q6_K_avx2(int n, const void *w, const void *xp, int T, float *out) {
    switch (T) {
    case 4: gemm_q6_K(n, w, xp, 0, 1, 4, out); break;
    case 3: gemm_q6_K(n, w, xp, 0, 1, 3, out); break;
    case 2: gemm_q6_K(n, w, xp, 0, 1, 2, out); break;
    default: gemm_q6_K(n, w, xp, 0, 1, 1, out); break;
    }
}

/// Two full packed groups (8 activation rows) against one weight row.
AVX2 void ck_gemm8_q6_K_avx2(int n, const void *w, const void *xp, size_t gstride, float *out) {
    gemm_q6_K(n, w, xp, gstride, 2, 4, out);
}

AVX2 float ck_dot_q5_K_avx2(int n, const void *w, const void *x) {
    const block_q5_K *a = w; const block_q8_K *b = x;
    float sumf = 0;  // per block as the scalar twin: bit-exact
    const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    for (int i = 0; i < n / QK_K; i++) {
        CK_STREAM(a + i, sizeof *a);
        const __m128i sm = k4_scales(a[i].scales);
        const int summs = k4_summs(_mm_unpackhi_epi64(sm, sm), b[i].bsums);
        const __m128i sc16 = _mm_cvtepu8_epi16(sm);
        const __m256i scales = _mm256_set_m128i(sc16, sc16);
        const uint8_t *q5 = a[i].qs; const int8_t *q8 = b[i].qs;
        const __m256i hb = _mm256_loadu_si256((const __m256i *)a[i].qh);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < QK_K/64; j++) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)q5);
            const __m256i hl = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2*j), one), 4);
            const __m256i hh = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2*j + 1), one), 4);
            const __m256i ql = _mm256_or_si256(_mm256_and_si256(bits, m4), hl);
            const __m256i qh = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits, 4), m4), hh);
            const __m256i pl = _mm256_maddubs_epi16(ql, _mm256_loadu_si256((const __m256i *)q8));
            const __m256i ph = _mm256_maddubs_epi16(qh, _mm256_loadu_si256((const __m256i *)(q8 + 32)));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(scale_bcast(scales, 2*j), pl));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(scale_bcast(scales, 2*j + 1), ph));
            q5 += 32; q8 += 64;
        }
        sumf += fmaf(-H2F(a[i].dmin), (float)summs, (float)hsum_i32x8(sumi) * H2F(a[i].d)) * b[i].d;
    }
    return sumf;
}

AVX2 float ck_dot_q6_K_avx2(int n, const void *w, const void *x) {
    const block_q6_K *a = w; const block_q8_K *b = x;
    float sumf = 0;  // per block as the scalar twin: bit-exact
    for (int i = 0; i < n / QK_K; i++) {
        CK_STREAM(a + i, sizeof *a);
        const int8_t *q8 = b[i].qs;
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)a[i].scales);
        // the −32 offset of every weight, once per block: 32 · Σ_k scale_k · (sum of the 16 activations k)
        const __m256i off = _mm256_slli_epi32(_mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8), _mm256_loadu_si256((const __m256i *)b[i].bsums)), 5);
        __m256i sumi = _mm256_sub_epi32(_mm256_setzero_si256(), off);
        const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);  // [s0…s7 | s8…s15]
        for (int kk = 0; kk < QK_K/128; kk++) {
            const __m256i half = kk ? _mm256_permute4x64_epi64(sc16, 0xEE) : _mm256_permute4x64_epi64(sc16, 0x44);  // [s8kk…+7 | same]
            __m256i q[4];
            q6_K_half(a + i, kk, q);
            for (int t = 0; t < 4; t++) {
                const __m256i y = _mm256_loadu_si256((const __m256i *)(q8 + 32*t));
                const __m256i p = _mm256_maddubs_epi16(q[t], y);     // unsigned 6-bit weights: the offset is above
                // scales 8kk+2t (elements 0..15, low lanes) and 8kk+2t+1 (16..31, high lanes) of this 32
                const __m256i idx = _mm256_set_m128i(_mm_set1_epi16((short)((4*t + 2) | ((4*t + 3) << 8))), _mm_set1_epi16((short)((4*t) | ((4*t + 1) << 8))));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(_mm256_shuffle_epi8(half, idx), p));
            }
            q8 += 128;
        }
        sumf += ((float)hsum_i32x8(sumi) * H2F(a[i].d)) * b[i].d;
    }
    return sumf;
}

AVX2 float ck_dot_q2_K_avx2(int n, const void *w, const void *x) {
    const block_q2_K *a = w; const block_q8_K *b = x;
    float sumf = 0;  // per block as the scalar twin: bit-exact
    const __m256i m3 = _mm256_set1_epi8(3);
    for (int i = 0; i < n / QK_K; i++) {
        const __m128i raw = _mm_loadu_si128((const __m128i *)a[i].scales);
        const __m128i sc8 = _mm_and_si128(raw, _mm_set1_epi8(0x0F));
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(raw, 4), _mm_set1_epi8(0x0F)));
        const int summs = hsum_i32x8(_mm256_madd_epi16(mins, _mm256_loadu_si256((const __m256i *)b[i].bsums)));
        const int8_t *q8 = b[i].qs;
        __m256i sumi = _mm256_setzero_si256();
        for (int k = 0; k < QK_K/128; k++) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32*k));
            for (int j = 0; j < 4; j++) {
                const __m256i q = _mm256_and_si256(_mm256_srli_epi16(bits, 2*j), m3);
                const __m256i p = _mm256_maddubs_epi16(q, _mm256_loadu_si256((const __m256i *)(q8 + 128*k + 32*j)));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(pair_scales(sc8, 4*k + j, 0), p));
            }
        }
        sumf += (b[i].d * H2F(a[i].d)) * hsum_i32x8(sumi) - (b[i].d * H2F(a[i].dmin)) * summs;
    }
    return sumf;
}

/// Q3_K: values kept unsigned (q + 4·hbit, 0..7); the -4 offset is taken out through the q8 block sums.
AVX2 float ck_dot_q3_K_avx2(int n, const void *w, const void *x) {
    const block_q3_K *a = w; const block_q8_K *b = x;
    float sumf = 0;  // per block as the scalar twin: bit-exact
    const __m256i m3 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    for (int i = 0; i < n / QK_K; i++) {
        int8_t scv[16]; ck_q3k_scales(a[i].scales, scv);
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)scv);
        const int off = 4 * hsum_i32x8(_mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8), _mm256_loadu_si256((const __m256i *)b[i].bsums)));
        const __m256i hm = _mm256_loadu_si256((const __m256i *)a[i].hmask);
        const int8_t *q8 = b[i].qs;
        __m256i sumi = _mm256_setzero_si256();
        for (int k = 0; k < QK_K/128; k++) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32*k));
            for (int j = 0; j < 4; j++) {
                const __m256i h = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hm, 4*k + j), one), 2);
                const __m256i q = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits, 2*j), m3), h);
                const __m256i p = _mm256_maddubs_epi16(q, _mm256_loadu_si256((const __m256i *)(q8 + 128*k + 32*j)));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(pair_scales(sc8, 4*k + j, 1), p));
            }
        }
        sumi = _mm256_sub_epi32(sumi, _mm256_setr_epi32(off, 0, 0, 0, 0, 0, 0, 0));
        sumf += ((float)hsum_i32x8(sumi) * H2F(a[i].d)) * b[i].d;
    }
    return sumf;
}

/// 32 IQ4 weights of 16 bytes through the non-linear table: low nibbles first, then high nibbles.
AVX2 static inline __m256i iq4_values32(const uint8_t *q, __m128i table) {
    const __m128i bits = _mm_loadu_si128((const __m128i *)q), m4 = _mm_set1_epi8(0x0F);
    return _mm256_set_m128i(_mm_shuffle_epi8(table, _mm_and_si128(_mm_srli_epi16(bits, 4), m4)),
                            _mm_shuffle_epi8(table, _mm_and_si128(bits, m4)));
}

AVX2 float ck_dot_iq4_nl_avx2(int n, const void *w, const void *x) {
    const block_iq4_nl *a = w; const block_q8_0 *b = x;
    const __m128i table = _mm_loadu_si128((const __m128i *)ck_kvalues_iq4nl);
    float sumf = 0;  // per block as the scalar twin and llama.cpp's repacked IQ4_NL GEMM: bit-exact
    for (int ib = 0; ib < n / QK; ib++) {
        const int s = hsum_i32x8(dot_i8(iq4_values32(a[ib].qs, table), _mm256_loadu_si256((const __m256i *)b[ib].qs)));
        sumf = fmaf((float)s, H2F(b[ib].d) * H2F(a[ib].d), sumf);
    }
    return sumf;
}

AVX2 float ck_dot_iq4_xs_avx2(int n, const void *w, const void *x) {
    const block_iq4_xs *a = w; const block_q8_K *b = x;
    const __m128i table = _mm_loadu_si128((const __m128i *)ck_kvalues_iq4nl);
    float sumf = 0;  // per block as the scalar twin: bit-exact
    for (int i = 0; i < n / QK_K; i++) {
        const uint8_t *qs = a[i].qs; const int8_t *q8 = b[i].qs;
        uint16_t h = a[i].scales_h;
        __m256i sumi = _mm256_setzero_si256();
        for (int ib = 0; ib < QK_K/32; ib++) {
            const int ls = ((a[i].scales_l[ib/2] >> 4*(ib%2)) & 0xf) | (((h >> 2*ib) & 3) << 4);
            const __m256i q = iq4_values32(qs + 16*ib, table), y = _mm256_loadu_si256((const __m256i *)(q8 + 32*ib));
            const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(y, q));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, _mm256_set1_epi16((short)(ls - 32))));
        }
        sumf += ((float)hsum_i32x8(sumi) * H2F(a[i].d)) * b[i].d;
    }
    return sumf;
}

/// 4-row kernels for the 32-weight block types: each replays its single-row kernel's steps per row (same
/// float order, so matmul equals matvec bit for bit) with the weights unpacked once.
#define DOT4_PROLOGUE(WT, AT) \
    const WT *a = w; const AT *b[4]; \
    for (int t = 0; t < 4; t++) b[t] = (const AT *)((const char *)x + t * xbytes); \
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};

AVX2 void ck_dot4_q4_0_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) {
    DOT4_PROLOGUE(block_q4_0, block_q8_0)
    float sumf[4] = {0, 0, 0, 0}; (void)acc;  // per block as the scalar twin: bit-exact
    for (int ib = 0; ib < n / QK; ib++) {
        const __m256i q = _mm256_sub_epi8(nibbles32(a[ib].qs), _mm256_set1_epi8(8));
        const float dw = H2F(a[ib].d);
        for (int t = 0; t < 4; t++) {
            const int s = hsum_i32x8(dot_i8(q, _mm256_loadu_si256((const __m256i *)b[t][ib].qs)));
            sumf[t] = fmaf((float)s, dw * H2F(b[t][ib].d), sumf[t]);
        }
    }
    for (int t = 0; t < 4; t++) out[t] = sumf[t];
}

/// Q5_0 against 4 activation rows: the single-row kernel per row (matmuls of 2+ rows run gemm_q8_0.c).
AVX2 void ck_dot4_q5_0_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) {
    for (int t = 0; t < 4; t++) out[t] = ck_dot_q5_0_avx2(n, w, (const char *)x + t * xbytes);
}

AVX2 void ck_dot4_q4_1_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) {
    DOT4_PROLOGUE(block_q4_1, block_q8_1)
    float summs[4] = {0, 0, 0, 0};
    for (int ib = 0; ib < n / QK; ib++) {
        const __m256i q = nibbles32(a[ib].qs);
        const float dw = H2F(a[ib].d), mw = H2F(a[ib].m);
        for (int t = 0; t < 4; t++) {
            summs[t] += mw * H2F(b[t][ib].s);
            const __m256i s = dot_u8(q, _mm256_loadu_si256((const __m256i *)b[t][ib].qs));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * H2F(b[t][ib].d)), _mm256_cvtepi32_ps(s), acc[t]);
        }
    }
    for (int t = 0; t < 4; t++) out[t] = hsum8(acc[t]) + summs[t];
}

AVX2 void ck_dot4_q5_1_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) {
    DOT4_PROLOGUE(block_q5_1, block_q8_1)
    float summs[4] = {0, 0, 0, 0};
    for (int ib = 0; ib < n / QK; ib++) {
        const __m256i hi = _mm256_and_si256(bytes_from_bits32(a[ib].qh), _mm256_set1_epi8(0x10));
        const __m256i q = _mm256_or_si256(nibbles32(a[ib].qs), hi);
        const float dw = H2F(a[ib].d), mw = H2F(a[ib].m);
        for (int t = 0; t < 4; t++) {
            summs[t] += mw * H2F(b[t][ib].s);
            const __m256i s = dot_u8(q, _mm256_loadu_si256((const __m256i *)b[t][ib].qs));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * H2F(b[t][ib].d)), _mm256_cvtepi32_ps(s), acc[t]);
        }
    }
    for (int t = 0; t < 4; t++) out[t] = hsum8(acc[t]) + summs[t];
}

AVX2 void ck_dot4_iq4_nl_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) {
    DOT4_PROLOGUE(block_iq4_nl, block_q8_0)
    float sumf[4] = {0, 0, 0, 0}; (void)acc;  // per block as the scalar twin: bit-exact
    const __m128i table = _mm_loadu_si128((const __m128i *)ck_kvalues_iq4nl);
    for (int ib = 0; ib < n / QK; ib++) {
        const __m256i q = iq4_values32(a[ib].qs, table);
        const float dw = H2F(a[ib].d);
        for (int t = 0; t < 4; t++) {
            const int s = hsum_i32x8(dot_i8(q, _mm256_loadu_si256((const __m256i *)b[t][ib].qs)));
            sumf[t] = fmaf((float)s, H2F(b[t][ib].d) * dw, sumf[t]);
        }
    }
    for (int t = 0; t < 4; t++) out[t] = sumf[t];
}

AVX2 float ck_dot_f32_avx2(int n, const void *w, const void *x) {
    const float *a = w, *b = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum8(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

AVX2 float ck_dot_f16_avx2(int n, const void *w, const void *x) {
    const uint16_t *a = w, *b = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i))), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i))), s0);
        s1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i + 8))), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i + 8))), s1);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i))), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i))), s0);
    float s = hsum8(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += ck_fp16_to_fp32(a[i]) * ck_fp16_to_fp32(b[i]);
    return s;
}

AVX2 static inline __m256 bf16x8(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

AVX2 float ck_dot_bf16_avx2(int n, const void *w, const void *x) {
    const uint16_t *a = w, *b = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(bf16x8(a + i), bf16x8(b + i), s0);
        s1 = _mm256_fmadd_ps(bf16x8(a + i + 8), bf16x8(b + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(bf16x8(a + i), bf16x8(b + i), s0);
    float s = hsum8(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += ck_bf16_to_fp32(a[i]) * ck_bf16_to_fp32(b[i]);
    return s;
}
#endif
