// Matmuls of 2+ tokens on AMX tiles (Intel Sapphire Rapids and later): one TDPBSSD multiplies 16 weight rows by 16
// tokens over a 32-element block (8192 MACs) where AVX2 needs 512 vpmaddwd. Used for Q8_0 (here) and Q4_K / Q4_K_R
// (below) when the CPU has AMX (CK_AMX) and the options allow it (the kernel table); bit for bit the scalar twins (dot_ref.c).
//
// Q8_0: per weight row, token and block the exact int32 sum s, then sumf += s · (dw · dx) in block order, 16 tokens
// per zmm lane. Tiles: A = R ≤ 16 weight rows × one block's 32 quants, loaded straight from the Q8_0 rows (stride: the
// row's bytes; a last tile of under 16 rows gets a tile configuration of R rows). B = the block's quants of 16 tokens
// in AMX's VNNI order, packed once per call: B[k][4t + i] = x_t[4k + i] (k = 0…7), then the 16 token scales as f32
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
#include "unpack_avx2.h"
#pragma STDC FP_CONTRACT OFF  // s · (dw · dx) and the sum round as in the scalar twin
#define AMX __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c")))

/// Palette 1: tiles 0, 1 = A (R ≤ 16 rows × K bytes), 2, 3 = B (K/4 rows × 64 bytes), 4, 5 = C (R rows × 64 bytes).
typedef struct { uint8_t palette, start_row, reserved[14]; uint16_t colsb[16]; uint8_t rows[16]; } tile_config;
_Static_assert(sizeof(tile_config) == 64, "ldtilecfg takes 64 bytes");

/// K = 32 (one Q8_0 block, one Q4_K sub-block) or 16 (one Q6_K sub-block): A is R × K bytes, B K/4 rows × 64 bytes.
AMX static void load_config(int R, int K) {
    tile_config c;
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int s = 0; s < 2; s++) {
        c.colsb[s] = (uint16_t)K; c.rows[s] = (uint8_t)R;
        c.colsb[2 + s] = 64; c.rows[2 + s] = (uint8_t)(K / 4);
        c.colsb[4 + s] = 64; c.rows[4 + s] = (uint8_t)R;
    }
    _tile_loadconfig(&c);
}

/// Lane i holds i · step: byte offsets of 16 rows step bytes apart (gathers).
AMX static inline __m512i lane_offsets(int step) {
    return _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(step));
}

/// acc[r][t] (lanes: tokens) → y[t · ldy + r] for r < R, t < T: one masked store per token (a column of acc, gathered).
AMX static void store_columns(const float acc[16][16], int R, int T, float *y, int64_t ldy) {
    const __m512i col = lane_offsets(16);
    const __mmask16 rmask = (__mmask16)((1u << R) - 1);
    for (int t = 0; t < T; t++) _mm512_mask_storeu_ps(y + t * ldy, rmask, _mm512_i32gather_ps(col, acc[0] + t, 4));
}

/// acc[r][t] = y[t · ldy + r] for r < R, t < T (the inverse of store_columns; other entries zero).
AMX static void load_columns(float acc[16][16], int R, int T, const float *y, int64_t ldy) {
    const __m512i col = lane_offsets(16);
    const __mmask16 rmask = (__mmask16)((1u << R) - 1);
    memset(acc, 0, 16 * 16 * sizeof(float));
    for (int t = 0; t < T; t++) _mm512_i32scatter_ps(acc[0] + t, col, _mm512_maskz_loadu_ps(rmask, y + t * ldy), 4);
}

/// One block's R × 16 sums (tile set S) scaled into acc[r] (lanes: tokens): acc[r] += s · (dw[r] · dx). The R row
/// scales are gathered as dwords at the block's start (f16 in the low half; rows past R masked off).
#define AMX_BLOCK(S, b) do { \
    const char *blk = wr + (size_t)(b) * bsize; \
    if (q5) _tile_loadd(S, quants[(b) - b0][0], QK); else _tile_loadd(S, blk + 2, (long)wbytes); \
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

