// Q8_0 and Q5_0 GEMM on AVX2 by 8-row tiles: the products in 16-bit (vpmaddwd) with each int32 lane one weight row,
// so a block's sum needs no horizontal reduction and no per-row float work. Bit for bit the scalar twins (dot_ref.c):
// per row and block the exact integer sum s, then sumf += s · (dw · dx) in block order. A Q5_0 block is its 32
// quants q − 16 as int8 and its scale, so its tiles are Q8_0 tiles (built from the 5-bit quants) and the rest is shared.
//
// Why: the single-row kernel spends vpsignb, vpmaddubsw, vpmaddwd (ones), cvt and fma per 32 weights and token, and
// Zen 2 has one vector integer-multiply pipe, which also takes half the FMAs: ~3.4 cycles per 32 MACs. Here a
// 32-weight block of 8 rows against one token is 16 vpmaddwd (the multiply pipe) + 16 vpaddd (the other pipes)
// and 1/8 of the float work per row.
//
// Tile (8 rows × one block): the rows' 32 quants seen as 16 int16 "pairs" (k = 2c, 2c + 1) and transposed so
// that chunk c holds pair c of rows 0…7 (16 bytes); chunks c and c + 8 share one 32-byte slot c (halves 0 and 1),
// then the 8 row scales as f32 (0 for rows past the matrix). Activations: groups of 8 tokens, per block the 32
// quants of each token widened to int16 and its scale as f32 (block_q8_0x8w), so pair c of token t is one dword.
#include <stdlib.h>
#include "blocks.h"
#include "simd.h"

typedef struct { int16_t q[8][QK]; float d[8]; } block_q8_0x8w;
typedef struct { int8_t q[8][32]; float d[8]; } tile_q8_0x8;
_Static_assert(sizeof(block_q8_0x8w) == 544, "q8_0x8w layout: a multiple of 32 bytes");
_Static_assert(sizeof(tile_q8_0x8) == 288, "tile layout: a multiple of 32 bytes");

size_t ck_q8_0x8w_bytes(int n) { return (size_t)(n / QK) * sizeof(block_q8_0x8w); }

