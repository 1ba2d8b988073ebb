// Matmul on activations repacked once per call: the Q8_K layout of the Q4_K GEMM kernel and the tile loop.
#include <stdlib.h>
#include "blocks.h"
#include "simd.h"

#if defined(__x86_64__)
void ck_gemm_q4_K_avx2(int n, const void *w, const void *xp, int T, float *out);
void ck_gemm8_q4_K_avx2(int n, const void *w, const void *xp, size_t gstride, float *out);
void ck_gemm_q6_K_avx2(int n, const void *w, const void *xp, int T, float *out);
void ck_gemm8_q6_K_avx2(int n, const void *w, const void *xp, size_t gstride, float *out);
void ck_gemm_q4_K_r_avx2(int n, const void *w, const void *xp, int T, float *out);
void ck_gemm8_q4_K_r_avx2(int n, const void *w, const void *xp, size_t gstride, float *out);
float ck_gemv_q4_K_r_avx2(int n, const void *w, const void *xp);
void ck_gemm_rows16_q4_K_r_avx2(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                                 int64_t nt, float *y, int64_t ldy);
void ck_gemm_q6_K_r_avx2(int n, const void *w, const void *xp, int T, float *out);
void ck_gemm8_q6_K_r_avx2(int n, const void *w, const void *xp, size_t gstride, float *out);
float ck_gemv_q6_K_r_avx2(int n, const void *w, const void *xp);
size_t ck_q8_0x8w_bytes(int n);
void ck_pack_q8_0x8w(int n, const void *x, size_t xbytes, int T, void *dst);
void ck_gemm_rows_q8_0_avx2(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                            int64_t nt, float *y, int64_t ldy);
void ck_gemm_rows_q5_0_avx2(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                            int64_t nt, float *y, int64_t ldy);
size_t ck_q8_0x16v_bytes(int n);
void ck_pack_q8_0x16v(int n, const void *x, size_t xbytes, int T, void *dst);
void ck_gemm_rows_q8_0_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                           int64_t nt, float *y, int64_t ldy);
void ck_gemm_rows_q5_0_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                           int64_t nt, float *y, int64_t ldy);
size_t ck_q8_Kx16v_bytes(int n);
void ck_pack_q8_Kx16v(int n, const void *x, size_t xbytes, int T, void *dst);
void ck_gemm_rows_q4_K_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                           int64_t nt, float *y, int64_t ldy);
void ck_gemm_rows_q4_K_r_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                             int64_t nt, float *y, int64_t ldy);
void ck_gemm_rows_q6_K_amx(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                           int64_t nt, float *y, int64_t ldy);

static size_t q8_Kx4_bytes(int n) { return (size_t)(n / QK_K) * sizeof(block_q8_Kx4); }

/// Row t of a packed block: b's scale and the sums of its 32-element sub-blocks (bsums[2s] + bsums[2s + 1]).
static void q8_Kx4_sums(block_q8_Kx4 *o, int t, const block_q8_K *b) {
    o->d[t] = b->d;
    for (int s = 0; s < 8; s++) o->bsp[t][s] = (int16_t)(b->bsums[2*s] + b->bsums[2*s + 1]);
}

/// T Q8_K rows (xbytes apart) → block_q8_Kx4 per 256-block. The kernel reads the weights' 128 nibble bytes
/// as 4 chunks of 32 (chunk c: elements 64c + b in the low, 64c + 32 + b in the high nibbles), transposes
/// their dwords in each 128-bit half (register k, half h, dword p ← chunk p, bytes 16h + 4k…) and pairs the
/// halves so that dword p of half 0 is always sub-block 2p and of half 1 sub-block 2p + 1: registers M_k
/// (low nibbles of half 0, high nibbles of half 1) and N_k (the other halves, swapped). Activation bytes
/// follow the same order, so every int16 lane of the 8 products sums one sub-block.
static void pack_q8_Kx4(int n, const void *x, size_t xbytes, int T, void *dst) {
    block_q8_Kx4 *o = dst;
    for (int i = 0; i < n / QK_K; i++) {
        memset(o[i].d, 0, sizeof o[i].d + sizeof o[i].bsp);
        for (int t = 0; t < T; t++) {
            const block_q8_K *b = (const block_q8_K *)((const char *)x + (size_t)t * xbytes) + i;
            int8_t *q = o[i].qs[t];
            for (int k = 0; k < 4; k++)
                for (int p = 0; p < 4; p++) {
                    memcpy(q + 32*k + 4*p,            b->qs + 64*p + 4*k,      4);  // M_k half 0: sub-block 2p
                    memcpy(q + 32*k + 16 + 4*p,       b->qs + 64*p + 48 + 4*k, 4);  // M_k half 1: sub-block 2p+1
                    memcpy(q + 128 + 32*k + 4*p,      b->qs + 64*p + 16 + 4*k, 4);  // N_k half 0
                    memcpy(q + 128 + 32*k + 16 + 4*p, b->qs + 64*p + 32 + 4*k, 4);  // N_k half 1
                }
            q8_Kx4_sums(&o[i], t, b);
        }
    }
}