enum { Q5_0_KB = 32 };  // Q5_0 blocks per chunk of the row, their quants as int8 on the stack (16 KB)

/// Rows r0 ≤ r < r1 of Y(nt × ldy) = W · X for Q8_0 or Q5_0 (q5) weights; xp from ck_pack_q8_0x16v in groups of 16
/// tokens. A Q5_0 block is its quants q − 16 as int8 and its f16 scale (as on the AVX2 tiles, gemm_q8_0.c): its rows
/// are unpacked Q5_0_KB blocks at a time, and between chunks the running sums wait in y (stored and reloaded exactly).
AMX static void q8_rows_amx(int q5, int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp,
                            size_t gstride, int64_t nt, float *y, int64_t ldy) {
    const int nb = n / QK, chunk = q5 ? Q5_0_KB : nb;
    const size_t bsize = q5 ? sizeof(block_q5_0) : sizeof(block_q8_0);
    _Alignas(64) int32_t c[2][16][16];
    _Alignas(64) float dws[16];
    _Alignas(64) int8_t quants[Q5_0_KB][16][QK];
    int configured = 0;
    for (int64_t rt = r0; rt < r1; rt += 16) {
        const int R = r1 - rt < 16 ? (int)(r1 - rt) : 16;
        if (R != configured) { load_config(R, 32); configured = R; }
        const char *wr = (const char *)w + (size_t)rt * wbytes;
        const __mmask16 rmask = (__mmask16)((1u << R) - 1);
        const __m512i rowoff = lane_offsets((int)wbytes);
        for (int b0 = 0; b0 < nb; b0 += chunk) {
            const int b1 = nb - b0 < chunk ? nb : b0 + chunk;
            if (q5)
                for (int b = b0; b < b1; b++)
                    for (int r = 0; r < R; r++)
                        _mm256_store_si256((__m256i *)quants[b - b0][r], q5_0_quants((const block_q5_0 *)(wr + (size_t)r * wbytes) + b));
            for (int64_t t0 = 0; t0 < nt; t0 += 16) {
                const block_q8_0x16v *x = (const block_q8_0x16v *)((const char *)xp + (size_t)(t0 / 16) * gstride);
                const int T = nt - t0 < 16 ? (int)(nt - t0) : 16;
                _Alignas(64) float o[16][16];
                __m512 acc[16];
                if (b0 > 0) load_columns(o, R, T, y + t0 * ldy + rt, ldy);
                for (int r = 0; r < 16; r++) acc[r] = b0 > 0 ? _mm512_load_ps(o[r]) : _mm512_setzero_ps();
                int b = b0;
                for (; b + 2 <= b1; b += 2) { AMX_BLOCK(0, b); AMX_BLOCK(1, b + 1); }
                if (b < b1) AMX_BLOCK(0, b);
                for (int r = 0; r < 16; r++) _mm512_store_ps(o[r], acc[r]);
                store_columns(o, R, T, y + t0 * ldy + rt, ldy);
            }
        }
    }
    if (configured) _tile_release();
}

AMX void ck_gemm_rows_q8_0_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                               int64_t nt, float *y, int64_t ldy) {
    q8_rows_amx(0, n, w, wbytes, r0, r1, xp, gstride, nt, y, ldy);
}

AMX void ck_gemm_rows_q5_0_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                               int64_t nt, float *y, int64_t ldy) {
    q8_rows_amx(1, n, w, wbytes, r0, r1, xp, gstride, nt, y, ldy);
}
#endif

