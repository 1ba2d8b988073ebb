// Attention arithmetic in the exact float order of llama.cpp's x86 AVX-512 CPU build (non-flash path), on any
// CPU: K·q as ggml_vec_dot_f32, softmax with ggml_v_expf and 16-lane block sums in double, and the weighted sum
// of values as ggml_vec_dot_f32 (one query token) or tinyBLAS sgemm (a batch). Scalar twins use fmaf; the AVX2
// versions hold each 16-lane AVX-512 register as two 8-lane halves, so both give the same bits.
#pragma STDC FP_CONTRACT OFF
#include "CKernels.h"
#include "simd.h"
#include "vexpf.h"
#include <math.h>
#include <string.h>

/// _mm512_reduce_add_ps on s(16): (hi8 + lo8), then (hi4 + lo4), then (t0 + t2) + (t1 + t3).
static inline float reduce16(const float *s) {
    float t3[8], t6[4];
    for (int l = 0; l < 8; l++) t3[l] = s[8 + l] + s[l];
    for (int l = 0; l < 4; l++) t6[l] = t3[4 + l] + t3[l];
    return (t6[0] + t6[2]) + (t6[1] + t6[3]);
}

float ck_attn_dot_scalar(const float *x, const float *y, int64_t n) {
    float acc[64] = {0};                                   // lane l of accumulator k at acc[16k + l]
    const int64_t np = n & ~(int64_t)63;
    int64_t i = 0;
    for (; i < np; i += 64)
        for (int l = 0; l < 64; l++) acc[l] = fmaf(x[i + l], y[i + l], acc[l]);
    float s[16];
    for (int l = 0; l < 16; l++) s[l] = (acc[l] + acc[32 + l]) + (acc[16 + l] + acc[48 + l]);
    float sum = reduce16(s);
    for (; i < n; i++) sum += x[i] * y[i];
    return sum;
}

void ck_attn_scores_scalar(const float *keys, int64_t stride, int64_t nkeys, const float *q, int64_t n, float *out) {
    for (int64_t j = 0; j < nkeys; j++) out[j] = ck_attn_dot_scalar(keys + j * stride, q, n);
}

/// Block of 16 starting at i (count ≤ 16 real lanes): x[i+l] = v_expf(x[i+l] - m); returns their 16-lane sum.
static inline float softmax_block_scalar(float *x, int64_t count, float m) {
    float blk[16] = {0};
    for (int64_t l = 0; l < count; l++) { const float v = ck_v_expf1(x[l] - m); x[l] = v; blk[l] = v; }
    return reduce16(blk);
}

void ck_attn_softmax_scalar(float *x, int64_t n, float scale) {
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++) { x[i] *= scale; if (x[i] > m) m = x[i]; }
    double sum = 0;
    for (int64_t i = 0; i < n; i += 16) sum += (double)softmax_block_scalar(x + i, n - i < 16 ? n - i : 16, m);
    const float inv = (float)(1.0 / sum);
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
}

/// Accumulator row (of 64 for one query token, of 16 for a batch) that value row j adds into.
static inline int64_t wsum_row(int64_t j, int single) { return single ? ((j >> 4) & 3) * 16 + (j & 15) : (j & 15); }

void ck_attn_wsum_scalar(const float *p, int64_t n, const float *v, int64_t stride, int64_t width, float *out,
                         float *acc, int single) {
    const int rows = single ? 64 : 16;
    memset(acc, 0, sizeof(float) * (size_t)(rows * width));
    for (int64_t j = 0; j < n; j++) {
        float *a = acc + wsum_row(j, single) * width;
        const float *vj = v + j * stride;
        for (int64_t d = 0; d < width; d++) a[d] = fmaf(vj[d], p[j], a[d]);
    }
    for (int64_t d = 0; d < width; d++) {
        float s[16];
        for (int l = 0; l < 16; l++) {
            const float *c = acc + l * width + d;
            s[l] = single ? (c[0] + c[32 * width]) + (c[16 * width] + c[48 * width]) : c[0];
        }
        out[d] = reduce16(s);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

/// reduce16 of the 16 lanes lo(8) | hi(8).
AVX2 static inline float reduce16_avx2(__m256 lo, __m256 hi) {
    const __m256 t3 = _mm256_add_ps(hi, lo);
    const __m128 t6 = _mm_add_ps(_mm256_extractf128_ps(t3, 1), _mm256_castps256_ps128(t3));
    const __m128 r = _mm_add_ps(t6, _mm_movehl_ps(t6, t6));   // (t0 + t2, t1 + t3, …)
    return _mm_cvtss_f32(r) + _mm_cvtss_f32(_mm_shuffle_ps(r, r, 1));
}

AVX2 static float attn_dot_avx2(const float *x, const float *y, int64_t n) {
    __m256 a[8];                                           // accumulator k: lanes 0-7 in a[2k], 8-15 in a[2k+1]
    for (int k = 0; k < 8; k++) a[k] = _mm256_setzero_ps();
    const int64_t np = n & ~(int64_t)63;
    int64_t i = 0;
    for (; i < np; i += 64)
        for (int k = 0; k < 8; k++) a[k] = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8 * k), _mm256_loadu_ps(y + i + 8 * k), a[k]);
    const __m256 lo = _mm256_add_ps(_mm256_add_ps(a[0], a[4]), _mm256_add_ps(a[2], a[6]));
    const __m256 hi = _mm256_add_ps(_mm256_add_ps(a[1], a[5]), _mm256_add_ps(a[3], a[7]));
    float sum = reduce16_avx2(lo, hi);
    for (; i < n; i++) sum += x[i] * y[i];
    return sum;
}

