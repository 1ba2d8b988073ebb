// MLA attention on AMX tiles in BF16 (Sapphire Rapids and later): the same flash-style loop as mla_attention.c with
// both products as tile matrix multiplies. Per block of 64 keys, for each tile of 16 query rows:
//   scores Sᵀ (keys × rows) = K (keys × kw) · Qᵀ   — A: the block's keys as they are, B: the queries (packed once);
//   online softmax in f32 on AVX-512 with the 16 rows as the lanes;
//   O (rows × vw) += P (rows × keys) · V           — A: P, B: the block's first vw columns, keys paired.
// Precision: every operand is split into bf16 hi + lo (hi = x rounded to bf16, lo = x − hi rounded), and each product
// sums hi·hi + lo·hi + hi·lo in f32: 16 significant bits per operand, so an f16 key or value is exact and a query or
// probability is within 2⁻¹⁷ of its f32 value (plain bf16 would be 2⁻⁹). The keys of a block are converted and split
// once for all tiles of rows (a prompt task's tokens × 20 heads); a decoded token's 20 heads, one pair of tiles, convert
// each 32 keys × 32 numbers right before their products instead, so that they stay in L1.
// FOLD: a decoded token with 16 < rows ≤ 24 (GLM-4.7-Flash: 20 heads) fills its second tile of 16 rows only partly, so
// that tile carries its rows' lo parts in its spare rows (the queries' lo in the scores' B tile, the probabilities' lo
// in P·V's A tile): one product there sums what took two (the lo·lo term included), 10 products a step instead of 12.
// The score columns and output rows of a row's hi and lo are added after the products.
#include <math.h>
#include <string.h>
#include "CKernels.h"
#include "mla.h"
#include "simd.h"
#include "vexpf.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define AMXBF __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,avx2,fma,f16c")))

enum { RT = 16 };  // query rows per tile
/// Each step its own function (not inlined), so that a profile shows where the time goes.
#define STEP __attribute__((noinline))
/// Inlined into each caller, once per cache type (BY_TYPE).
#define INLINE static inline __attribute__((always_inline))

/// Runs the statements with `type` a constant equal to t (CK_KV_F16 or CK_KV_Q8_0, the caches ck_mla_part_amx takes):
/// the INLINE steps under it fold their per-type branches out of the key loops and copy the rows into a local, so that
/// its fields stay in registers (the kernels build with -fno-strict-aliasing: every store into the buffers would reload
/// them). A decoded token 4–13 % faster for it.
#define BY_TYPE(t, ...)                                                           \
    do {                                                                          \
        if ((t) == CK_KV_F16) { const int type = CK_KV_F16; __VA_ARGS__; }       \
        else { const int type = CK_KV_Q8_0; __VA_ARGS__; }                       \
    } while (0)

typedef struct { uint8_t palette, start_row, reserved[14]; uint16_t colsb[16]; uint8_t rows[16]; } tile_config;
_Static_assert(sizeof(tile_config) == 64, "ldtilecfg takes 64 bytes");

/// Palette 1, all eight tiles 16 rows × 64 bytes (16 f32 or 32 bf16 a row): every tile of both products has that shape.
AMXBF static void configure(void) {
    tile_config c;
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int t = 0; t < 8; t++) { c.colsb[t] = 64; c.rows[t] = 16; }
    _tile_loadconfig(&c);
}

/// x0, x1 (16 f32 each) → hi, lo (32 bf16 each, x0's first): hi = bf16(x), lo = bf16(x − hi), each rounded to
/// nearest even: 17 significant bits of any f32, an f16 number exactly (rounding rather than cutting hi halves the
/// lo·lo term the products leave out).
AMXBF static inline void split32(__m512 x0, __m512 x1, __m512i *hi, __m512i *lo) {
    const __m512i h = (__m512i)_mm512_cvtne2ps_pbh(x1, x0);
    const __m512 h0 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(h)), 16));
    const __m512 h1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(h, 1)), 16));
    *hi = h;
    *lo = (__m512i)_mm512_cvtne2ps_pbh(_mm512_sub_ps(x1, h1), _mm512_sub_ps(x0, h0));
}

