// F32, F16 and BF16 weights in batches (AVX2 + FMA + F16C): register tiles of 2 weight rows × 3 tokens on activations
// widened to f32 once per call. Every (row, token) dot product is summed exactly as the single-row kernels
// (simd_avx2.c) sum it — two accumulators over alternate 8-element chunks, hsum8 of their sum, then the scalar tail —
// so a batch gives matvec's bits, and the tile only shares the loads: 2 weight + 3 activation vectors per 6 FMAs.
#include "simd.h"
#pragma STDC FP_CONTRACT OFF  // the scalar tails round as the single-row kernels' (simd_avx2.c) do

#if defined(__x86_64__)
#include <immintrin.h>
#include "hsum_avx2.h"
#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

enum { E_F32, E_F16, E_BF16 };  // element types of weights and activations

/// Elements i … i + 7 of a row of element type E as f32.
AVX2 INLINE __m256 load8(const void *row, int64_t i, const int E) {
    if (E == E_F32) return _mm256_loadu_ps((const float *)row + i);
    const __m128i h = _mm_loadu_si128((const __m128i *)((const uint16_t *)row + i));
    if (E == E_F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

/// Element i of a row of element type E as f32.
INLINE float load1(const void *row, int64_t i, const int E) {
    if (E == E_F32) return ((const float *)row)[i];
    const uint16_t h = ((const uint16_t *)row)[i];
    return E == E_F16 ? ck_fp16_to_fp32(h) : ck_bf16_to_fp32(h);
}

/// Accumulators of one R × T tile between chunks of the columns: s0 and s1 for each (row, token) pair.
typedef struct { __m256 s[2][2][4]; } tile_acc;

/// Columns i0 ..< i1 (i0 a multiple of 16) of the dot products W_r · X_t for R (1–2) weight rows (type W, wbytes apart)
/// and T (1–4) activation rows (type X, xbytes apart), n elements each, into the accumulators `acc` (zeroed first when
/// i0 = 0). When i1 = n the products are finished: y[t·ldy + r] = the single-row kernel's sum.
AVX2 INLINE void tile(int n, int i0, int i1, const char *w, size_t wbytes, const char *x, size_t xbytes, tile_acc *acc,
                      float *y, int64_t ldy, const int R, const int T, const int W, const int X) {
    __m256 s0[2][4], s1[2][4], a[2];
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) {
            s0[r][t] = i0 == 0 ? _mm256_setzero_ps() : acc->s[0][r][t];
            s1[r][t] = i0 == 0 ? _mm256_setzero_ps() : acc->s[1][r][t];
        }
    int i = i0;
    for (; i + 16 <= i1; i += 16) {
        for (int r = 0; r < R; r++) a[r] = load8(w + r * wbytes, i, W);
        for (int t = 0; t < T; t++) {
            const __m256 b = load8(x + t * xbytes, i, X);
            for (int r = 0; r < R; r++) s0[r][t] = _mm256_fmadd_ps(a[r], b, s0[r][t]);
        }
        for (int r = 0; r < R; r++) a[r] = load8(w + r * wbytes, i + 8, W);
        for (int t = 0; t < T; t++) {
            const __m256 b = load8(x + t * xbytes, i + 8, X);
            for (int r = 0; r < R; r++) s1[r][t] = _mm256_fmadd_ps(a[r], b, s1[r][t]);
        }
    }
    if (i1 < n) {
        for (int r = 0; r < R; r++)
            for (int t = 0; t < T; t++) { acc->s[0][r][t] = s0[r][t]; acc->s[1][r][t] = s1[r][t]; }
        return;
    }
    if (i + 8 <= n) {
        for (int r = 0; r < R; r++) a[r] = load8(w + r * wbytes, i, W);
        for (int t = 0; t < T; t++) {
            const __m256 b = load8(x + t * xbytes, i, X);
            for (int r = 0; r < R; r++) s0[r][t] = _mm256_fmadd_ps(a[r], b, s0[r][t]);
        }
        i += 8;
    }
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) {
            float s = hsum8(_mm256_add_ps(s0[r][t], s1[r][t]));
            for (int k = i; k < n; k++) s += load1(w + r * wbytes, k, W) * load1(x + t * xbytes, k, X);
            y[t * ldy + r] = s;
        }
}

/// One weight row · 4 activation rows of the dot type (the plan's dot4).
AVX2 void ck_dot4_f32_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) { tile_acc acc; tile(n, 0, n, w, 0, x, xbytes, &acc, out, 1, 1, 4, E_F32, E_F32); }
AVX2 void ck_dot4_f16_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) { tile_acc acc; tile(n, 0, n, w, 0, x, xbytes, &acc, out, 1, 1, 4, E_F16, E_F16); }
AVX2 void ck_dot4_bf16_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) { tile_acc acc; tile(n, 0, n, w, 0, x, xbytes, &acc, out, 1, 1, 4, E_BF16, E_BF16); }

