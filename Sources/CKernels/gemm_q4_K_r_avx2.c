// Q4_K_R batches on AVX2 with weight rows interleaved on the fly: each int32 lane of a product is one row, so a
// 256-block's sums come out per row without horizontal adds and the scalar twin's float step runs on 8 rows at once —
// the same bits as every other Q4_K kernel. Each tile of 16 rows × TILE_BLOCKS blocks is rewritten once per chunk of
// tokens into two arrays of `rows8_block` (20 KB on the stack: nibbles unpacked, scales widened for vpmaddwd), then read
// by every token of the chunk, two tokens at a time; each 4-byte activation broadcast feeds both halves of the tile.
//
// Why: with one row per register (simd_avx2.c's gemm_q4_K) each token's 8 sub-block lanes must be summed across lanes
// every block; that epilogue measured 36 % of that kernel's time on Zen 3 (docs/ENGINE-SPEED-TODO.md, session 19).
#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>
#include "blocks.h"
#include "simd.h"
#pragma STDC FP_CONTRACT OFF  // the float steps round as dot_ref.c's

#define AVX2 __attribute__((target("avx2,fma,f16c")))

/// One 256-block of 8 Q4_K_R rows (repack.c), interleaved: dword r of every vector is row r. A Q4_K_R dword (register
/// k, half h, dword p: byte offset 32k + 16h + 4p) holds 8 quants of sub-block s = 2p + h; q[s][k][0] and q[s][k][1]
/// are its low and high nibbles as bytes: elements 4k + e and 16 + 4k + e of the sub-block (s even), or the other way
/// round (s odd).
typedef struct {
    uint8_t q[8][4][2][32];  // (sub-block, k, low / high nibbles, row · 4 bytes)
    int16_t sc[8][16];       // sub-block s: (scale_s, scale_s) of row r in dword r — vpmaddwd's other operand
    int16_t mn[4][16];       // pair j: (min_2j, min_2j+1) of row r in dword r, against (bsp_2j, bsp_2j+1) of a token
    float d[8], dmin[8];     // the rows' super-block scales
} rows8_block;
_Static_assert(sizeof(rows8_block) % 32 == 0, "rows8_block keeps 32-byte alignment");

enum { TILE_BLOCKS = 4 };  // blocks per tile: 2 × 4 × 2496 bytes, with a group's activations within L1