/// T (1…4) Q8_K rows → block_q8_Kx4 with the quants in their own order, for the interleaved-rows kernel
/// (gemm_q4_K_r_avx2.c, whose odd last token reads a zero row).
static void pack_q8_Kx4n(int n, const void *x, size_t xbytes, int T, void *dst) {
    block_q8_Kx4 *o = dst;
    for (int i = 0; i < n / QK_K; i++) {
        if (T < 4) memset(&o[i], 0, sizeof o[i]);
        for (int t = 0; t < T; t++) {
            const block_q8_K *b = (const block_q8_K *)((const char *)x + (size_t)t * xbytes) + i;
            memcpy(o[i].qs[t], b->qs, QK_K);
            q8_Kx4_sums(&o[i], t, b);
        }
    }
}

const ck_gemm_ops ck_gemm_q4_K_avx2_ops = { "avx2 gemm", NULL, q8_Kx4_bytes, pack_q8_Kx4, ck_gemm_q4_K_avx2, ck_gemm8_q4_K_avx2, NULL };
/// CK_Q4_K_R (repack.c): the weights come in the kernel's register order, the activations are packed as for Q4_K.
const ck_gemm_ops ck_gemm_q4_K_r_avx2_ops = { "avx2 gemm", "avx2 gemv", q8_Kx4_bytes, pack_q8_Kx4, ck_gemm_q4_K_r_avx2, ck_gemm8_q4_K_r_avx2,
                                             ck_gemv_q4_K_r_avx2 };
/// CK_Q4_K_R in batches of 8+ tokens: 16 rows interleaved on the fly against 2 tokens at a time (gemm_q4_K_r_avx2.c),
/// same bits; fewer tokens do not pay for the interleaving (kbench on Zen 3: 4 tokens 70 vs 50–68 GMAC/s, 8 tokens 78 vs 86).
const ck_gemm_ops ck_gemm_q4_K_r_rows16_avx2_ops = { .name = "avx2 gemm 16x2", .group_bytes = q8_Kx4_bytes, .pack = pack_q8_Kx4n,
                                                    .rows = ck_gemm_rows16_q4_K_r_avx2, .group = 4, .tile_rows = 16,
                                                    .min_tokens = 8, .fewer = &ck_gemm_q4_K_r_avx2_ops };
/// The same with the AVX-512 VNNI decode kernel (gemv_avx512.c).
const ck_gemm_ops ck_gemm_q4_K_r_avx512_ops = { "avx2 gemm", "avx512-vnni gemv", q8_Kx4_bytes, pack_q8_Kx4, ck_gemm_q4_K_r_avx2,
                                               ck_gemm8_q4_K_r_avx2, ck_gemv_q4_K_r_avx512 };

static size_t q8_Kx4s_bytes(int n) { return (size_t)(n / QK_K) * sizeof(block_q8_Kx4s); }