/// GROUP tokens per packed group: 2 × 3 tiles keep 12 accumulators, 2 weights and 1 activation in 16 registers.
/// CHUNK columns at a time (a multiple of 16: the accumulators' alternation carries over); at most MAX_PASS rows a pass.
enum { GROUP = 3, CHUNK = 1024, MAX_PASS = 256 };

/// Bytes of one packed group: GROUP rows of n f32.
static size_t group_bytes(int n) { return (size_t)GROUP * (size_t)n * sizeof(float); }

/// T activation rows of element type E, xbytes apart → T rows of n f32 (dst (GROUP, n)).
AVX2 INLINE void widen(int n, const void *x, size_t xbytes, int T, void *dst, const int E) {
    for (int t = 0; t < T; t++) {
        const char *row = (const char *)x + (size_t)t * xbytes;
        float *o = (float *)dst + (size_t)t * n;
        int i = 0;
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(o + i, load8(row, i, E));
        for (; i < n; i++) o[i] = load1(row, i, E);
    }
}
AVX2 static void pack_f32(int n, const void *x, size_t xbytes, int T, void *dst) { widen(n, x, xbytes, T, dst, E_F32); }
AVX2 static void pack_f16(int n, const void *x, size_t xbytes, int T, void *dst) { widen(n, x, xbytes, T, dst, E_F16); }
AVX2 static void pack_bf16(int n, const void *x, size_t xbytes, int T, void *dst) { widen(n, x, xbytes, T, dst, E_BF16); }

/// Weight rows per pass over the tokens: ~192 KB, so a pass's rows stay in L2 while every token group goes by.
static int64_t rows_per_pass(size_t wbytes) {
    const int64_t r = (int64_t)((192 * 1024) / wbytes) & ~(int64_t)1;
    return r < 2 ? 2 : r > MAX_PASS ? MAX_PASS : r;
}

/// One token group (T rows of n f32, xs bytes apart) against the row pairs (and a last odd row) of rows r0 ..< r1,
/// CHUNK columns at a time: the group's chunk stays in L1 while the rows' chunks come from L2.
AVX2 INLINE void group_T(int n, const char *w, size_t wbytes, int64_t r0, int64_t r1, const char *xg, size_t xs, float *y,
                         int64_t ldy, const int T, const int W) {
    tile_acc acc[MAX_PASS / 2];
    for (int i0 = 0; i0 < n; i0 += CHUNK) {
        const int i1 = n - i0 <= CHUNK ? n : i0 + CHUNK;
        int64_t r = r0;
        for (; r + 2 <= r1; r += 2) tile(n, i0, i1, w + (size_t)r * wbytes, wbytes, xg, xs, &acc[(r - r0) / 2], y + r, ldy, 2, T, W, E_F32);
        if (r < r1) tile(n, i0, i1, w + (size_t)r * wbytes, wbytes, xg, xs, &acc[(r - r0) / 2], y + r, ldy, 1, T, W, E_F32);
    }
}

/// Rows r0 ..< r1 of Y = W · Xᵀ for nt tokens packed in groups of GROUP (gstride bytes apart).
AVX2 INLINE void rows_W(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride,
                        int64_t nt, float *y, int64_t ldy, const int W) {
    const size_t xs = sizeof(float) * (size_t)n;
    const int64_t pass = rows_per_pass(wbytes);
    for (int64_t rp = r0; rp < r1; rp += pass) {
        const int64_t re = rp + pass < r1 ? rp + pass : r1;
        for (int64_t t = 0; t < nt; t += GROUP) {
            const char *xg = (const char *)xp + (size_t)(t / GROUP) * gstride;
            float *yt = y + t * ldy;
            const int T = nt - t < GROUP ? (int)(nt - t) : GROUP;
            if (T == 3) group_T(n, w, wbytes, rp, re, xg, xs, yt, ldy, 3, W);
            else if (T == 2) group_T(n, w, wbytes, rp, re, xg, xs, yt, ldy, 2, W);
            else group_T(n, w, wbytes, rp, re, xg, xs, yt, ldy, 1, W);
        }
    }
}

#define ROWS(name, E) \
    AVX2 static void name(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride, \
                          int64_t nt, float *y, int64_t ldy) { rows_W(n, w, wbytes, r0, r1, xp, gstride, nt, y, ldy, E); }
ROWS(rows_f32, E_F32)
ROWS(rows_f16, E_F16)
ROWS(rows_bf16, E_BF16)

const ck_gemm_ops ck_gemm_f32_avx2_ops = { .name = "avx2 gemm 2x3", .group_bytes = group_bytes, .pack = pack_f32, .rows = rows_f32,
                                           .group = GROUP, .tile_rows = 2 };
const ck_gemm_ops ck_gemm_f16_avx2_ops = { .name = "avx2 gemm 2x3", .group_bytes = group_bytes, .pack = pack_f16, .rows = rows_f16,
                                           .group = GROUP, .tile_rows = 2 };
const ck_gemm_ops ck_gemm_bf16_avx2_ops = { .name = "avx2 gemm 2x3", .group_bytes = group_bytes, .pack = pack_bf16, .rows = rows_bf16,
                                            .group = GROUP, .tile_rows = 2 };
#endif