/// d, dmin, scales and mins of block i of the 8 rows → t->d, dmin, sc, mn. The 16 header bytes of
/// each row are transposed so that dword lane r is row r: [d | dmin], then the 12 bytes of 6-bit fields (u0, u1, u2),
/// unpacked as ck_scale_min_k4 does, for all 8 rows at once.
AVX2 static inline void interleave_header(const block_q4_K *const row[8], int i, rows8_block *t) {
    __m128i h[8];
    for (int r = 0; r < 8; r++) h[r] = _mm_loadu_si128((const __m128i *)(row[r] + i));
    __m256i v[4];
    for (int r = 0; r < 4; r++) v[r] = _mm256_inserti128_si256(_mm256_castsi128_si256(h[r]), h[r + 4], 1);  // rows r | r + 4
    const __m256i a0 = _mm256_unpacklo_epi32(v[0], v[1]), a1 = _mm256_unpackhi_epi32(v[0], v[1]);
    const __m256i a2 = _mm256_unpacklo_epi32(v[2], v[3]), a3 = _mm256_unpackhi_epi32(v[2], v[3]);
    const __m256i dd = _mm256_unpacklo_epi64(a0, a2), u0 = _mm256_unpackhi_epi64(a0, a2);  // lanes: rows 0–3 | 4–7
    const __m256i u1 = _mm256_unpacklo_epi64(a1, a3), u2 = _mm256_unpackhi_epi64(a1, a3);
    const __m256i k1 = _mm256_set1_epi8(0x3f), k2 = _mm256_set1_epi8(0x0f), k3 = _mm256_set1_epi8(0x03);
    const __m256i sc03 = _mm256_and_si256(u0, k1), mn03 = _mm256_and_si256(u1, k1);
    const __m256i sc47 = _mm256_or_si256(_mm256_and_si256(u2, k2), _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(u0, 6), k3), 4));
    const __m256i mn47 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(u2, 4), k2), _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(u1, 6), k3), 4));
    for (int j = 0; j < 4; j++) {  // byte j of each dword → (int16, int16)
        const __m256i b = _mm256_setr_epi8(j, -1, j, -1, 4 + j, -1, 4 + j, -1, 8 + j, -1, 8 + j, -1, 12 + j, -1, 12 + j, -1,
                                           j, -1, j, -1, 4 + j, -1, 4 + j, -1, 8 + j, -1, 8 + j, -1, 12 + j, -1, 12 + j, -1);
        _mm256_store_si256((__m256i *)t->sc[j], _mm256_shuffle_epi8(sc03, b));
        _mm256_store_si256((__m256i *)t->sc[4 + j], _mm256_shuffle_epi8(sc47, b));
    }
    for (int j = 0; j < 2; j++) {  // bytes 2j, 2j + 1 of each dword → (int16, int16)
        const __m256i b = _mm256_setr_epi8(2*j, -1, 2*j + 1, -1, 4 + 2*j, -1, 5 + 2*j, -1, 8 + 2*j, -1, 9 + 2*j, -1, 12 + 2*j, -1, 13 + 2*j, -1,
                                           2*j, -1, 2*j + 1, -1, 4 + 2*j, -1, 5 + 2*j, -1, 8 + 2*j, -1, 9 + 2*j, -1, 12 + 2*j, -1, 13 + 2*j, -1);
        _mm256_store_si256((__m256i *)t->mn[j], _mm256_shuffle_epi8(mn03, b));
        _mm256_store_si256((__m256i *)t->mn[2 + j], _mm256_shuffle_epi8(mn47, b));
    }
    // the f16 d (low half of each dword) and dmin (high half) of 8 rows → f32
    const __m256i halves = _mm256_shuffle_epi8(dd, _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,
                                                                    0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15));
    const __m256i q = _mm256_permute4x64_epi64(halves, 0xD8);  // [d rows 0–7 | dmin rows 0–7]
    _mm256_store_ps(t->d, _mm256_cvtph_ps(_mm256_castsi256_si128(q)));
    _mm256_store_ps(t->dmin, _mm256_cvtph_ps(_mm256_extracti128_si256(q, 1)));
}

/// Rows 0 ≤ r < nr (nr ≤ 8, wbytes apart) of nb ≤ TILE_BLOCKS blocks → tile[nb]; rows past nr are zero blocks (their
/// lanes are not stored).
AVX2 static void interleave(const char *w, size_t wbytes, int nr, int nb, rows8_block *tile) {
    static const block_q4_K zero[TILE_BLOCKS];
    const block_q4_K *row[8];
    for (int r = 0; r < 8; r++) row[r] = r < nr ? (const block_q4_K *)(w + r * wbytes) : zero;
    for (int i = 0; i < nb; i++) {
        rows8_block *t = tile + i;
        for (int k = 0; k < 4; k++) {
            __m256i r[8];
            for (int j = 0; j < 8; j++) r[j] = _mm256_loadu_si256((const __m256i *)(row[j][i].qs + 32*k));
            // 8 × 8 dword transpose: out[j] = dword j of every row; dword j = 4h + p is sub-block 2p + h
            __m256i a[8], b[8];
            for (int j = 0; j < 8; j += 2) { a[j] = _mm256_unpacklo_epi32(r[j], r[j + 1]); a[j + 1] = _mm256_unpackhi_epi32(r[j], r[j + 1]); }
            for (int j = 0; j < 8; j += 4) {
                b[j] = _mm256_unpacklo_epi64(a[j], a[j + 2]); b[j + 1] = _mm256_unpackhi_epi64(a[j], a[j + 2]);
                b[j + 2] = _mm256_unpacklo_epi64(a[j + 1], a[j + 3]); b[j + 3] = _mm256_unpackhi_epi64(a[j + 1], a[j + 3]);
            }
            const __m256i m4 = _mm256_set1_epi8(0x0F);
            for (int p = 0; p < 4; p++) {  // b[p] holds dwords p (low 128) and 4 + p (high) of rows 0–3, b[4 + p] of rows 4–7
                const __m256i e = _mm256_permute2x128_si256(b[p], b[4 + p], 0x20), o = _mm256_permute2x128_si256(b[p], b[4 + p], 0x31);
                _mm256_store_si256((__m256i *)t->q[2*p][k][0], _mm256_and_si256(e, m4));
                _mm256_store_si256((__m256i *)t->q[2*p][k][1], _mm256_and_si256(_mm256_srli_epi16(e, 4), m4));
                _mm256_store_si256((__m256i *)t->q[2*p + 1][k][0], _mm256_and_si256(o, m4));
                _mm256_store_si256((__m256i *)t->q[2*p + 1][k][1], _mm256_and_si256(_mm256_srli_epi16(o, 4), m4));
            }
        }
        interleave_header(row, i, t);
    }
}

