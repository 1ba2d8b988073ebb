// MLA attention on AMX tiles in BF16 (Sapphire Rapids and later): the same flash-style loop as mla_attention.c with
// both products as tile matrix multiplies. Per block of 64 keys, for each tile of 16 query rows:
//   scores Sᵀ (keys × rows) = K (keys × kw) · Qᵀ   — A: the block's keys as they are, B: the queries (packed once);
//   online softmax in f32 on AVX-512 with the 16 rows as the lanes;
//   O (rows × vw) += P (rows × keys) · V           — A: P, B: the block's first vw columns, keys paired.
// Precision: every operand is split into bf16 hi + lo (hi = x rounded to bf16, lo = x − hi rounded), and each product
// sums hi·hi + lo·hi + hi·lo in f32: 16 significant bits per operand, so an f16 key or value is exact and a query or
// probability is within 2⁻¹⁷ of its f32 value (plain bf16 would be 2⁻⁹). The keys of a block are converted and split
// once for all tiles of rows: a decoded token's 20 heads, or a prompt task's tokens × 20 heads.
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

/// x0, x1 (16 f32 each) → hi, lo (32 bf16 each, x0's first): hi = bf16(x), lo = bf16(x − hi).
AMXBF static inline void split(__m512 x0, __m512 x1, __m512i *hi, __m512i *lo) {
    const __m512i h = (__m512i)_mm512_cvtne2ps_pbh(x1, x0);
    const __m512 h0 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(h)), 16));
    const __m512 h1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(h, 1)), 16));
    *hi = h;
    *lo = (__m512i)_mm512_cvtne2ps_pbh(_mm512_sub_ps(x1, h1), _mm512_sub_ps(x0, h0));
}

/// Numbers c0 … c0 + 31 of key row j as f32 (zero past kw).
AMXBF static inline void load32(const mla_rows *a, int64_t j, int c0, __m512 *x0, __m512 *x1) {
    const int left = a->kw - c0;
    const __mmask32 m = left >= 32 ? 0xffffffffu : (1u << left) - 1;
    switch (a->type) {
    case CK_KV_F16: {
        const __m512i h = _mm512_maskz_loadu_epi16(m, (const uint16_t *)a->keys + j * a->stride + c0);
        *x0 = _mm512_cvtph_ps(_mm512_castsi512_si256(h));
        *x1 = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(h, 1));
        break;
    }
    case CK_KV_Q8_0: {  // one block; its padding past kw is zero
        const uint8_t *blk = (const uint8_t *)a->keys + (j * ((a->stride + 31) / 32) + c0 / 32) * CK_Q8_BLOCK_BYTES;
        uint16_t dh;
        memcpy(&dh, blk, 2);
        const __m512 d = _mm512_set1_ps(ck_fp16_to_fp32(dh));
        *x0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(blk + 2)))), d);
        *x1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(blk + 18)))), d);
        break;
    }
    default: {
        const float *k = (const float *)a->keys + j * a->stride + c0;
        *x0 = _mm512_maskz_loadu_ps((__mmask16)m, k);
        *x1 = _mm512_maskz_loadu_ps((__mmask16)(m >> 16), k + 16);
    }
    }
}