/// T Q8_K rows → block_q8_Kx4s for the Q6_K kernel. Its 6-bit registers q_g (g = 0…3 in each 128-element
/// half kk: elements 128kk + 32g + 0…31, sub-blocks 8kk + 2g in the low, 8kk + 2g + 1 in the high 16 bytes)
/// are paired as X = unpacklo_epi64(q_a, q_b), Y = unpackhi_epi64(q_a, q_b) for (a, b) = (0, 1), (2, 3):
/// X and Y give every int16 lane the same sub-block. Activation bytes: X then Y for each pair.
static void pack_q8_Kx4s(int n, const void *x, size_t xbytes, int T, void *dst) {
    block_q8_Kx4s *o = dst;
    for (int i = 0; i < n / QK_K; i++) {
        memset(o[i].d, 0, sizeof o[i].d + sizeof o[i].bsums);
        for (int t = 0; t < T; t++) {
            const block_q8_K *b = (const block_q8_K *)((const char *)x + (size_t)t * xbytes) + i;
            int8_t *q = o[i].qs[t];
            for (int pr = 0; pr < 4; pr++) {
                const int8_t *qa = b->qs + 128*(pr/2) + 64*(pr%2), *qb = qa + 32;
                for (int h = 0; h < 2; h++) {  // X: bytes 0…7 of each 16-byte half; Y: bytes 8…15
                    memcpy(q + 64*pr + 16*h,           qa + 16*h,     8);
                    memcpy(q + 64*pr + 16*h + 8,       qb + 16*h,     8);
                    memcpy(q + 64*pr + 32 + 16*h,      qa + 16*h + 8, 8);
                    memcpy(q + 64*pr + 32 + 16*h + 8,  qb + 16*h + 8, 8);
                }
            }
            o[i].d[t] = b->d;
            memcpy(o[i].bsums[t], b->bsums, sizeof b->bsums);
        }
    }
}

const ck_gemm_ops ck_gemm_q6_K_avx2_ops = { "avx2 gemm", NULL, q8_Kx4s_bytes, pack_q8_Kx4s, ck_gemm_q6_K_avx2, ck_gemm8_q6_K_avx2, NULL };

/// T Q8_K rows → block_q8_Kx4s in CK_Q6_K_R's register order (repack_q6_K.c): quant 32r + 2j + h of a row is
/// element 16j + 2r + h; the scale and the 16 block sums as they are.
static void pack_q8_Kx4r(int n, const void *x, size_t xbytes, int T, void *dst) {
    block_q8_Kx4s *o = dst;
    for (int i = 0; i < n / QK_K; i++) {
        memset(o[i].d, 0, sizeof o[i].d + sizeof o[i].bsums);
        for (int t = 0; t < T; t++) {
            const block_q8_K *b = (const block_q8_K *)((const char *)x + (size_t)t * xbytes) + i;
            int16_t *q = (int16_t *)o[i].qs[t];  // element pairs (2r, 2r + 1) of sub-block j → int16 lane 16r + j
            for (int r = 0; r < 8; r++)
                for (int j = 0; j < 16; j++) memcpy(q + 16*r + j, b->qs + 16*j + 2*r, 2);
            o[i].d[t] = b->d;
            memcpy(o[i].bsums[t], b->bsums, sizeof b->bsums);
        }
    }
}

const ck_gemm_ops ck_gemm_q6_K_r_avx2_ops = { "avx2 gemm", "avx2 gemv", q8_Kx4s_bytes, pack_q8_Kx4r, ck_gemm_q6_K_r_avx2, ck_gemm8_q6_K_r_avx2,
                                             ck_gemv_q6_K_r_avx2 };

/// Q8_0 and Q5_0: 8-row tiles against groups of 8 tokens (gemm_q8_0.c), bit for bit the scalar twins.
const ck_gemm_ops ck_gemm_q8_0_avx2_ops = { .name = "avx2 gemm 8x8", .group_bytes = ck_q8_0x8w_bytes, .pack = ck_pack_q8_0x8w,
                                       .rows = ck_gemm_rows_q8_0_avx2, .group = 8, .tile_rows = 8 };
const ck_gemm_ops ck_gemm_q5_0_avx2_ops = { .name = "avx2 gemm 8x8", .group_bytes = ck_q8_0x8w_bytes, .pack = ck_pack_q8_0x8w,
                                       .rows = ck_gemm_rows_q5_0_avx2, .group = 8, .tile_rows = 8 };
/// Q8_0 and Q5_0 on AMX tiles (gemm_amx.c): 16 weight rows × 16 tokens per tile, same bits.
const ck_gemm_ops ck_gemm_q8_0_amx_ops = { .name = "amx gemm", .group_bytes = ck_q8_0x16v_bytes, .pack = ck_pack_q8_0x16v,
                                      .rows = ck_gemm_rows_q8_0_amx, .group = 16, .tile_rows = 16 };