/// Numbers c0 … c0 + 31 of key row j as f32 (zero past kw).
AMXBF static inline void load32(const mla_rows *a, int64_t j, int c0, __m512 *x0, __m512 *x1) {
    if (a->type == CK_KV_F16) {
        const int left = a->kw - c0;
        const __m512i h = _mm512_maskz_loadu_epi16(left >= 32 ? 0xffffffffu : (1u << left) - 1, mla_key_at(a, j, c0));
        *x0 = _mm512_cvtph_ps(_mm512_castsi512_si256(h));
        *x1 = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(h, 1));
    } else {  // q8_0: one block; its padding past kw is zero
        const uint8_t *blk = (const uint8_t *)mla_key_at(a, j, c0);
        uint16_t dh;
        memcpy(&dh, blk, 2);
        const __m512 d = _mm512_set1_ps(ck_fp16_to_fp32(dh));
        *x0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(blk + 2)))), d);
        *x1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(blk + 18)))), d);
    }
}

/// vpermt2w indices interleaving the words of two rows (0–31 the first, 32–63 the second): columns 0–15, then 16–31.
static const int16_t pair_lo_idx[32] = { 0, 32, 1, 33, 2, 34, 3, 35, 4, 36, 5, 37, 6, 38, 7, 39,
                                         8, 40, 9, 41, 10, 42, 11, 43, 12, 44, 13, 45, 14, 46, 15, 47 };
static const int16_t pair_hi_idx[32] = { 16, 48, 17, 49, 18, 50, 19, 51, 20, 52, 21, 53, 22, 54, 23, 55,
                                         24, 56, 25, 57, 26, 58, 27, 59, 28, 60, 29, 61, 30, 62, 31, 63 };

/// Keys k0 … k0 + 31 of the block of nb keys from key b (zero past nb), numbers c0 … c0 + 31, split into bf16 hi and
/// lo: key rows into kh, kl (32 rows, krow numbers apart) — two A tiles of the scores each; with c0 < vw also their
/// value pairs into vh, vl (CK_MLA_BLOCK / 2, ow, 2): row p holds keys 2p and 2p + 1 interleaved per column — the B
/// tiles of P·V.
AMXBF INLINE void convert_keys(const mla_rows *rows, int type, int64_t b, int nb, int k0, int c0, int ow, uint16_t *kh,
                               uint16_t *kl, size_t krow, uint16_t *vh, uint16_t *vl) {
    mla_rows local = *rows;
    local.type = type;
    const mla_rows *a = &local;
    const __m512i ilo = _mm512_loadu_si512(pair_lo_idx), ihi = _mm512_loadu_si512(pair_hi_idx);
    // This call's share of the next block's bytes: one 32-line piece per call, calls numbered as pack_block makes them.
    const int64_t next = mla_next_block_bytes(a, b);
    const int64_t share = ((int64_t)(k0 / 32) * ((a->kw + 31) / 32) + c0 / 32) * 32 * 64;
    for (int e = 0; e < 32; e += 2) {
        const int64_t at = share + e * 64;
        if (at < next) mla_prefetch_keys(a, b + CK_MLA_BLOCK, at, at + 128 < next ? at + 128 : next);
        __m512i h[2], l[2];
        for (int u = 0; u < 2; u++) {
            const int j = k0 + e + u;
            if (j < nb) {
                __m512 x0, x1;
                load32(a, b + j, c0, &x0, &x1);
                split32(x0, x1, &h[u], &l[u]);
            } else {
                h[u] = l[u] = _mm512_setzero_si512();
            }
            _mm512_storeu_si512(kh + (e + u) * krow, h[u]);
            _mm512_storeu_si512(kl + (e + u) * krow, l[u]);
        }
        if (c0 < a->vw) {
            const size_t at = (size_t)(k0 + e) / 2 * ow * 2 + c0 * 2;
            _mm512_storeu_si512(vh + at, _mm512_permutex2var_epi16(h[0], ilo, h[1]));
            _mm512_storeu_si512(vh + at + 32, _mm512_permutex2var_epi16(h[0], ihi, h[1]));
            _mm512_storeu_si512(vl + at, _mm512_permutex2var_epi16(l[0], ilo, l[1]));
            _mm512_storeu_si512(vl + at + 32, _mm512_permutex2var_epi16(l[0], ihi, l[1]));
        }
    }
}