/// The block of nb keys from key b, split into bf16 hi and lo:
/// kh, kl (CK_MLA_BLOCK, kwp): key rows (zero past nb) — the A tiles of the scores, 16 keys × 32 numbers each;
/// vh, vl (CK_MLA_BLOCK / 2, vw, 2): row p holds keys 2p and 2p + 1 interleaved per column — the B tiles of P·V.
AMXBF static void pack_block(const mla_rows *a, int64_t b, int nb, int kwp, uint16_t *kh, uint16_t *kl, uint16_t *vh,
                             uint16_t *vl) {
    const int vw = a->vw;
    int16_t lo_idx[32], hi_idx[32];
    for (int i = 0; i < 16; i++) {
        lo_idx[2 * i] = (int16_t)i; lo_idx[2 * i + 1] = (int16_t)(32 + i);
        hi_idx[2 * i] = (int16_t)(16 + i); hi_idx[2 * i + 1] = (int16_t)(48 + i);
    }
    const __m512i ilo = _mm512_loadu_si512(lo_idx), ihi = _mm512_loadu_si512(hi_idx);
    for (int p = 0; p < CK_MLA_BLOCK / 2; p++)
        for (int c0 = 0; c0 < kwp; c0 += 32) {
            __m512i h[2], l[2];
            for (int e = 0; e < 2; e++) {
                const int j = 2 * p + e;
                if (j < nb) {
                    __m512 x0, x1;
                    load32(a, b + j, c0, &x0, &x1);
                    split(x0, x1, &h[e], &l[e]);
                } else {
                    h[e] = l[e] = _mm512_setzero_si512();
                }
                _mm512_storeu_si512(kh + (size_t)j * kwp + c0, h[e]);
                _mm512_storeu_si512(kl + (size_t)j * kwp + c0, l[e]);
            }
            if (c0 < vw) {
                uint16_t *dh = vh + (size_t)p * vw * 2 + c0 * 2, *dl = vl + (size_t)p * vw * 2 + c0 * 2;
                _mm512_storeu_si512(dh, _mm512_permutex2var_epi16(h[0], ilo, h[1]));
                _mm512_storeu_si512(dh + 32, _mm512_permutex2var_epi16(h[0], ihi, h[1]));
                _mm512_storeu_si512(dl, _mm512_permutex2var_epi16(l[0], ilo, l[1]));
                _mm512_storeu_si512(dl + 32, _mm512_permutex2var_epi16(l[0], ihi, l[1]));
            }
        }
}

/// qh, ql (ntile, kwp / 32, 16, 16, 2): tile t's queries as the B tiles of the scores: for chunk c, row k holds numbers
/// 32c + 2k and 32c + 2k + 1 of each of the tile's 16 query rows (zero past kw and past nrows).
AMXBF static void pack_queries(const mla_rows *a, int ntile, int kwp, uint16_t *qh, uint16_t *ql) {
    const int nch = kwp / 32;
    const __m512i pairs = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                             _mm512_set1_epi32(RT));  // dword k of a row → row k of the tile
    for (int t = 0; t < ntile; t++)
        for (int r = 0; r < RT; r++) {
            const int row = t * RT + r;
            for (int c = 0; c < nch; c++) {
                __m512i h = _mm512_setzero_si512(), l = h;
                if (row < a->nrows) {
                    const int left = a->kw - 32 * c;
                    const __mmask32 m = left >= 32 ? 0xffffffffu : (1u << left) - 1;
                    const float *q = a->q + (size_t)row * a->kw + 32 * c;
                    split(_mm512_maskz_loadu_ps((__mmask16)m, q), _mm512_maskz_loadu_ps((__mmask16)(m >> 16), q + 16), &h, &l);
                }
                const size_t at = ((size_t)(t * nch + c) * RT * RT + r) * 2;  // bf16 units: the tile, then lane r of row 0
                _mm512_i32scatter_epi32(qh + at, pairs, h, 4);
                _mm512_i32scatter_epi32(ql + at, pairs, l, 4);
            }
        }
}

/// ck_v_expf1 on 16 lanes (the same bits).
AMXBF static inline __m512 exp16(__m512 x) {
    const __m256 lo = ck_v_expf_avx2(_mm512_castps512_ps256(x));
    const __m256 hi = ck_v_expf_avx2(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)));
    return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
}

