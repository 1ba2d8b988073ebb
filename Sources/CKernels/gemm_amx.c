// Q8_0 GEMM on AMX tiles (Intel Sapphire Rapids and later): one TDPBSSD multiplies 16 weight rows by 16 tokens over
// a 32-element block (8192 MACs) where AVX2 needs ~256 vpmaddwd. Bit for bit the scalar twin (dot_ref.c): per weight
// row, token and block the exact int32 sum s, then sumf += s · (dw · dx) in block order, 16 tokens per zmm lane.
//
// Tiles: A = 16 weight rows × one block's 32 quants, loaded straight from the Q8_0 rows (stride: the row's bytes; a
// last tile of under 16 rows is copied into a zero-padded buffer first). B = the block's quants of 16 tokens in AMX's
// VNNI order, packed once per call: B[k][4t + i] = x_t[4k + i] (k = 0…7), then the 16 token scales as f32
// (block_q8_0x16v; tokens past the group's count are zero). C[r][t] = the int32 sums, stored and scaled in zmm.
// Two tile sets alternate between even and odd blocks so that one block's TDPBSSD overlaps the other's epilogue.
#include "blocks.h"
#include "simd.h"

typedef struct { int8_t q[8][64]; float d[16]; } block_q8_0x16v;
_Static_assert(sizeof(block_q8_0x16v) == 576, "q8_0x16v layout: a multiple of 64 bytes");

size_t ck_q8_0x16v_bytes(int n) { return (size_t)(n / QK) * sizeof(block_q8_0x16v); }

/// T (1…16) Q8_0 rows xbytes apart → block_q8_0x16v per 32-block.
void ck_pack_q8_0x16v(int n, const void *x, size_t xbytes, int T, void *dst) {
    block_q8_0x16v *o = dst;
    for (int i = 0; i < n / QK; i++) {
        memset(&o[i], 0, sizeof o[i]);
        for (int t = 0; t < T; t++) {
            const block_q8_0 *b = (const block_q8_0 *)((const char *)x + (size_t)t * xbytes) + i;
            for (int k = 0; k < QK / 4; k++) memcpy(&o[i].q[k][4*t], b->qs + 4*k, 4);
            o[i].d[t] = ck_h2f(b->d);
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#pragma STDC FP_CONTRACT OFF  // s · (dw · dx) and the sum round as in the scalar twin
#define AMX __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c")))

/// Palette 1: tiles 0, 1 = A (R ≤ 16 rows × 32 bytes), 2, 3 = B (8 rows × 64 bytes), 4, 5 = C (R rows × 64 bytes).
typedef struct { uint8_t palette, start_row, reserved[14]; uint16_t colsb[16]; uint8_t rows[16]; } tile_config;
_Static_assert(sizeof(tile_config) == 64, "ldtilecfg takes 64 bytes");

AMX static void load_config(int R) {
    tile_config c;
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int s = 0; s < 2; s++) {
        c.colsb[s] = 32; c.rows[s] = (uint8_t)R;
        c.colsb[2 + s] = 64; c.rows[2 + s] = 8;
        c.colsb[4 + s] = 64; c.rows[4 + s] = (uint8_t)R;
    }
    _tile_loadconfig(&c);
}

/// One block's R × 16 sums (tile set S) scaled into acc[r] (lanes: tokens): acc[r] += s · (dw[r] · dx). The R row
/// scales are gathered as dwords at the block's start (f16 in the low half; rows past R masked off).
#define AMX_BLOCK(S, b) do { \
    const char *blk = wr + (size_t)(b) * sizeof(block_q8_0); \
    _tile_loadd(S, blk + 2, (long)wbytes); \
    _tile_loadd(2 + S, x[b].q, 64); \
    _tile_zero(4 + S); \
    _tile_dpbssd(4 + S, S, 2 + S); \
    const __m512i h = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), rmask, rowoff, blk, 1); \
    _mm512_store_ps(dws, _mm512_cvtph_ps(_mm512_cvtepi32_epi16(h))); \
    _tile_stored(4 + S, c[S], 64); \
    const __m512 dx = _mm512_load_ps(x[b].d); \
    for (int r = 0; r < 16; r++) { \
        const __m512 dd = _mm512_mul_ps(_mm512_set1_ps(dws[r]), dx); \
        acc[r] = _mm512_add_ps(acc[r], _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_load_si512(c[S][r])), dd)); \
    } \
} while (0)

/// Rows r0 ≤ r < r1 of Y(nt × ldy) = W · X for Q8_0 weights; xp from ck_pack_q8_0x16v in groups of 16 tokens.
AMX void ck_gemm_rows_q8_0_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                               int64_t nt, float *y, int64_t ldy) {
    const int nb = n / QK;
    _Alignas(64) int32_t c[2][16][16];
    _Alignas(64) float dws[16];
    int configured = 0;
    for (int64_t rt = r0; rt < r1; rt += 16) {
        const int R = r1 - rt < 16 ? (int)(r1 - rt) : 16;
        if (R != configured) { load_config(R); configured = R; }
        const char *wr = (const char *)w + (size_t)rt * wbytes;
        const __mmask16 rmask = (__mmask16)((1u << R) - 1);
        const __m512i rowoff = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                  _mm512_set1_epi32((int)wbytes));
        for (int64_t t0 = 0; t0 < nt; t0 += 16) {
            const block_q8_0x16v *x = (const block_q8_0x16v *)((const char *)xp + (size_t)(t0 / 16) * gstride);
            __m512 acc[16];
            for (int r = 0; r < 16; r++) acc[r] = _mm512_setzero_ps();
            int b = 0;
            for (; b + 2 <= nb; b += 2) { AMX_BLOCK(0, b); AMX_BLOCK(1, b + 1); }
            if (b < nb) AMX_BLOCK(0, b);
            const int T = nt - t0 < 16 ? (int)(nt - t0) : 16;
            for (int r = 0; r < R; r++) {
                _Alignas(64) float o[16];
                _mm512_store_ps(o, acc[r]);
                for (int t = 0; t < T; t++) y[(t0 + t) * ldy + rt + r] = o[t];
            }
        }
    }
    if (configured) _tile_release();
}
#endif