/// T (1…8) Q8_0 rows xbytes apart → block_q8_0x8w per 32-block; rows past T are zero.
void ck_pack_q8_0x8w(int n, const void *x, size_t xbytes, int T, void *dst) {
    block_q8_0x8w *o = dst;
    for (int i = 0; i < n / QK; i++) {
        memset(&o[i], 0, sizeof o[i]);
        for (int t = 0; t < T; t++) {
            const block_q8_0 *b = (const block_q8_0 *)((const char *)x + (size_t)t * xbytes) + i;
            for (int k = 0; k < QK; k++) o[i].q[t][k] = b->qs[k];
            o[i].d[t] = ck_h2f(b->d);
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#include "unpack_avx2.h"
#pragma STDC FP_CONTRACT OFF  // s · (dw · dx) and the sum round as in the scalar twin
#define AVX2 __attribute__((target("avx2,fma,f16c")))

/// Rows r … r + R − 1 (R ≤ 8; wbytes apart) of `type` (CK_Q8_0 or CK_Q5_0) → nb tiles.
AVX2 static void build_tiles(uint32_t type, int nb, const char *w, size_t wbytes, int R, tile_q8_0x8 *tile) {
    const size_t size = type == CK_Q5_0 ? sizeof(block_q5_0) : sizeof(block_q8_0);
    for (int b = 0; b < nb; b++) {
        __m256i a[8];
        uint64_t d[2] = {0, 0};  // the 8 f16 scales gathered in scalar registers
        for (int r = 0; r < 8; r++) {
            if (r >= R) { a[r] = _mm256_setzero_si256(); continue; }
            const char *blk = w + (size_t)r * wbytes + (size_t)b * size;
            a[r] = type == CK_Q5_0 ? q5_0_quants((const block_q5_0 *)blk) : _mm256_loadu_si256((const __m256i *)((const block_q8_0 *)blk)->qs);
            uint16_t h; memcpy(&h, blk, 2);  // both types start with their f16 scale
            d[r / 4] |= (uint64_t)h << (16 * (r % 4));
        }
        _mm256_storeu_ps(tile[b].d, _mm256_cvtph_ps(_mm_set_epi64x((long long)d[1], (long long)d[0])));  // exact, as ck_h2f
        // 8×8 transpose of 16-bit pairs in each 128-bit half: words of a[r] are pairs 0…7 (half 0), 8…15 (half 1)
        __m256i s[8], u[8];
        for (int r = 0; r < 8; r += 2) {
            s[r] = _mm256_unpacklo_epi16(a[r], a[r + 1]);      // pairs 0…3 of rows r, r + 1
            s[r + 1] = _mm256_unpackhi_epi16(a[r], a[r + 1]);  // pairs 4…7
        }
        for (int h = 0; h < 2; h++) {  // rows 4h … 4h + 3
            u[4*h + 0] = _mm256_unpacklo_epi32(s[4*h], s[4*h + 2]);      // pairs 0, 1
            u[4*h + 1] = _mm256_unpackhi_epi32(s[4*h], s[4*h + 2]);      // pairs 2, 3
            u[4*h + 2] = _mm256_unpacklo_epi32(s[4*h + 1], s[4*h + 3]);  // pairs 4, 5
            u[4*h + 3] = _mm256_unpackhi_epi32(s[4*h + 1], s[4*h + 3]);  // pairs 6, 7
        }
        for (int p = 0; p < 4; p++) {
            _mm256_storeu_si256((__m256i *)tile[b].q[2*p], _mm256_unpacklo_epi64(u[p], u[4 + p]));      // pair 2p
            _mm256_storeu_si256((__m256i *)tile[b].q[2*p + 1], _mm256_unpackhi_epi64(u[p], u[4 + p]));  // pair 2p + 1
        }
    }
}

/// out[t][r] = row r · token t for the T tokens of one packed group against nb tiles.
AVX2 static inline __attribute__((always_inline)) void tile_times_group(int nb, const tile_q8_0x8 *tile, const block_q8_0x8w *x,
                                                                       const int T, __m256 *sum) {
    for (int t = 0; t < T; t++) sum[t] = _mm256_setzero_ps();
    for (int b = 0; b < nb; b++) {
        __m256i acc[8];
        for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_si256();
        for (int c = 0; c < 16; c++) {
            const __m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(tile[b].q[c & 7] + 16 * (c >> 3))));
            for (int t = 0; t < T; t++) {
                int32_t pair; memcpy(&pair, &x[b].q[t][2 * c], 4);
                acc[t] = _mm256_add_epi32(acc[t], _mm256_madd_epi16(wv, _mm256_set1_epi32(pair)));
            }
        }
        const __m256 dw = _mm256_loadu_ps(tile[b].d);
        for (int t = 0; t < T; t++)
            sum[t] = _mm256_add_ps(sum[t], _mm256_mul_ps(_mm256_cvtepi32_ps(acc[t]), _mm256_mul_ps(dw, _mm256_broadcast_ss(&x[b].d[t]))));
    }
}

#define GROUP_CASE(T) case T: tile_times_group(nb, tile, x, T, sum); break;
AVX2 static void group_product(int nb, const tile_q8_0x8 *tile, const block_q8_0x8w *x, int T, __m256 *sum) {
    switch (T) { GROUP_CASE(8) GROUP_CASE(7) GROUP_CASE(6) GROUP_CASE(5) GROUP_CASE(4) GROUP_CASE(3) GROUP_CASE(2) default: tile_times_group(nb, tile, x, 1, sum); }
}

/// Block b of a row of `type` as 32 int8 quants and its f16 scale (plain C).
static uint16_t block_quants(uint32_t type, const char *row, int b, int8_t q[QK]) {
    if (type == CK_Q5_0) {
        const block_q5_0 *a = (const block_q5_0 *)row + b;
        uint32_t qh; memcpy(&qh, a->qh, 4);
        for (int j = 0; j < QK/2; j++) {
            q[j] = (int8_t)(((a->qs[j] & 0x0F) | ((qh >> j) & 1) << 4) - 16);
            q[j + QK/2] = (int8_t)(((a->qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4) - 16);
        }
        return a->d;
    }
    const block_q8_0 *a = (const block_q8_0 *)row + b;
    memcpy(q, a->qs, QK);
    return a->d;
}

/// Row r against the packed tokens the plain way (same sums, same order): when no tile buffer can be had.
static void rows_without_tiles(uint32_t type, int nb, const char *w, size_t wbytes, int64_t r0, int64_t r1, const char *xp,
                               size_t gstride, int64_t nt, float *y, int64_t ldy) {
    for (int64_t r = r0; r < r1; r++)
        for (int64_t t = 0; t < nt; t++) {
            const block_q8_0x8w *x = (const block_q8_0x8w *)(xp + (size_t)(t / 8) * gstride);
            float sumf = 0;
            for (int b = 0; b < nb; b++) {
                int8_t q[QK];
                const uint16_t d = block_quants(type, w + (size_t)r * wbytes, b, q);
                int s = 0;
                for (int k = 0; k < QK; k++) s += q[k] * x[b].q[t % 8][k];
                sumf += s * (ck_h2f(d) * x[b].d[t % 8]);
            }
            y[t * ldy + r] = sumf;
        }
}

/// Rows r0 <= r < r1 of Y(nt, ldy) = X · Wᵀ for `type` weights and activations packed by ck_pack_q8_0x8w.
AVX2 static void gemm_rows(uint32_t type, int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                           int64_t nt, float *y, int64_t ldy) {
    static _Thread_local void *buf = NULL;  // tiles of 8 rows: 288 bytes per 32 columns (L1/L2-resident)
    static _Thread_local size_t cap = 0;
    const int nb = n / QK;
    tile_q8_0x8 *tile = ck_grow_buffer(&buf, &cap, (size_t)nb * sizeof(tile_q8_0x8), 65536);
    if (!tile) { rows_without_tiles(type, nb, w, wbytes, r0, r1, xp, gstride, nt, y, ldy); return; }
    for (int64_t r = r0; r < r1; r += 8) {
        const int R = r1 - r < 8 ? (int)(r1 - r) : 8;
        build_tiles(type, nb, (const char *)w + (size_t)r * wbytes, wbytes, R, tile);
        for (int64_t t = 0; t < nt; t += 8) {
            const int T = nt - t < 8 ? (int)(nt - t) : 8;
            __m256 sum[8];
            group_product(nb, tile, (const block_q8_0x8w *)((const char *)xp + (size_t)(t / 8) * gstride), T, sum);
            for (int k = 0; k < T; k++) {
                float *o = y + (t + k) * ldy + r;
                if (R == 8) _mm256_storeu_ps(o, sum[k]);
                else { float v[8]; _mm256_storeu_ps(v, sum[k]); for (int i = 0; i < R; i++) o[i] = v[i]; }
            }
        }
    }
}

AVX2 void ck_gemm_rows_q8_0_avx2(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                                 int64_t nt, float *y, int64_t ldy) {
    gemm_rows(CK_Q8_0, n, w, wbytes, r0, r1, xp, gstride, nt, y, ldy);
}

AVX2 void ck_gemm_rows_q5_0_avx2(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                                 int64_t nt, float *y, int64_t ldy) {
    gemm_rows(CK_Q5_0, n, w, wbytes, r0, r1, xp, gstride, nt, y, ldy);
}
#endif