// Q4_K and CK_Q4_K_R on AMX tiles. Per 256-block and 16-row tile the nibbles are unpacked once per call into bytes
// (u8, 0…15), one 32-byte row per sub-block s in element order, so that TDPBUSD (unsigned weights A × signed Q8_K
// activations B) gives each sub-block's exact sum; then, as the scalar twin, isum = Σ_s sc_s · sum_s (vpmulld),
// summs = Σ_s m_s · bsp_s (vpdpwssd on pairs of sub-blocks) and sumf += (dw · dx) · isum − (dmin · dx) · summs.
//
// Unpacked rows: per block and weight row 4 × 64 bytes holding sub-blocks [0|2], [4|6], [1|3], [5|7] (the low and high
// nibbles of the file's 64-byte halves); an A tile is 16 rows' 32-byte half of one of them, 256 bytes apart.
// Activations (block_q8_Kx16v, groups of 16 tokens): per sub-block s the B tile B[k][4t + i] = x_t[32s + 4k + i],
// the token scales, and per pair of sub-blocks (2q, 2q + 1) each token's two 32-element sums as int16.
typedef struct { int8_t q[8][8][64]; float d[16]; int16_t bsp[4][16][2]; } block_q8_Kx16v;
_Static_assert(sizeof(block_q8_Kx16v) == 4416, "q8_Kx16v layout: a multiple of 64 bytes");

size_t ck_q8_Kx16v_bytes(int n) { return (size_t)(n / QK_K) * sizeof(block_q8_Kx16v); }

/// T (1…16) Q8_K rows xbytes apart → block_q8_Kx16v per 256-block.
void ck_pack_q8_Kx16v(int n, const void *x, size_t xbytes, int T, void *dst) {
    block_q8_Kx16v *o = dst;
    for (int i = 0; i < n / QK_K; i++) {
        memset(&o[i], 0, sizeof o[i]);
        for (int t = 0; t < T; t++) {
            const block_q8_K *b = (const block_q8_K *)((const char *)x + (size_t)t * xbytes) + i;
            for (int s = 0; s < 8; s++)
                for (int k = 0; k < 8; k++) memcpy(&o[i].q[s][k][4*t], b->qs + 32*s + 4*k, 4);
            o[i].d[t] = b->d;
            for (int s = 0; s < 8; s++) o[i].bsp[s / 2][t][s % 2] = (int16_t)(b->bsums[2*s] + b->bsums[2*s + 1]);
        }
    }
}

#if defined(__x86_64__)
#define AMX_VNNI __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")))

/// One row's 256-block → its 4 × 64 unpacked bytes (see above). R: the block is CK_Q4_K_R (repack.c), whose register
/// k holds M_k | N_k << 4 with M_k = elements 64p + 4k + e (half 0), 64p + 48 + 4k + e (half 1) and N_k = 64p + 16 +
/// 4k + e, 64p + 32 + 4k + e (dword p, byte e): dword p of the 8 registers M_0…3, N_0…3 make up a sub-block.
AMX_VNNI static inline void q4_K_unpack(const uint8_t *qs, int R, uint8_t *u) {
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    const __m512i a = _mm512_loadu_si512(qs), b = _mm512_loadu_si512(qs + 64);
    const __m512i al = _mm512_and_si512(a, m4), ah = _mm512_and_si512(_mm512_srli_epi16(a, 4), m4);
    const __m512i bl = _mm512_and_si512(b, m4), bh = _mm512_and_si512(_mm512_srli_epi16(b, 4), m4);
    if (!R) {  // the file's layout: half c's low nibbles are sub-block 2c, its high nibbles 2c + 1
        _mm512_storeu_si512(u, al); _mm512_storeu_si512(u + 64, bl);
        _mm512_storeu_si512(u + 128, ah); _mm512_storeu_si512(u + 192, bh);
        return;
    }
    // al = [M_0 | M_1], bl = [M_2 | M_3], ah, bh the same of N; MMa[4p + k] = M_k dword p, MMb: dword 4 + p
    const __m512i ia = _mm512_setr_epi32(0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27);
    const __m512i ib = _mm512_add_epi32(ia, _mm512_set1_epi32(4));
    const __m512i mma = _mm512_permutex2var_epi32(al, ia, bl), mmb = _mm512_permutex2var_epi32(al, ib, bl);
    const __m512i nna = _mm512_permutex2var_epi32(ah, ia, bh), nnb = _mm512_permutex2var_epi32(ah, ib, bh);
    // sub-block 2p = [MMa lane p | NNa lane p], 2p + 1 = [NNb lane p | MMb lane p]
    const __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), hi = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
    _mm512_storeu_si512(u, _mm512_permutex2var_epi64(mma, lo, nna));
    _mm512_storeu_si512(u + 64, _mm512_permutex2var_epi64(mma, hi, nna));
    _mm512_storeu_si512(u + 128, _mm512_permutex2var_epi64(nnb, lo, mmb));
    _mm512_storeu_si512(u + 192, _mm512_permutex2var_epi64(nnb, hi, mmb));
}