/// The whole block converted once for many pairs of row tiles: kh, kl (CK_MLA_BLOCK, kwp) key rows; vh, vl value pairs.
AMXBF STEP static void pack_block(const mla_rows *a, int64_t b, int nb, int kwp, int ow,
                                  uint16_t *kh, uint16_t *kl, uint16_t *vh, uint16_t *vl) {
    BY_TYPE(a->type,
            for (int k0 = 0; k0 < CK_MLA_BLOCK; k0 += 32)
                for (int c0 = 0; c0 < kwp; c0 += 32)
                    convert_keys(a, type, b, nb, k0, c0, ow, kh + (size_t)k0 * kwp + c0, kl + (size_t)k0 * kwp + c0,
                                 (size_t)kwp, vh, vl));
}

/// r (16 rows of 16 dwords) transposed in place: four rounds of swapping the off-diagonal blocks of 8, 4, 2 and 1.
AMXBF static inline void transpose16(__m512i r[16]) {
    for (int s = 8; s >= 1; s /= 2) {
        int keep[16], take[16];  // row i's new dwords: its own or row i + s's; row i + s's likewise
        for (int e = 0; e < 16; e++) {
            keep[e] = e & s ? 16 + e - s : e;
            take[e] = e & s ? 16 + e : e + s;
        }
        const __m512i ik = _mm512_loadu_si512(keep), it = _mm512_loadu_si512(take);
        for (int i = 0; i < 16; i++)
            if (!(i & s)) {
                const __m512i x = r[i], y = r[i + s];
                r[i] = _mm512_permutex2var_epi32(x, ik, y);
                r[i + s] = _mm512_permutex2var_epi32(x, it, y);
            }
    }
}

/// qh, ql (ntile, kwp / 32, 16, 16, 2): tile t's queries as the B tiles of the scores: for chunk c, row k holds numbers
/// 32c + 2k and 32c + 2k + 1 of each of the tile's 16 query rows (zero past kw and past nrows). Each tile's 16 rows
/// split into 16 dword pairs per chunk, transposed in registers. fold > 0 (a decoded token whose second tile holds fold ≤ 8
/// rows): that tile's hi columns fold … 2·fold − 1 hold the lo of its rows 0 … fold − 1 (FOLD below).
AMXBF static void pack_queries(const mla_rows *a, int ntile, int kwp, int fold, uint16_t *qh, uint16_t *ql) {
    const int nch = kwp / 32;
    for (int t = 0; t < ntile; t++)
        for (int c = 0; c < nch; c++) {
            __m512i h[RT], l[RT];
            const int left = a->kw - 32 * c;
            const __mmask32 m = left >= 32 ? 0xffffffffu : (1u << left) - 1;
            for (int r = 0; r < RT; r++) {
                const int row = t * RT + r;
                h[r] = l[r] = _mm512_setzero_si512();
                if (row < a->nrows) {
                    const float *q = a->q + (size_t)row * a->kw + 32 * c;
                    split32(_mm512_maskz_loadu_ps((__mmask16)m, q), _mm512_maskz_loadu_ps((__mmask16)(m >> 16), q + 16),
                            &h[r], &l[r]);
                }
            }
            if (fold && t == 1)
                for (int r = 0; r < fold; r++) h[fold + r] = l[r];
            transpose16(h);
            transpose16(l);
            const size_t at = (size_t)(t * nch + c) * RT * RT * 2;  // bf16 units
            for (int k = 0; k < RT; k++) {
                _mm512_storeu_si512(qh + at + k * RT * 2, h[k]);
                _mm512_storeu_si512(ql + at + k * RT * 2, l[k]);
            }
        }
}