/// st (CK_MLA_BLOCK, 16): tile t's raw scores Sᵀ of the block's nb keys from key b → its probabilities, the tile's
/// running max m and sum l (16 rows) updated, alpha the factor its earlier output must be scaled by; ph, pl
/// (16, CK_MLA_BLOCK): the probabilities as rows in bf16 hi and lo (zero past each row's last key).
AMXBF static void softmax_tile(const mla_rows *a, int t, int64_t b, int nb, float scale, float *st, float *m, float *l,
                               float *alpha, uint16_t *ph, uint16_t *pl) {
    int seen[RT];  // keys of the block each row sees
    for (int r = 0; r < RT; r++) {
        const int row = t * RT + r;
        const int64_t left = row < a->nrows ? mla_row_len(a, row) - b : 0;
        seen[r] = left < 0 ? 0 : left < nb ? (int)left : nb;
    }
    const __m512i sv = _mm512_loadu_si512(seen);
    const __m512 sc = _mm512_set1_ps(scale);
    __m512 mb = _mm512_set1_ps(-INFINITY);
    for (int j = 0; j < nb; j++) {
        const __mmask16 k = _mm512_cmpgt_epi32_mask(sv, _mm512_set1_epi32(j));
        const __m512 x = _mm512_mul_ps(_mm512_loadu_ps(st + j * RT), sc);
        _mm512_storeu_ps(st + j * RT, x);
        mb = _mm512_mask_max_ps(mb, k, mb, x);
    }
    const __m512 mo = _mm512_loadu_ps(m), mn = _mm512_max_ps(mo, mb);
    const __mmask16 same = _mm512_cmp_ps_mask(mo, mn, _CMP_EQ_OQ) | _mm512_cmp_ps_mask(mn, mn, _CMP_UNORD_Q);
    const __m512 al = _mm512_mask_blend_ps(same, exp16(_mm512_sub_ps(mo, mn)), _mm512_set1_ps(1.0f));
    __m512 sum = _mm512_setzero_ps();
    for (int j = 0; j < CK_MLA_BLOCK; j++) {
        __m512 p = _mm512_setzero_ps();
        if (j < nb) {
            const __mmask16 k = _mm512_cmpgt_epi32_mask(sv, _mm512_set1_epi32(j));
            p = _mm512_maskz_mov_ps(k, exp16(_mm512_sub_ps(_mm512_loadu_ps(st + j * RT), mn)));
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
    for (int r = 0; r < RT; r++)
        for (int j = 0; j < CK_MLA_BLOCK; j += 32) {
            const __m512 x0 = _mm512_i32gather_ps(col, st + j * RT + r, 4), x1 = _mm512_i32gather_ps(col, st + (j + 16) * RT + r, 4);
            __m512i h, lo;
            split(x0, x1, &h, &lo);
            _mm512_storeu_si512(ph + r * CK_MLA_BLOCK + j, h);
            _mm512_storeu_si512(pl + r * CK_MLA_BLOCK + j, lo);
        }
}

/// Per-thread scratch (the pool's threads live as long as the process).
static _Thread_local void *amx_buf;
static _Thread_local size_t amx_cap;

AMXBF int ck_mla_part_amx(const mla_rows *a, int64_t j0, int64_t j1, float scale, float *o, float *ml) {
    const int nrows = a->nrows, vw = a->vw, kwp = (a->kw + 31) / 32 * 32, nch = kwp / 32, ntile = (nrows + RT - 1) / RT;
    if (vw % 32 != 0 || vw > kwp) return -1;
    const size_t R = (size_t)ntile * RT, KB = CK_MLA_BLOCK;
    // Scratch, each part 64-byte aligned: queries (2, ntile, nch, 16, 32) bf16; keys (2, KB, kwp) bf16; values
    // (2, KB/2, vw, 2) bf16; Sᵀ (KB, 16) f32; P (2, 16, KB) bf16; O (R, vw) f32; m, l, alpha (R) f32 each.
    const size_t sizes[] = { 2 * R * kwp * 2, 2 * KB * kwp * 2, 2 * KB * vw * 2, KB * RT * 4, 2 * RT * KB * 2, R * vw * 4, 3 * R * 4 };
    size_t need = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) need += (sizes[i] + 63) / 64 * 64;
    char *base = ck_grow_buffer(&amx_buf, &amx_cap, need + 64, 1 << 20);
    if (!base) return -1;
    base = (char *)(((uintptr_t)base + 63) / 64 * 64);
    char *part[7];
    for (size_t i = 0; i < 7; i++) { part[i] = base; base += (sizes[i] + 63) / 64 * 64; }
    uint16_t *qh = (uint16_t *)part[0], *ql = qh + R * kwp;
    uint16_t *kh = (uint16_t *)part[1], *kl = kh + KB * kwp;
    uint16_t *vh = (uint16_t *)part[2], *vl = vh + KB * vw;
    float *st = (float *)part[3];
    uint16_t *ph = (uint16_t *)part[4], *pl = ph + RT * KB;
    float *out = (float *)part[5], *m = (float *)part[6], *l = m + R, *alpha = l + R;

    pack_queries(a, ntile, kwp, qh, ql);
    for (size_t r = 0; r < R; r++) { m[r] = -INFINITY; l[r] = 0; }
    memset(out, 0, R * vw * 4);
    configure();
    const size_t krow = (size_t)kwp * 2, vrow = (size_t)vw * 4;  // bytes between key rows, between value pair rows
    for (int64_t b = j0; b < j1; b += CK_MLA_BLOCK) {
        const int nb = (int)(j1 - b < CK_MLA_BLOCK ? j1 - b : CK_MLA_BLOCK);
        pack_block(a, b, nb, kwp, kh, kl, vh, vl);
        for (int t = mla_first_row(a, b) / RT; t < ntile; t++) {
            // Scores, 32 keys at a time: tiles 0, 1 = Sᵀ of keys 16i …; 2, 3 = their hi and lo (keys 0–15), 4, 5 (16–31);
            // 6, 7 = the tile's queries hi and lo.
            for (int h = 0; h < nb; h += 32) {
                _tile_zero(0);
                _tile_zero(1);
                const char *k0h = (const char *)(kh + (size_t)h * kwp), *k0l = (const char *)(kl + (size_t)h * kwp);
                for (int c = 0; c < nch; c++) {
                    const size_t qat = (size_t)(t * nch + c) * RT * RT * 2;
                    _tile_loadd(6, qh + qat, 64);
                    _tile_loadd(7, ql + qat, 64);
                    _tile_loadd(2, k0h + c * 64, krow);
                    _tile_loadd(4, k0h + 16 * krow + c * 64, krow);
                    _tile_dpbf16ps(0, 2, 6);
                    _tile_dpbf16ps(1, 4, 6);
                    _tile_loadd(3, k0l + c * 64, krow);
                    _tile_loadd(5, k0l + 16 * krow + c * 64, krow);
                    _tile_dpbf16ps(0, 3, 6);
                    _tile_dpbf16ps(1, 5, 6);
                    _tile_dpbf16ps(0, 2, 7);
                    _tile_dpbf16ps(1, 4, 7);
                }
                _tile_stored(0, st + h * RT, 64);
                _tile_stored(1, st + (h + 16) * RT, 64);
            }
            float *mt = m + t * RT, *lt = l + t * RT, *at = alpha + t * RT;
            softmax_tile(a, t, b, nb, scale, st, mt, lt, at, ph, pl);
            for (int r = 0; r < RT; r++) {
                if (at[r] == 1.0f) continue;
                float *x = out + (size_t)(t * RT + r) * vw;
                const __m512 f = _mm512_set1_ps(at[r]);
                for (int d = 0; d < vw; d += 16) _mm512_storeu_ps(x + d, _mm512_mul_ps(_mm512_loadu_ps(x + d), f));
            }
            // O += P·V: tiles 0, 1 = O columns d … d + 31; 2, 3 = P hi, lo of keys 0–31; 4, 5 of keys 32–63; 6, 7 = V
            // hi, lo of 32 keys × 16 columns.
            const int halves = nb > 32 ? 2 : 1;
            _tile_loadd(2, ph, KB * 2);
            _tile_loadd(3, pl, KB * 2);
            if (halves > 1) { _tile_loadd(4, ph + 32, KB * 2); _tile_loadd(5, pl + 32, KB * 2); }
            float *ot = out + (size_t)t * RT * vw;
            for (int d = 0; d < vw; d += 32) {
                _tile_loadd(0, ot + d, vrow);
                _tile_loadd(1, ot + d + 16, vrow);
                for (int hv = 0; hv < halves; hv++) {
                    const char *v = (const char *)(vh + (size_t)hv * 16 * vw * 2 + d * 2);
                    const char *w = (const char *)(vl + (size_t)hv * 16 * vw * 2 + d * 2);
                    _tile_loadd(6, v, vrow);
                    _tile_loadd(7, v + 64, vrow);
                    if (hv == 0) { _tile_dpbf16ps(0, 2, 6); _tile_dpbf16ps(1, 2, 7); _tile_dpbf16ps(0, 3, 6); _tile_dpbf16ps(1, 3, 7); }
                    else { _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); _tile_dpbf16ps(0, 5, 6); _tile_dpbf16ps(1, 5, 7); }
                    _tile_loadd(6, w, vrow);
                    _tile_loadd(7, w + 64, vrow);
                    if (hv == 0) { _tile_dpbf16ps(0, 2, 6); _tile_dpbf16ps(1, 2, 7); }
                    else { _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); }
                }
                _tile_stored(0, ot + d, vrow);
                _tile_stored(1, ot + d + 16, vrow);
            }
        }
    }
    _tile_release();
    for (int r = 0; r < nrows; r++) {
        memcpy(o + (size_t)r * vw, out + (size_t)r * vw, (size_t)vw * 4);
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