/// A 16-row tile's blocks b0 ≤ b < b0 + KB, ready for the tiles: unpacked quants u [KB][16 rows][256], scales sc
/// [KB][8][16] and min pairs mp [KB][4][16] as int32, dw and dmin [KB][16] as f32 (rows past R: zero).
enum { Q4_K_KB = 8 };  // blocks per chunk of the row: ~40 KB on the stack
typedef struct { _Alignas(64) uint8_t u[Q4_K_KB][16][256]; int32_t sc[Q4_K_KB][8][16], mp[Q4_K_KB][4][16]; float dw[Q4_K_KB][16], dm[Q4_K_KB][16]; } q4_K_tile;

/// The scales of 16 rows at once (lanes: rows; their block's dwords gathered, rows past R zero), as ggml's k4 scale
/// unpacking: scale s and min s of a row are 6-bit fields spread over the 12 scale bytes.
AMX_VNNI static void q4_K_tile_prepare(const char *wr, size_t wbytes, int R, int b0, int KB, int repacked, void *tile) {
    q4_K_tile *t = tile;
    const __mmask16 rmask = (__mmask16)((1u << R) - 1);
    const __m512i rowoff = lane_offsets((int)wbytes);
    const __m512i k1 = _mm512_set1_epi32(0x3f3f3f3f), k2 = _mm512_set1_epi32(0x0f0f0f0f), k3 = _mm512_set1_epi32(0x03030303);
    const __m512i byte = _mm512_set1_epi32(0xFF), zero = _mm512_setzero_si512();
    for (int b = 0; b < KB; b++) {
        const char *blk = wr + (size_t)(b0 + b) * sizeof(block_q4_K);
        const __m512i dd = _mm512_mask_i32gather_epi32(zero, rmask, rowoff, blk, 1);  // d | dmin << 16
        const __m512i u0 = _mm512_mask_i32gather_epi32(zero, rmask, rowoff, blk + 4, 1);
        const __m512i u1 = _mm512_mask_i32gather_epi32(zero, rmask, rowoff, blk + 8, 1);
        const __m512i u2 = _mm512_mask_i32gather_epi32(zero, rmask, rowoff, blk + 12, 1);
        _mm512_store_ps(t->dw[b], _mm512_cvtph_ps(_mm512_cvtepi32_epi16(dd)));
        _mm512_store_ps(t->dm[b], _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(dd, 16))));
        const __m512i sc[2] = { _mm512_and_si512(u0, k1),
            _mm512_or_si512(_mm512_and_si512(u2, k2), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(u0, 6), k3), 4)) };
        const __m512i mn[2] = { _mm512_and_si512(u1, k1),
            _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(u2, 4), k2), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(u1, 6), k3), 4)) };
        for (int s = 0; s < 8; s++) _mm512_store_si512(t->sc[b][s], _mm512_and_si512(_mm512_srli_epi32(sc[s / 4], 8 * (s % 4)), byte));
        for (int q = 0; q < 4; q++) {  // m_2q | m_2q+1 << 16: bytes 2(q%2) and 2(q%2)+1 of dword q/2
            const __m512i v = _mm512_srli_epi32(mn[q / 2], 16 * (q % 2));
            _mm512_store_si512(t->mp[b][q], _mm512_or_si512(_mm512_and_si512(v, byte), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(v, 8), byte), 16)));
        }
        for (int r = 0; r < 16; r++) {
            if (r < R) q4_K_unpack(((const block_q4_K *)(wr + (size_t)r * wbytes))[b0 + b].qs, repacked, t->u[b][r]);
            else memset(t->u[b][r], 0, 256);
        }
    }
}