/// st (CK_MLA_BLOCK, 16): tile t's raw scores Sᵀ of the block's nb keys from key b → its probabilities, the tile's
/// running max m and sum l (16 rows) updated, alpha the factor its earlier output must be scaled by; ph, pl
/// (16, CK_MLA_BLOCK): the probabilities as rows in bf16 hi and lo (zero past each row's last key). fold > 0: the tile's
/// score columns fold … 2·fold − 1 are added into 0 … fold − 1 first, and ph's rows fold … 2·fold − 1 get the lo of rows
/// 0 … fold − 1 (FOLD).
AMXBF STEP static void softmax_tile(const mla_rows *a, int t, int64_t b, int nb, float scale, float *st, float *m, float *l,
                                    float *alpha, uint16_t *ph, uint16_t *pl, int fold) {
    int seen[RT];  // keys of the block each row sees
    for (int r = 0; r < RT; r++) {
        const int row = t * RT + r;
        const int64_t left = row < a->nrows ? mla_row_len(a, row) - b : 0;
        seen[r] = left < 0 ? 0 : left < nb ? (int)left : nb;
    }
    const __m512i sv = _mm512_loadu_si512(seen);
    const __m512 sc = _mm512_set1_ps(scale);
    const __m512i up = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                        _mm512_set1_epi32(fold));  // lane r + fold → lane r
    const __mmask16 low = (__mmask16)((1u << fold) - 1);
    __m512 mb = _mm512_set1_ps(-INFINITY);
    for (int j = 0; j < nb; j++) {
        const __mmask16 k = _mm512_cmpgt_epi32_mask(sv, _mm512_set1_epi32(j));
        __m512 x = _mm512_loadu_ps(st + j * RT);
        if (fold) x = _mm512_mask_add_ps(x, low, x, _mm512_permutexvar_ps(up, x));
        x = _mm512_mul_ps(x, sc);
        _mm512_storeu_ps(st + j * RT, x);
        mb = _mm512_mask_max_ps(mb, k, mb, x);
    }
    const __m512 mo = _mm512_loadu_ps(m), mn = _mm512_max_ps(mo, mb);
    const __mmask16 same = _mm512_cmp_ps_mask(mo, mn, _CMP_EQ_OQ) | _mm512_cmp_ps_mask(mn, mn, _CMP_UNORD_Q);
    const __m512 al = _mm512_mask_blend_ps(same, ck_v_expf_avx512(_mm512_sub_ps(mo, mn)), _mm512_set1_ps(1.0f));
    __m512 sum = _mm512_setzero_ps();
    for (int j = 0; j < CK_MLA_BLOCK; j++) {
        __m512 p = _mm512_setzero_ps();
        if (j < nb) {
            const __mmask16 k = _mm512_cmpgt_epi32_mask(sv, _mm512_set1_epi32(j));
            p = _mm512_maskz_mov_ps(k, ck_v_expf_avx512(_mm512_sub_ps(_mm512_loadu_ps(st + j * RT), mn)));
            sum = _mm512_add_ps(sum, p);
        }
        _mm512_storeu_ps(st + j * RT, p);
    }
    _mm512_storeu_ps(l, _mm512_fmadd_ps(_mm512_loadu_ps(l), al, sum));
    _mm512_storeu_ps(m, mn);
    _mm512_storeu_ps(alpha, al);
    // Sᵀ → P: row r gathers lane r of every key.
    const __m512i col = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                           _mm512_set1_epi32(RT));
    for (int r = 0; r < RT; r++) {
        if (r >= fold && r < 2 * fold) continue;  // rows past nrows whose ph carries lo
        for (int j = 0; j < CK_MLA_BLOCK; j += 32) {
            const __m512 x0 = _mm512_i32gather_ps(col, st + j * RT + r, 4);
            const __m512 x1 = _mm512_i32gather_ps(col, st + (j + 16) * RT + r, 4);
            __m512i h, lo;
            split32(x0, x1, &h, &lo);
            _mm512_storeu_si512(ph + r * CK_MLA_BLOCK + j, h);
            _mm512_storeu_si512(pl + r * CK_MLA_BLOCK + j, lo);
            if (r < fold) _mm512_storeu_si512(ph + (r + fold) * CK_MLA_BLOCK + j, lo);
        }
    }
}

/// The four products of a 2×2 block: tiles 0–3 += (4, 6), (4, 7), (5, 6), (5, 7) — A tiles 4, 5 by B tiles 6, 7.
#define PRODUCTS_2X2() \
    do { _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); _tile_dpbf16ps(2, 5, 6); _tile_dpbf16ps(3, 5, 7); } while (0)