const ck_gemm_ops ck_gemm_q5_0_amx_ops = { .name = "amx gemm", .group_bytes = ck_q8_0x16v_bytes, .pack = ck_pack_q8_0x16v,
                                      .rows = ck_gemm_rows_q5_0_amx, .group = 16, .tile_rows = 16 };
/// Q4_K, CK_Q4_K_R and Q6_K on AMX tiles (gemm_amx.c), same bits.
const ck_gemm_ops ck_gemm_q4_K_amx_ops = { .name = "amx gemm", .group_bytes = ck_q8_Kx16v_bytes, .pack = ck_pack_q8_Kx16v,
                                      .rows = ck_gemm_rows_q4_K_amx, .group = 16, .tile_rows = 16 };
const ck_gemm_ops ck_gemm_q4_K_r_amx_ops = { .name = "amx gemm", .group_bytes = ck_q8_Kx16v_bytes, .pack = ck_pack_q8_Kx16v,
                                        .rows = ck_gemm_rows_q4_K_r_amx, .group = 16, .tile_rows = 16 };
const ck_gemm_ops ck_gemm_q6_K_amx_ops = { .name = "amx gemm", .group_bytes = ck_q8_Kx16v_bytes, .pack = ck_pack_q8_Kx16v,
                                      .rows = ck_gemm_rows_q6_K_amx, .group = 16, .tile_rows = 16 };
#endif

const ck_gemm_ops *ck_gemm_for(const ck_kernel_plan *plan, int64_t nt) {
    const ck_gemm_ops *g = plan->gemm[ck_path_for(nt)];
    return g && g->fewer && nt < g->min_tokens ? g->fewer : g;
}

const void *ck_gemm_pack(const ck_gemm_ops *g, int n, const void *x, size_t xbytes, int64_t nt, size_t *gstride) {
    static _Thread_local void *buf = NULL;  // grow-only, separate from ck_thread_scratch (which may hold x)
    static _Thread_local size_t cap = 0;
    const int64_t G = g->group ? g->group : 4;
    const size_t gs = g->group_bytes(n), need = gs * (size_t)((nt + G - 1) / G);
    if (!ck_grow_buffer(&buf, &cap, need, 65536)) return NULL;
    for (int64_t t = 0; t < nt; t += G)
        g->pack(n, (const char *)x + (size_t)t * xbytes, xbytes, nt - t < G ? (int)(nt - t) : (int)G, (char *)buf + (size_t)(t / G) * gs);
    *gstride = gs;
    return buf;
}

void ck_gemm_rows(const ck_gemm_ops *g, int n, const void *w, size_t wbytes, int64_t r0, int64_t r1,
                  const void *xp, size_t gstride, int64_t nt, float *y, int64_t ldy) {
    if (g->rows) { g->rows(n, w, wbytes, r0, r1, xp, gstride, nt, y, ldy); return; }
    const char *wb = w, *xb = xp;
    // tiles of weight rows (~16 KB, L1-resident) against each group of 4 packed activation rows
    const int64_t tile = wbytes >= 16384 ? 1 : (int64_t)(16384 / wbytes) < 16 ? (int64_t)(16384 / wbytes) : 16;
    for (int64_t rt = r0; rt < r1; rt += tile) {
        const int64_t re = rt + tile < r1 ? rt + tile : r1;
        int64_t t = 0;
        if (g->kernel8)
            for (; t + 8 <= nt; t += 8) {
                const char *xg = xb + (size_t)(t / 4) * gstride;
                for (int64_t r = rt; r < re; r++) {
                    float o[8];
                    g->kernel8(n, wb + (size_t)r * wbytes, xg, gstride, o);
                    for (int k = 0; k < 8; k++) y[(t + k) * ldy + r] = o[k];
                }
            }
        for (; t < nt; t += 4) {
            const int T = nt - t < 4 ? (int)(nt - t) : 4;
            const char *xg = xb + (size_t)(t / 4) * gstride;
            for (int64_t r = rt; r < re; r++) {
                float o[4];
                g->kernel(n, wb + (size_t)r * wbytes, xg, T, o);
                for (int k = 0; k < T; k++) y[(t + k) * ldy + r] = o[k];
            }
        }
    }
}