/// The walk the K-quant kernels share: per 16-row tile and chunk of up to `chunk` blocks, `prepare` readies the weights
/// once (into `tile`), then for each group of 16 tokens `block` adds block b's results into acc[r] (lanes: tokens).
/// Between chunks the running sums wait in y (stored and reloaded exactly: same bits). Inlined with its functions.
typedef void (*k_prepare_fn)(const char *wr, size_t wbytes, int R, int b0, int KB, int variant, void *tile);
typedef void (*k_block_fn)(const void *tile, int b, const block_q8_Kx16v *x, float acc[16][16]);

AMX_VNNI static inline __attribute__((always_inline)) void k_rows_amx(int K, int chunk, k_prepare_fn prepare, k_block_fn block,
        int variant, void *tile, int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
        int64_t nt, float *y, int64_t ldy) {
    const int nb = n / QK_K;
    int configured = 0;
    for (int64_t rt = r0; rt < r1; rt += 16) {
        const int R = r1 - rt < 16 ? (int)(r1 - rt) : 16;
        if (R != configured) { load_config(R, K); configured = R; }
        for (int b0 = 0; b0 < nb; b0 += chunk) {
            const int KB = nb - b0 < chunk ? nb - b0 : chunk;
            prepare((const char *)w + (size_t)rt * wbytes, wbytes, R, b0, KB, variant, tile);
            for (int64_t t0 = 0; t0 < nt; t0 += 16) {
                const block_q8_Kx16v *x = (const block_q8_Kx16v *)((const char *)xp + (size_t)(t0 / 16) * gstride) + b0;
                const int T = nt - t0 < 16 ? (int)(nt - t0) : 16;
                _Alignas(64) float acc[16][16];
                if (b0 > 0) load_columns(acc, R, T, y + t0 * ldy + rt, ldy);
                else memset(acc, 0, sizeof acc);
                for (int b = 0; b < KB; b++) block(tile, b, x + b, acc);
                store_columns(acc, R, T, y + t0 * ldy + rt, ldy);
            }
        }
    }
    if (configured) _tile_release();
}

/// isum[r] += c[r] · sc[r] for the 16 weight rows of one sub-block's stored C tile (lanes: tokens).
AMX static inline void add_scaled_rows(__m512i isum[16], const int32_t c[16][16], const int32_t sc[16]) {
    for (int r = 0; r < 16; r++) isum[r] = _mm512_add_epi32(isum[r], _mm512_mullo_epi32(_mm512_load_si512(c[r]), _mm512_set1_epi32(sc[r])));
}

/// Sub-block s of chunk block b (tile set S): isum[r] += sc_s[r] · sum_s[r] (lanes: tokens).
#define AMX_SUB(S, s) do { \
    _tile_loadd(S, t->u[b][0] + ((s) & 1) * 128 + (s) / 4 * 64 + ((s) / 2 % 2) * 32, 256); \
    _tile_loadd(2 + S, x->q[s], 64); \
    _tile_zero(4 + S); \
    _tile_dpbusd(4 + S, S, 2 + S); \
    _tile_stored(4 + S, c[S], 64); \
    add_scaled_rows(isum, c[S], t->sc[b][s]); \
} while (0)