/// One chunk of 32 numbers of the scores into tiles 0–3: A = 32 keys' rows, hi (ah) and lo (al), `stride` bytes apart;
/// B = the queries of the two row tiles, hi (bh) and lo (bl), qtile bf16 apart. Three products: hi·hi, lo·hi, hi·lo;
/// fold: the second tile's hi holds its lo too, and its hi·lo product is left out (FOLD).
AMXBF static inline void chunk_scores(const char *ah, const char *al, size_t stride, const uint16_t *bh,
                                      const uint16_t *bl, size_t qtile, int fold) {
    _tile_loadd(4, ah, stride);
    _tile_loadd(5, ah + 16 * stride, stride);
    _tile_loadd(6, bh, 64);
    _tile_loadd(7, bh + qtile, 64);
    PRODUCTS_2X2();
    _tile_loadd(4, al, stride);
    _tile_loadd(5, al + 16 * stride, stride);
    PRODUCTS_2X2();
    _tile_loadd(4, ah, stride);
    _tile_loadd(5, ah + 16 * stride, stride);
    _tile_loadd(6, bl, 64);
    if (fold) {
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(2, 5, 6);
        return;
    }
    _tile_loadd(7, bl + qtile, 64);
    PRODUCTS_2X2();
}

/// Tiles 0–3, the scores of keys k … k + 31 for the two row tiles, into st (2, CK_MLA_BLOCK, 16).
AMXBF static inline void store_scores(float *st, int k) {
    _tile_stored(0, st + k * RT, 64);
    _tile_stored(1, st + (CK_MLA_BLOCK + k) * RT, 64);
    _tile_stored(2, st + (k + 16) * RT, 64);
    _tile_stored(3, st + (CK_MLA_BLOCK + k + 16) * RT, 64);
}

/// Scores of the block's keys for the pair of row tiles t, t + 1: st (2, CK_MLA_BLOCK, 16) = Sᵀ of each tile. Tiles
/// 0–3 = Sᵀ of (keys k … k + 15, tile t), (k, t + 1), (k + 16, t), (k + 16, t + 1); 4, 5 = keys k and k + 16 (hi or
/// lo); 6, 7 = the queries of t and t + 1 (hi or lo). Per chunk of 32 numbers three products: hi·hi, lo·hi, hi·lo.
AMXBF STEP static void scores_pair(const uint16_t *kh, const uint16_t *kl, size_t krow, int nb, const uint16_t *qh,
                                   const uint16_t *ql, size_t qtile, int nch, float *st) {
    for (int k = 0; k < nb; k += 32) {
        _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
        const char *ah = (const char *)kh + k * krow, *al = (const char *)kl + k * krow;
        for (int c = 0; c < nch; c++)
            chunk_scores(ah + c * 64, al + c * 64, krow, qh + (size_t)c * RT * RT * 2, ql + (size_t)c * RT * RT * 2, qtile, 0);
        store_scores(st, k);
    }
}

/// scores_pair for a lone pair of row tiles (a decoded token's heads): each 32 keys × 32 numbers are converted right
/// before their products, into ab (4 KB, stays in L1) rather than a whole block through L2; the value pairs go to
/// vh, vl as pack_block writes them.
AMXBF STEP static void scores_lone_pair(const mla_rows *a, int64_t b, int nb, int ow, const uint16_t *qh,
                                        const uint16_t *ql, size_t qtile, int nch, int fold, float *st, uint16_t *ab,
                                        uint16_t *vh, uint16_t *vl) {
    uint16_t *ah = ab, *al = ab + 32 * 32;
    BY_TYPE(a->type,
            for (int k = 0; k < nb; k += 32) {
                _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
                for (int c = 0; c < nch; c++) {
                    convert_keys(a, type, b, nb, k, 32 * c, ow, ah, al, 32, vh, vl);
                    chunk_scores((const char *)ah, (const char *)al, 64, qh + (size_t)c * RT * RT * 2,
                                 ql + (size_t)c * RT * RT * 2, qtile, fold);
                }
                store_scores(st, k);
            });
}

/// Asks for the value pairs of keys k … k + 31, columns d … d + 31, hi and lo (the B tiles of one step of pv_pair):
/// a block's pairs (~128 KB) sit in L2, and a decoded token's tile loads waited on them (its attention 8 % faster; a
/// prompt task, which reads them for each pair of row tiles, was 5 % slower with it).
static inline void prefetch_values(const uint16_t *vh, const uint16_t *vl, int ow, int k, int d) {
    const size_t at = (size_t)k / 2 * ow * 2 + d * 2, row = (size_t)ow * 2;
    for (int r = 0; r < 16; r++) {
        _mm_prefetch((const char *)(vh + at + r * row), _MM_HINT_T0);
        _mm_prefetch((const char *)(vh + at + r * row + 32), _MM_HINT_T0);
        _mm_prefetch((const char *)(vl + at + r * row), _MM_HINT_T0);
        _mm_prefetch((const char *)(vl + at + r * row + 32), _MM_HINT_T0);
    }
}