AVX2 static void attn_softmax_avx2(float *x, int64_t n, float scale) {
    const __m256 vs = _mm256_set1_ps(scale);
    __m256 vm = _mm256_set1_ps(-INFINITY);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), vs);
        _mm256_storeu_ps(x + i, v);
        vm = _mm256_max_ps(vm, v);
    }
    float mv[8], m = -INFINITY;
    _mm256_storeu_ps(mv, vm);
    for (int l = 0; l < 8; l++) if (mv[l] > m) m = mv[l];
    for (; i < n; i++) { x[i] *= scale; if (x[i] > m) m = x[i]; }
    const __m256 bm = _mm256_set1_ps(m);
    double sum = 0;
    for (i = 0; i + 16 <= n; i += 16) {
        const __m256 lo = ck_v_expf_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + i), bm));
        const __m256 hi = ck_v_expf_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), bm));
        _mm256_storeu_ps(x + i, lo);
        _mm256_storeu_ps(x + i + 8, hi);
        sum += (double)reduce16_avx2(lo, hi);
    }
    if (i < n) sum += (double)softmax_block_scalar(x + i, n - i, m);
    const __m256 inv = _mm256_set1_ps((float)(1.0 / sum));
    for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
    for (; i < n; i++) x[i] *= _mm256_cvtss_f32(inv);
}

/// Batch order (lane j%16): lanes lg … lg+3 over columns d0 … d0 + 8·C − 1 held in registers for all j, written
/// to their accumulator rows at the end (acc row l = the running sum of lane l).
AVX2 static inline void wsum_lanes_avx2(const float *p, int64_t n, const float *v, int64_t stride, int64_t width,
                                        float *acc, int64_t lg, int64_t d0, const int C) {
    __m256 a[4][3];
    for (int u = 0; u < 4; u++) for (int c = 0; c < C; c++) a[u][c] = _mm256_setzero_ps();
    for (int64_t j0 = lg; j0 < n; j0 += 16) {
        for (int u = 0; u < 4 && j0 + u < n; u++) {
            const __m256 pj = _mm256_set1_ps(p[j0 + u]);
            const float *vj = v + (j0 + u) * stride + d0;
            for (int c = 0; c < C; c++) a[u][c] = _mm256_fmadd_ps(_mm256_loadu_ps(vj + 8 * c), pj, a[u][c]);
        }
    }
    for (int u = 0; u < 4; u++) for (int c = 0; c < C; c++) _mm256_storeu_ps(acc + (lg + u) * width + d0 + 8 * c, a[u][c]);
}

/// out(width)[d] = the 16-lane tree over accumulator rows (single: lanes first summed over the 4 accumulators).
AVX2 static void reduce_rows_avx2(const float *acc, int64_t width, float *out, int single) {
    const int64_t w8 = width & ~(int64_t)7;
    int64_t d = 0;
    for (; d < w8; d += 8) {
        __m256 s[16];
        for (int l = 0; l < 16; l++) {
            const float *c = acc + l * width + d;
            s[l] = single ? _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(c), _mm256_loadu_ps(c + 32 * width)),
                                          _mm256_add_ps(_mm256_loadu_ps(c + 16 * width), _mm256_loadu_ps(c + 48 * width)))
                          : _mm256_loadu_ps(c);
        }
        __m256 t3[8], t6[4];
        for (int l = 0; l < 8; l++) t3[l] = _mm256_add_ps(s[8 + l], s[l]);
        for (int l = 0; l < 4; l++) t6[l] = _mm256_add_ps(t3[4 + l], t3[l]);
        _mm256_storeu_ps(out + d, _mm256_add_ps(_mm256_add_ps(t6[0], t6[2]), _mm256_add_ps(t6[1], t6[3])));
    }
    for (; d < width; d++) {
        float s[16];
        for (int l = 0; l < 16; l++) {
            const float *c = acc + l * width + d;
            s[l] = single ? (c[0] + c[32 * width]) + (c[16 * width] + c[48 * width]) : c[0];
        }
        out[d] = reduce16(s);
    }
}