/// acc[r] += (dw · dx) · isum − (dmin · dx) · summs for chunk block b against token group x (one 256-block).
AMX_VNNI static void q4_K_block(const void *tile, int b, const block_q8_Kx16v *x, float acc[16][16]) {
    const q4_K_tile *t = tile;
    _Alignas(64) int32_t c[2][16][16];
    __m512i isum[16];
    for (int r = 0; r < 16; r++) isum[r] = _mm512_setzero_si512();
    AMX_SUB(0, 0); AMX_SUB(1, 1); AMX_SUB(0, 2); AMX_SUB(1, 3);
    AMX_SUB(0, 4); AMX_SUB(1, 5); AMX_SUB(0, 6); AMX_SUB(1, 7);
    const __m512 dx = _mm512_load_ps(x->d);
    for (int r = 0; r < 16; r++) {
        __m512i summs = _mm512_setzero_si512();
        for (int q = 0; q < 4; q++)
            summs = _mm512_dpwssd_epi32(summs, _mm512_load_si512(x->bsp[q]), _mm512_set1_epi32(t->mp[b][q][r]));
        const __m512 t1 = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(t->dw[b][r]), dx), _mm512_cvtepi32_ps(isum[r]));
        const __m512 t2 = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(t->dm[b][r]), dx), _mm512_cvtepi32_ps(summs));
        _mm512_store_ps(acc[r], _mm512_add_ps(_mm512_load_ps(acc[r]), _mm512_sub_ps(t1, t2)));
    }
}

/// Rows r0 ≤ r < r1 of Y(nt × ldy) = W · X; xp from ck_pack_q8_Kx16v in groups of 16 tokens; Q4_K_KB blocks per chunk.
AMX_VNNI static void q4_K_rows_amx(int repacked, int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp,
                                   size_t gstride, int64_t nt, float *y, int64_t ldy) {
    q4_K_tile tile;
    k_rows_amx(32, Q4_K_KB, q4_K_tile_prepare, q4_K_block, repacked, &tile, n, w, wbytes, r0, r1, xp, gstride, nt, y, ldy);
}

AMX_VNNI void ck_gemm_rows_q4_K_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                                    int64_t nt, float *y, int64_t ldy) {
    q4_K_rows_amx(0, n, w, wbytes, r0, r1, xp, gstride, nt, y, ldy);
}

AMX_VNNI void ck_gemm_rows_q4_K_r_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                                      int64_t nt, float *y, int64_t ldy) {
    q4_K_rows_amx(1, n, w, wbytes, r0, r1, xp, gstride, nt, y, ldy);
}
#endif

// Q6_K on AMX tiles: per 16-row tile and 8-block chunk the 6-bit quants are unpacked once per call to q − 32 as int8,
// so TDPBSSD over one 16-element sub-block j (K = 16; its B tile is rows 4(j % 2)… of the Q4_K activation packing's
// sub-block j / 2) gives sum_j = Σ (q − 32) · x exactly; then, as the scalar twin, isum = Σ_j sc_j · sum_j (vpmulld)
// and sumf += ((float)isum · d) · dx.
#if defined(__x86_64__)
enum { Q6_K_KB = 8 };  // blocks per chunk of the row: ~41 KB on the stack
typedef struct { _Alignas(64) int8_t q[Q6_K_KB][16][256]; int32_t sc[Q6_K_KB][16][16]; float d[Q6_K_KB][16]; } q6_K_tile;