/// A dword of activations (4 int8, or 2 int16) in all 8 lanes.
AVX2 static inline __m256i bcast(const void *p) { int32_t v; memcpy(&v, p, 4); return _mm256_set1_epi32(v); }

/// One block of 16 rows (w0: rows 0–7, w1: 8–15) against tokens t0 and t0 + 1 of a packed group (x: that block, quants
/// in their natural order), added to acc0 / acc1[8t + r] (token t, row r) as the scalar twin adds a block: the exact
/// integer sums, then sumf += (d·d8)·isum − (dmin·d8)·summs. Not inlined: its loop wants the 16 registers to itself.
AVX2 __attribute__((noinline)) static void block_16x2(const rows8_block *w0, const rows8_block *w1, const block_q8_Kx4 *x, int t0, float *acc0, float *acc1) {
    __m256i is[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};  // (half, token)
#pragma clang loop unroll(full)
    for (int s = 0; s < 8; s++) {
        const int olo = (s & 1) ? 16 : 0, ohi = 16 - olo;  // where the low / high nibbles' elements start in s
        __m256i a16[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
#pragma clang loop unroll(full)
        for (int k = 0; k < 4; k++) {
            for (int h = 0; h < 2; h++) {
                const __m256i q0 = _mm256_load_si256((const __m256i *)w0->q[s][k][h]), q1 = _mm256_load_si256((const __m256i *)w1->q[s][k][h]);
                for (int t = 0; t < 2; t++) {  // 8 products of ≤ 2 · 15 · 128 per int16 lane and sub-block: no overflow
                    const __m256i y = bcast(x->qs[t0 + t] + 32*s + 4*k + (h ? ohi : olo));
                    a16[t] = _mm256_add_epi16(a16[t], _mm256_maddubs_epi16(q0, y));
                    a16[2 + t] = _mm256_add_epi16(a16[2 + t], _mm256_maddubs_epi16(q1, y));
                }
            }
        }
        const __m256i sc0 = _mm256_load_si256((const __m256i *)w0->sc[s]), sc1 = _mm256_load_si256((const __m256i *)w1->sc[s]);
        for (int t = 0; t < 2; t++) {
            is[t] = _mm256_add_epi32(is[t], _mm256_madd_epi16(a16[t], sc0));
            is[2 + t] = _mm256_add_epi32(is[2 + t], _mm256_madd_epi16(a16[2 + t], sc1));
        }
    }
    for (int u = 0; u < 2; u++) {
        const rows8_block *w = u ? w1 : w0; float *acc = u ? acc1 : acc0;
        const __m256 dw = _mm256_load_ps(w->d), mw = _mm256_load_ps(w->dmin);
        for (int t = 0; t < 2; t++) {
            __m256i ms = _mm256_madd_epi16(_mm256_load_si256((const __m256i *)w->mn[0]), bcast(x->bsp[t0 + t]));
            for (int j = 1; j < 4; j++) ms = _mm256_add_epi32(ms, _mm256_madd_epi16(_mm256_load_si256((const __m256i *)w->mn[j]), bcast(x->bsp[t0 + t] + 2*j)));
            const __m256 d8 = _mm256_set1_ps(x->d[t0 + t]);
            const __m256 v = _mm256_sub_ps(_mm256_mul_ps(_mm256_mul_ps(dw, d8), _mm256_cvtepi32_ps(is[2*u + t])),
                                           _mm256_mul_ps(_mm256_mul_ps(mw, d8), _mm256_cvtepi32_ps(ms)));
            _mm256_store_ps(acc + 8*(t0 + t), _mm256_add_ps(_mm256_load_ps(acc + 8*(t0 + t)), v));
        }
    }
}

/// Rows r0 ≤ r < r1 (wbytes apart) times nt tokens packed by gemm.c's pack_q8_Kx4n in groups of 4 (gstride apart):
/// y[t · ldy + r]. Tokens go in chunks whose packed activations stay in L2 (~256 KB); per chunk each tile of 16 rows
/// and up to TILE_BLOCKS blocks is interleaved once, and y carries the sums from one tile of columns to the next.
AVX2 void ck_gemm_rows16_q4_K_r_avx2(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                                     int64_t nt, float *y, int64_t ldy) {
    _Alignas(32) rows8_block tile[2][TILE_BLOCKS];  // rows 0–7 and 8–15 of the tile
    const int nb = n / QK_K;
    const int64_t groups = (nt + 3) / 4, chunk = gstride >= 262144 ? 1 : (int64_t)(262144 / gstride);
    for (int64_t g0 = 0; g0 < groups; g0 += chunk) {
        const int64_t g1 = g0 + chunk < groups ? g0 + chunk : groups;
        for (int64_t rt = r0; rt < r1; rt += 16) {
            const int nr = r1 - rt < 16 ? (int)(r1 - rt) : 16;
            for (int c = 0; c < nb; c += TILE_BLOCKS) {
                const int cb = nb - c < TILE_BLOCKS ? nb - c : TILE_BLOCKS;
                const int n0 = nr < 8 ? nr : 8, n1 = nr - n0;
                const char *wc = (const char *)w + (size_t)rt * wbytes + (size_t)c * sizeof(block_q4_K);
                interleave(wc, wbytes, n0, cb, tile[0]);
                interleave(wc + 8 * wbytes, wbytes, n1, cb, tile[1]);
                for (int64_t g = g0; g < g1; g++) {
                    const int T = nt - 4*g < 4 ? (int)(nt - 4*g) : 4;
                    _Alignas(32) float acc[2][32] = {{0}};  // (half, token, row)
                    for (int t = 0; t < T && c > 0; t++) {
                        const float *yt = y + (4*g + t) * ldy + rt;
                        if (nr == 16) { _mm256_store_ps(acc[0] + 8*t, _mm256_loadu_ps(yt)); _mm256_store_ps(acc[1] + 8*t, _mm256_loadu_ps(yt + 8)); continue; }
                        memcpy(acc[0] + 8*t, yt, sizeof(float) * (size_t)n0);
                        memcpy(acc[1] + 8*t, yt + 8, sizeof(float) * (size_t)n1);
                    }
                    const block_q8_Kx4 *x = (const block_q8_Kx4 *)((const char *)xp + (size_t)g * gstride) + c;
                    for (int i = 0; i < cb; i++)
                        for (int t0 = 0; t0 < T; t0 += 2) block_16x2(tile[0] + i, tile[1] + i, x + i, t0, acc[0], acc[1]);
                    for (int t = 0; t < T; t++) {
                        float *yt = y + (4*g + t) * ldy + rt;
                        if (nr == 16) { _mm256_storeu_ps(yt, _mm256_load_ps(acc[0] + 8*t)); _mm256_storeu_ps(yt + 8, _mm256_load_ps(acc[1] + 8*t)); continue; }
                        memcpy(yt, acc[0] + 8*t, sizeof(float) * (size_t)n0);
                        memcpy(yt + 8, acc[1] + 8*t, sizeof(float) * (size_t)n1);
                    }
                }
            }
        }
    }
}
#endif