AVX2 static void attn_wsum_avx2(const float *p, int64_t n, const float *v, int64_t stride, int64_t width, float *out,
                                float *acc, int single) {
    const int rows = single ? 64 : 16;
    if (!single) {                                         // registers across all j; the accumulator rows once
        int64_t d0 = 0;
        for (; d0 + 24 <= width; d0 += 24) for (int64_t lg = 0; lg < 16; lg += 4) wsum_lanes_avx2(p, n, v, stride, width, acc, lg, d0, 3);
        for (; d0 + 8 <= width; d0 += 8) for (int64_t lg = 0; lg < 16; lg += 4) wsum_lanes_avx2(p, n, v, stride, width, acc, lg, d0, 1);
        for (int l = 0; l < 16; l++) {
            float *a = acc + l * width;
            for (int64_t d = d0; d < width; d++) a[d] = 0;
            for (int64_t j = l; j < n; j += 16) for (int64_t d = d0; d < width; d++) a[d] = fmaf(v[j * stride + d], p[j], a[d]);
        }
        reduce_rows_avx2(acc, width, out, 0);
        return;
    }
    const int64_t w8 = width & ~(int64_t)7;
    for (int64_t j = 0; j < n; j++) {
        float *a = acc + wsum_row(j, single) * width;
        const float *vj = v + j * stride;
        const float pj = p[j];
        const __m256 vp = _mm256_set1_ps(pj);
        int64_t d = 0;
        if (j < rows) {                                    // first visit of this row: the accumulator starts at +0
            for (; d < w8; d += 8) _mm256_storeu_ps(a + d, _mm256_fmadd_ps(_mm256_loadu_ps(vj + d), vp, _mm256_setzero_ps()));
            for (; d < width; d++) a[d] = fmaf(vj[d], pj, 0.0f);
        } else {
            for (; d < w8; d += 8) _mm256_storeu_ps(a + d, _mm256_fmadd_ps(_mm256_loadu_ps(vj + d), vp, _mm256_loadu_ps(a + d)));
            for (; d < width; d++) a[d] = fmaf(vj[d], pj, a[d]);
        }
    }
    if (n < rows)                                          // rows no value reached
        for (int64_t j = n; j < rows; j++) memset(acc + wsum_row(j, single) * width, 0, sizeof(float) * (size_t)width);
    reduce_rows_avx2(acc, width, out, single);
}

#define HAVE_AVX2 (ck_simd_enabled())
#else
#define HAVE_AVX2 0
#define attn_dot_avx2 ck_attn_dot_scalar
#define attn_softmax_avx2 ck_attn_softmax_scalar
#define attn_wsum_avx2 ck_attn_wsum_scalar
#endif

float ck_attn_dot(const float *x, const float *y, int64_t n) {
    return HAVE_AVX2 ? attn_dot_avx2(x, y, n) : ck_attn_dot_scalar(x, y, n);
}

void ck_attn_scores(const float *keys, int64_t stride, int64_t nkeys, const float *q, int64_t n, float *out) {
    if (!HAVE_AVX2) { ck_attn_scores_scalar(keys, stride, nkeys, q, n, out); return; }
    for (int64_t j = 0; j < nkeys; j++) out[j] = attn_dot_avx2(keys + j * stride, q, n);
}

void ck_attn_softmax(float *x, int64_t n, float scale) {
    if (HAVE_AVX2) attn_softmax_avx2(x, n, scale); else ck_attn_softmax_scalar(x, n, scale);
}

void ck_attn_wsum(const float *p, int64_t n, const float *v, int64_t stride, int64_t width, float *out, float *acc, int single) {
    if (HAVE_AVX2) attn_wsum_avx2(p, n, v, stride, width, out, acc, single);
    else ck_attn_wsum_scalar(p, n, v, stride, width, out, acc, single);
}