AMX static void q6_K_tile_prepare(const char *wr, size_t wbytes, int R, int b0, int KB, int variant, void *tile) {
    q6_K_tile *t = tile;
    (void)variant;
    const __mmask16 rmask = (__mmask16)((1u << R) - 1);
    const __m512i rowoff = lane_offsets((int)wbytes), zero = _mm512_setzero_si512();
    const __m256i m32 = _mm256_set1_epi8(32);
    for (int b = 0; b < KB; b++) {
        const char *blk = wr + (size_t)(b0 + b) * sizeof(block_q6_K);
        // the scales: 4 dwords of 4 signed bytes; d: the high half of the dword at 206 (scales 14, 15, d: inside the block)
        for (int k = 0; k < 4; k++) {
            const __m512i v = _mm512_mask_i32gather_epi32(zero, rmask, rowoff, blk + offsetof(block_q6_K, scales) + 4*k, 1);
            for (int e = 0; e < 4; e++) _mm512_store_si512(t->sc[b][4*k + e], _mm512_srai_epi32(_mm512_slli_epi32(v, 24 - 8*e), 24));
        }
        const __m512i dd = _mm512_mask_i32gather_epi32(zero, rmask, rowoff, blk + offsetof(block_q6_K, d) - 2, 1);
        _mm512_store_ps(t->d[b], _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(dd, 16))));
        for (int r = 0; r < R; r++)
            for (int kk = 0; kk < 2; kk++) {
                __m256i q[4];
                q6_K_half((const block_q6_K *)(wr + (size_t)r * wbytes) + b0 + b, kk, q);
                for (int g = 0; g < 4; g++) _mm256_store_si256((__m256i *)(t->q[b][r] + 128*kk + 32*g), _mm256_sub_epi8(q[g], m32));
            }
    }
}

/// Sub-block j of chunk block b (tile set S): isum[r] += sc_j[r] · sum_j[r] (lanes: tokens).
#define AMX_SUB16(S, j) do { \
    _tile_loadd(S, t->q[b][0] + 16 * (j), 256); \
    _tile_loadd(2 + S, x->q[(j) / 2][4 * ((j) % 2)], 64); \
    _tile_zero(4 + S); \
    _tile_dpbssd(4 + S, S, 2 + S); \
    _tile_stored(4 + S, c[S], 64); \
    add_scaled_rows(isum, c[S], t->sc[b][j]); \
} while (0)

/// acc[r] += ((float)isum · d) · dx for chunk block b against token group x (one 256-block).
AMX static void q6_K_block(const void *tile, int b, const block_q8_Kx16v *x, float acc[16][16]) {
    const q6_K_tile *t = tile;
    _Alignas(64) int32_t c[2][16][16];
    __m512i isum[16];
    for (int r = 0; r < 16; r++) isum[r] = _mm512_setzero_si512();
    AMX_SUB16(0, 0); AMX_SUB16(1, 1); AMX_SUB16(0, 2); AMX_SUB16(1, 3);
    AMX_SUB16(0, 4); AMX_SUB16(1, 5); AMX_SUB16(0, 6); AMX_SUB16(1, 7);
    AMX_SUB16(0, 8); AMX_SUB16(1, 9); AMX_SUB16(0, 10); AMX_SUB16(1, 11);
    AMX_SUB16(0, 12); AMX_SUB16(1, 13); AMX_SUB16(0, 14); AMX_SUB16(1, 15);
    const __m512 dx = _mm512_load_ps(x->d);
    for (int r = 0; r < 16; r++) {
        const __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum[r]), _mm512_set1_ps(t->d[b][r])), dx);
        _mm512_store_ps(acc[r], _mm512_add_ps(_mm512_load_ps(acc[r]), v));
    }
}

/// Rows r0 ≤ r < r1 of Y(nt × ldy) = W · X for Q6_K weights; xp from ck_pack_q8_Kx16v in groups of 16 tokens.
AMX_VNNI void ck_gemm_rows_q6_K_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                                    int64_t nt, float *y, int64_t ldy) {
    q6_K_tile tile;
    k_rows_amx(16, Q6_K_KB, q6_K_tile_prepare, q6_K_block, 0, &tile, n, w, wbytes, r0, r1, xp, gstride, nt, y, ldy);
}
#endif