/// O += P·V for the pair of row tiles: out (2 × 16 rows vw apart) f32; ph, pl (2, 16, CK_MLA_BLOCK); vh, vl as
/// pack_block writes them; prefetch: ask for each next step's values (a decoded token). Tiles 0–3 = O of (tile t,
/// columns d … d + 15), (t, d + 16), (t + 1, d), (t + 1, d + 16); 4, 5 = P of t and t + 1 for 32 keys (hi or lo);
/// 6, 7 = V of those keys, columns d and d + 16 (hi or lo). fold: tile t + 1's ph rows carry its lo (FOLD), so its
/// lo·hi product is left out.
AMXBF STEP static void pv_pair(float *out, int vw, int ow, int nb, const uint16_t *ph,
                               const uint16_t *pl, const uint16_t *vh, const uint16_t *vl, int prefetch, int fold) {
    const size_t orow = (size_t)ow * 4, prow = CK_MLA_BLOCK * 2, ptile = RT * CK_MLA_BLOCK;
    float *o1 = out + (size_t)RT * ow;
    for (int d = 0; d < vw; d += 32) {
        _tile_loadd(0, out + d, orow);
        _tile_loadd(1, out + d + 16, orow);
        _tile_loadd(2, o1 + d, orow);
        _tile_loadd(3, o1 + d + 16, orow);
        for (int k = 0; k < nb; k += 32) {
            const size_t at = (size_t)k / 2 * ow * 2 + d * 2;  // key pair k / 2, column d
            const char *bh = (const char *)(vh + at), *bl = (const char *)(vl + at);
            if (prefetch) {
                if (k + 32 < nb) prefetch_values(vh, vl, ow, k + 32, d);
                else if (d + 32 < vw) prefetch_values(vh, vl, ow, 0, d + 32);
            }
            _tile_loadd(4, ph + k, prow);
            _tile_loadd(5, ph + ptile + k, prow);
            _tile_loadd(6, bh, orow);
            _tile_loadd(7, bh + 64, orow);
            PRODUCTS_2X2();
            _tile_loadd(4, pl + k, prow);
            if (fold) {
                _tile_dpbf16ps(0, 4, 6);
                _tile_dpbf16ps(1, 4, 7);
            } else {
                _tile_loadd(5, pl + ptile + k, prow);
                PRODUCTS_2X2();
                _tile_loadd(5, ph + ptile + k, prow);
            }
            _tile_loadd(4, ph + k, prow);
            _tile_loadd(6, bl, orow);
            _tile_loadd(7, bl + 64, orow);
            PRODUCTS_2X2();
        }
        _tile_stored(0, out + d, orow);
        _tile_stored(1, out + d + 16, orow);
        _tile_stored(2, o1 + d, orow);
        _tile_stored(3, o1 + d + 16, orow);
    }
}

/// Per-thread scratch (the pool's threads live as long as the process).
static _Thread_local void *amx_buf;
static _Thread_local size_t amx_cap;

