// AVX-512 VNNI decode kernels (weights against one activation row: Q4_K_R one row at a time on activations packed by
// gemm.c, Q8_0 eight rows at a time), bit for bit the scalar twins (each block's integer sum exact, then the twin's
// float steps in its order). 256-bit registers: with 512-bit instructions in flight the core drops one of its three
// vector ports.
#if defined(__x86_64__)
#include <immintrin.h>
#include "blocks.h"
#include "simd.h"
#pragma STDC FP_CONTRACT OFF  // the float steps must round exactly like dot_ref.c

#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")))

/// Scales (bytes 0…7) and mins (bytes 8…15) of a Q4_K block from its 12 scale bytes (u0 u1 u2, 4 bytes each):
/// sc0…3 = u0 & 63, m0…3 = u1 & 63, sc4…7 = (u2 & 15) | (u0 >> 6) << 4, m4…7 = (u2 >> 4) | (u1 >> 6) << 4.
/// Reads 16 bytes (the 4 after the scales are the block's quants).
VNNI static inline __m128i k4_scales_v(const uint8_t *s) {
    const __m128i v = _mm_loadu_si128((const __m128i *)s);
    const __m128i a = _mm_shuffle_epi8(v, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11));  // u0 u2 u1 u2
    const __m128i b = _mm_shuffle_epi8(v, _mm_setr_epi8(-1, -1, -1, -1, 0, 1, 2, 3, -1, -1, -1, -1, 4, 5, 6, 7));  // 0 u0 0 u1
    const __m128i low = _mm_and_si128(_mm_srlv_epi32(a, _mm_setr_epi32(0, 0, 0, 4)), _mm_setr_epi32(0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F));
    return _mm_or_si128(low, _mm_and_si128(_mm_srli_epi16(b, 2), _mm_set1_epi8(0x30)));
}

/// The integer sums of one CK_Q4_K_R block (repack.c) against one packed activation row, per sub-block in the order
/// 0 2 4 6 1 3 5 7: every dword of a repacked register belongs to one sub-block (dword p of half h: 2p + h), so
/// vpdpbusd sums each sub-block's products exactly in int32 lanes (8 per block where AVX2 needs 8 vpmaddubsw, 7
/// adds and a vpmaddwd).
VNNI static inline __m256i q4_K_r_sums(const block_q4_K *a, const int8_t *qs) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i *y = (const __m256i *)qs;
    __m256i acc[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int k = 0; k < 4; k++) {
        const __m256i q = _mm256_loadu_si256((const __m256i *)(a->qs + 32*k));
        acc[k & 1] = _mm256_dpbusd_epi32(acc[k & 1], _mm256_and_si256(q, m4), _mm256_loadu_si256(y + k));
        acc[k & 1] = _mm256_dpbusd_epi32(acc[k & 1], _mm256_and_si256(_mm256_srli_epi16(q, 4), m4), _mm256_loadu_si256(y + 4 + k));
    }
    return _mm256_add_epi32(acc[0], acc[1]);
}