AMXBF int ck_mla_part_amx(const mla_rows *a, int64_t j0, int64_t j1, float scale, float *o, float *ml) {
    const int nrows = a->nrows, vw = a->vw, kwp = (a->kw + 31) / 32 * 32, nch = kwp / 32;
    const int ow = vw + 16;  // row width of O and of V's pair rows: 2 KB strides would put a tile's rows in 2 L1 sets
    const int ntile = ((nrows + RT - 1) / RT + 1) / 2 * 2;  // tiles of 16 rows, in pairs
    if (vw % 32 != 0 || vw > kwp || (a->type != CK_KV_F16 && a->type != CK_KV_Q8_0)) return -1;
    const size_t R = (size_t)ntile * RT, KB = CK_MLA_BLOCK;
    // Scratch, each part 64-byte aligned: queries (2, ntile, nch, 16, 32) bf16; keys (2, KB, kwp) bf16; values
    // (2, KB/2, ow, 2) bf16; Sᵀ (2, KB, 16) f32; P (2, 2, 16, KB) bf16; O (R, ow) f32; m, l, alpha (R) f32 each.
    const size_t sizes[] = { 2 * R * kwp * 2, 2 * KB * kwp * 2, 2 * KB * ow * 2, 2 * KB * RT * 4, 4 * RT * KB * 2, R * ow * 4,
                             3 * R * 4 };
    size_t need = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) need += (sizes[i] + 63) / 64 * 64;
    char *base = ck_grow_buffer(&amx_buf, &amx_cap, need + 64, 1 << 20);
    if (!base) return -1;
    base = (char *)(((uintptr_t)base + 63) / 64 * 64);
    char *part[7];
    for (size_t i = 0; i < 7; i++) { part[i] = base; base += (sizes[i] + 63) / 64 * 64; }
    uint16_t *qh = (uint16_t *)part[0], *ql = qh + R * kwp;
    uint16_t *kh = (uint16_t *)part[1], *kl = kh + KB * kwp;
    uint16_t *vh = (uint16_t *)part[2], *vl = vh + KB * ow;
    float *st = (float *)part[3];
    uint16_t *ph = (uint16_t *)part[4], *pl = ph + 2 * RT * KB;
    float *out = (float *)part[5], *m = (float *)part[6], *l = m + R, *alpha = l + R;

    const int lone = ntile == 2;  // one pair of row tiles (a decoded token): each key is used once, converted on the fly
    const int fold = lone && nrows > RT && nrows <= RT + RT / 2 ? nrows - RT : 0;  // FOLD
    pack_queries(a, ntile, kwp, fold, qh, ql);
    for (size_t r = 0; r < R; r++) { m[r] = -INFINITY; l[r] = 0; }
    memset(out, 0, R * ow * 4);
    configure();
    const size_t krow = (size_t)kwp * 2, qtile = (size_t)nch * RT * RT * 2;  // bytes between key rows; bf16 per query tile
    for (int64_t b = j0; b < j1; b += CK_MLA_BLOCK) {
        const int nb = (int)(j1 - b < CK_MLA_BLOCK ? j1 - b : CK_MLA_BLOCK);
        if (!lone) pack_block(a, b, nb, kwp, ow, kh, kl, vh, vl);
        for (int t = mla_first_row(a, b) / (2 * RT) * 2; t < ntile; t += 2) {
            if (lone) scores_lone_pair(a, b, nb, ow, qh, ql, qtile, nch, fold, st, kh, vh, vl);
            else scores_pair(kh, kl, krow, nb, qh + t * qtile, ql + t * qtile, qtile, nch, st);
            for (int u = 0; u < 2; u++) {
                float *mt = m + (t + u) * RT, *lt = l + (t + u) * RT, *at = alpha + (t + u) * RT;
                softmax_tile(a, t + u, b, nb, scale, st + u * KB * RT, mt, lt, at, ph + u * RT * KB, pl + u * RT * KB,
                             u ? fold : 0);
                if (u)
                    for (int r = 0; r < fold; r++) at[fold + r] = at[r];  // the rows carrying lo scale with their row
                for (int r = 0; r < RT; r++) {
                    if (at[r] == 1.0f) continue;
                    float *x = out + (size_t)((t + u) * RT + r) * ow;
                    const __m512 f = _mm512_set1_ps(at[r]);
                    for (int d = 0; d < vw; d += 16) _mm512_storeu_ps(x + d, _mm512_mul_ps(_mm512_loadu_ps(x + d), f));
                }
            }
            pv_pair(out + (size_t)t * RT * ow, vw, ow, nb, ph, pl, vh, vl, lone, fold);
        }
    }
    _tile_release();
    for (int r = 0; r < fold; r++) {  // each folded row's hi and lo outputs summed
        float *x = out + (size_t)(RT + r) * ow;
        const float *y = x + (size_t)fold * ow;
        for (int d = 0; d < vw; d += 16) _mm512_storeu_ps(x + d, _mm512_add_ps(_mm512_loadu_ps(x + d), _mm512_loadu_ps(y + d)));
    }
    for (int r = 0; r < nrows; r++) {
        memcpy(o + (size_t)r * vw, out + (size_t)r * ow, (size_t)vw * 4);
        ml[r] = m[r];
        ml[nrows + r] = l[r];
    }
    return 0;
}
#else
int ck_mla_part_amx(const mla_rows *a, int64_t j0, int64_t j1, float scale, float *o, float *ml) {
    (void)a; (void)j0; (void)j1; (void)scale; (void)o; (void)ml;
    return -1;
}
#endif