/// CK_Q4_K_R against row 0 of block_q8_Kx4 (gemm.c's pack_q8_Kx4), two blocks per step so that their scales,
/// mins terms, horizontal sums and float steps share vectors: lanes [A, B] of [dw·d8, …] · [isum, …] and
/// [mw·d8, …] · [summs, …], then each block's difference added to the sum in the twin's order.
VNNI float ck_gemv_q4_K_r_avx512(int n, const void *w, const void *xp) {
    const block_q4_K *a = w; const block_q8_Kx4 *b = xp;
    const int nb = n / QK_K;
    // per 128-bit lane (one block): its 8 scales in sub-block order 0 2 4 6 1 3 5 7, then its mins
    const __m256i scidx = _mm256_setr_epi8(0, 2, 4, 6, 1, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                           0, 2, 4, 6, 1, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m256i minidx = _mm256_setr_epi32(2, 6, 3, 7, 0, 0, 0, 0);  // dwords of mins: [A m0…3, B m0…3, A m4…7, B m4…7]
    float sumf = 0;  // per block as the scalar twin: bit-exact
    int i = 0;
    for (; i + 2 <= nb; i += 2) {
        CK_STREAM(a + i, 2 * sizeof *a);
        const __m256i pa = q4_K_r_sums(a + i, b[i].qs[0]), pb = q4_K_r_sums(a + i + 1, b[i + 1].qs[0]);
        const __m256i sm = _mm256_set_m128i(k4_scales_v(a[i + 1].scales), k4_scales_v(a[i].scales));  // [A | B]
        const __m256i sc = _mm256_shuffle_epi8(sm, scidx);
        const __m256i prod_a = _mm256_mullo_epi32(pa, _mm256_cvtepu8_epi32(_mm256_castsi256_si128(sc)));
        const __m256i prod_b = _mm256_mullo_epi32(pb, _mm256_cvtepu8_epi32(_mm256_extracti128_si256(sc, 1)));
        const __m256i mins = _mm256_cvtepu8_epi16(_mm256_castsi256_si128(_mm256_permutevar8x32_epi32(sc, minidx)));
        const __m128i ba = _mm_loadu_si128((const __m128i *)b[i].bsp[0]), bb = _mm_loadu_si128((const __m128i *)b[i + 1].bsp[0]);
        const __m256i ms = _mm256_madd_epi16(_mm256_set_m128i(_mm_unpackhi_epi64(ba, bb), _mm_unpacklo_epi64(ba, bb)), mins);
        // [A01 A23 B01 B23 | A45 A67 B45 B67] → [A0-3 B0-3 mA01+mA23… | A4-7 B4-7 …] → [isumA isumB summsA summsB]
        const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(prod_a, prod_b), ms);
        const __m128i is = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        int da, db; memcpy(&da, &a[i].d, 4); memcpy(&db, &a[i + 1].d, 4);  // d and dmin of each
        const __m128 dm = _mm_cvtph_ps(_mm_unpacklo_epi16(_mm_cvtsi32_si128(da), _mm_cvtsi32_si128(db)));  // [dwA dwB mwA mwB]
        const __m128 d8 = _mm_unpacklo_ps(_mm_set1_ps(b[i].d[0]), _mm_set1_ps(b[i + 1].d[0]));  // [d8A d8B d8A d8B]
        const __m128 p = _mm_mul_ps(_mm_mul_ps(dm, d8), _mm_cvtepi32_ps(is));
        const __m128 t = _mm_sub_ps(p, _mm_movehl_ps(p, p));  // [tA tB …]
        sumf += _mm_cvtss_f32(t);
        sumf += _mm_cvtss_f32(_mm_movehdup_ps(t));
    }
    for (; i < nb; i++) {  // an odd last block
        const __m256i pa = q4_K_r_sums(a + i, b[i].qs[0]);
        const __m128i sm = k4_scales_v(a[i].scales);
        const __m256i prod = _mm256_mullo_epi32(pa, _mm256_cvtepu8_epi32(_mm_shuffle_epi8(sm, _mm256_castsi256_si128(scidx))));
        const __m128i mins = _mm_madd_epi16(_mm_loadu_si128((const __m128i *)b[i].bsp[0]), _mm_cvtepu8_epi16(_mm_unpackhi_epi64(sm, sm)));
        __m128i t = _mm_hadd_epi32(_mm_add_epi32(_mm256_castsi256_si128(prod), _mm256_extracti128_si256(prod, 1)), mins);
        t = _mm_hadd_epi32(t, t);  // [isum, summs, …]
        int dbits; memcpy(&dbits, &a[i].d, 4);
        const __m128 p = _mm_mul_ps(_mm_mul_ps(_mm_cvtph_ps(_mm_cvtsi32_si128(dbits)), _mm_set1_ps(b[i].d[0])), _mm_cvtepi32_ps(t));
        sumf += _mm_cvtss_f32(_mm_sub_ss(p, _mm_movehdup_ps(p)));
    }
    return sumf;
}

/// Eight Q8_0 rows (wbytes apart) against one activation row, as the AVX2 dot8_rows (simd_avx2.c; lane r accumulates
/// row r in block order, each lane the scalar twin's bits) with two instructions fewer per row and block: the int8
/// products by vpdpbusd (|w| · y with w's sign), the rows' f16 scales by one gather instead of eight scalar loads.
VNNI void ck_dot8_rows_q8_0_avx512(int n, const void *w, size_t wbytes, const void *x, float *out) {
    const char *wb = w; const block_q8_0 *b = x;
    const int lng = n / QK >= 8;  // long rows: the next 8 rows' block as they go; short ones: CK_STREAM_AHEAD on, now
    if (!lng) for (size_t o = 0; o < 8 * wbytes; o += 64) CK_PREFETCH_STREAM(wb + CK_STREAM_AHEAD + o);
    const __m256i rowoff = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)wbytes));
    __m256 sum = _mm256_setzero_ps();
    for (int ib = 0; ib < n / QK; ib++) {
        const __m256i y = _mm256_loadu_si256((const __m256i *)b[ib].qs);
        const char *col = wb + (size_t)ib * sizeof(block_q8_0);
        __m256i v[8];
        for (int r = 0; r < 8; r++) {
            const block_q8_0 *blk = (const block_q8_0 *)(col + r * wbytes);
            if (lng) CK_PREFETCH_STREAM((const char *)blk + 8 * wbytes);
            const __m256i q = _mm256_loadu_si256((const __m256i *)blk->qs);
            v[r] = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(q), _mm256_sign_epi8(y, q));
        }
        // lane r = Σ v[r]: [v0…v3 lo | v0…v3 hi] and the same for v4…v7, halves added
        const __m256i q0 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
        const __m256i q1 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
        const __m256i is = _mm256_add_epi32(_mm256_permute2x128_si256(q0, q1, 0x20), _mm256_permute2x128_si256(q0, q1, 0x31));
        const __m256 dw = _mm256_cvtph_ps(_mm256_cvtepi32_epi16(_mm256_i32gather_epi32((const int *)col, rowoff, 1)));
        const __m256 dd = _mm256_mul_ps(dw, _mm256_set1_ps(_mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(b[ib].d)))));
        sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_cvtepi32_ps(is), dd));
    }
    _mm256_storeu_ps(out, sum);
}
#endif
