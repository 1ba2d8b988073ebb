// Attention of one query token over a latent cache shared by all heads (deepseek2 MLA decode): head h's scores
// are q[h]·k[j] over the cache rows and its values the first vw columns of the same rows. Flash-decoding: a part of
// the keys is read once for all heads, CK_MLA_BLOCK keys at a time (scores of the block, online softmax, O += P·V);
// parts run on different threads and ck_mla_merge combines them. No (heads, keys) buffer, so the cost stays linear
// in the context and the cache is streamed once per token instead of twice per thread (two sgemms per run of heads).
// The AVX2+FMA kernel and its scalar twin run the same steps; only the order of the dot products' sums differs.
#include <math.h>
#include <string.h>
#include "CKernels.h"
#include "simd.h"
#include "vexpf.h"

#define CK_MLA_BLOCK 64

/// Online softmax of one block for nh heads: s (nh, CK_MLA_BLOCK) raw scores of nb keys becomes p = exp(scale·s − m);
/// m, l (nh) the running max and sum; alpha (nh) the factor the head's earlier output must be scaled by.
static void block_softmax(float *s, int nh, int nb, float scale, float *m, float *l, float *alpha, int simd);

/// o (nh, vw) *= alpha[h] where it is not 1.
static void rescale(float *o, int nh, int vw, const float *alpha) {
    for (int h = 0; h < nh; h++) {
        if (alpha[h] == 1.0f) continue;
        float *r = o + (size_t)h * vw;
        for (int d = 0; d < vw; d++) r[d] *= alpha[h];
    }
}

static void part_scalar(const float *q, int nh, int kw, int vw, const float *keys, int64_t stride, int64_t j0, int64_t j1,
                        float scale, float *o, float *ml, float *s) {
    float *m = ml, *l = ml + nh, alpha[nh];
    for (int h = 0; h < nh; h++) { m[h] = -INFINITY; l[h] = 0; }
    memset(o, 0, sizeof(float) * (size_t)nh * vw);
    for (int64_t b = j0; b < j1; b += CK_MLA_BLOCK) {
        const int nb = (int)(j1 - b < CK_MLA_BLOCK ? j1 - b : CK_MLA_BLOCK);
        for (int h = 0; h < nh; h++)
            for (int j = 0; j < nb; j++) {
                const float *k = keys + (b + j) * stride, *qh = q + (size_t)h * kw;
                float acc = 0;
                for (int c = 0; c < kw; c++) acc = fmaf(qh[c], k[c], acc);
                s[h * CK_MLA_BLOCK + j] = acc;
            }
        block_softmax(s, nh, nb, scale, m, l, alpha, 0);
        rescale(o, nh, vw, alpha);
        for (int j = 0; j < nb; j++) {
            const float *v = keys + (b + j) * stride;
            for (int h = 0; h < nh; h++) {
                const float p = s[h * CK_MLA_BLOCK + j];
                float *r = o + (size_t)h * vw;
                for (int d = 0; d < vw; d++) r[d] = fmaf(p, v[d], r[d]);
            }
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/// Scores of keys k0, k1 against H (1…5) heads of q (rows kw apart): s[h·CK_MLA_BLOCK] and s[h·CK_MLA_BLOCK + 1].
/// 2H accumulators, 2 + H loads per 2H FMAs: bound by the two FMA pipes.
AVX2 static inline __attribute__((always_inline)) void scores_2xH(const float *k0, const float *k1, const float *q, int kw,
                                                                  const int H, float *s) {
    __m256 a0[5], a1[5];
    for (int h = 0; h < H; h++) { a0[h] = _mm256_setzero_ps(); a1[h] = _mm256_setzero_ps(); }
    for (int c = 0; c < kw; c += 8) {
        const __m256 x0 = _mm256_loadu_ps(k0 + c), x1 = _mm256_loadu_ps(k1 + c);
        for (int h = 0; h < H; h++) {
            const __m256 y = _mm256_loadu_ps(q + (size_t)h * kw + c);
            a0[h] = _mm256_fmadd_ps(x0, y, a0[h]);
            a1[h] = _mm256_fmadd_ps(x1, y, a1[h]);
        }
    }
    for (int h = 0; h < H; h++) { s[h * CK_MLA_BLOCK] = hsum8(a0[h]); s[h * CK_MLA_BLOCK + 1] = hsum8(a1[h]); }
}

/// o (H heads, rows vw apart)[d0 … d0+16) += Σ_j p[h][j] · v_j[d0 …] over nb keys: 2H accumulators.
AVX2 static inline __attribute__((always_inline)) void pv_Hx16(float *o, int vw, const float *p, const float *v,
                                                               int64_t stride, int nb, const int H) {
    __m256 a0[5], a1[5];
    for (int h = 0; h < H; h++) { a0[h] = _mm256_loadu_ps(o + (size_t)h * vw); a1[h] = _mm256_loadu_ps(o + (size_t)h * vw + 8); }
    for (int j = 0; j < nb; j++) {
        const __m256 v0 = _mm256_loadu_ps(v + j * stride), v1 = _mm256_loadu_ps(v + j * stride + 8);
        for (int h = 0; h < H; h++) {
            const __m256 w = _mm256_broadcast_ss(p + h * CK_MLA_BLOCK + j);
            a0[h] = _mm256_fmadd_ps(w, v0, a0[h]);
            a1[h] = _mm256_fmadd_ps(w, v1, a1[h]);
        }
    }
    for (int h = 0; h < H; h++) { _mm256_storeu_ps(o + (size_t)h * vw, a0[h]); _mm256_storeu_ps(o + (size_t)h * vw + 8, a1[h]); }
}

/// x[j] = exp(x[j] − mn) for whole groups of 8 of the nb (the same bits as ck_v_expf1 per lane); returns how many.
AVX2 static int exp_avx2(float *x, int nb, float mn) {
    int j = 0;
    for (; j + 8 <= nb; j += 8) _mm256_storeu_ps(x + j, ck_v_expf_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_set1_ps(mn))));
    return j;
}

AVX2 static void part_avx2(const float *q, int nh, int kw, int vw, const float *keys, int64_t stride, int64_t j0, int64_t j1,
                           float scale, float *o, float *ml, float *s) {
    float *m = ml, *l = ml + nh, alpha[nh];
    for (int h = 0; h < nh; h++) { m[h] = -INFINITY; l[h] = 0; }
    memset(o, 0, sizeof(float) * (size_t)nh * vw);
    for (int64_t b = j0; b < j1; b += CK_MLA_BLOCK) {
        const int nb = (int)(j1 - b < CK_MLA_BLOCK ? j1 - b : CK_MLA_BLOCK);
        for (int j = 0; j < nb; j += 2) {
            const float *k0 = keys + (b + j) * stride, *k1 = j + 1 < nb ? k0 + stride : k0;  // a lone last key twice
            float pair[5 * CK_MLA_BLOCK];
            for (int h0 = 0; h0 < nh; h0 += 5) {
                const int H = nh - h0 < 5 ? nh - h0 : 5;
                float *dst = j + 1 < nb ? s + h0 * CK_MLA_BLOCK + j : pair;
                switch (H) {
                case 5: scores_2xH(k0, k1, q + (size_t)h0 * kw, kw, 5, dst); break;
                case 4: scores_2xH(k0, k1, q + (size_t)h0 * kw, kw, 4, dst); break;
                case 3: scores_2xH(k0, k1, q + (size_t)h0 * kw, kw, 3, dst); break;
                case 2: scores_2xH(k0, k1, q + (size_t)h0 * kw, kw, 2, dst); break;
                default: scores_2xH(k0, k1, q + (size_t)h0 * kw, kw, 1, dst); break;
                }
                if (dst == pair) for (int h = 0; h < H; h++) s[(h0 + h) * CK_MLA_BLOCK + j] = pair[h * CK_MLA_BLOCK];
            }
        }
        block_softmax(s, nh, nb, scale, m, l, alpha, 1);
        rescale(o, nh, vw, alpha);
        const float *v = keys + b * stride;
        for (int d = 0; d < vw; d += 16)
            for (int h0 = 0; h0 < nh; h0 += 5) {
                const int H = nh - h0 < 5 ? nh - h0 : 5;
                float *oh = o + (size_t)h0 * vw + d;
                const float *p = s + h0 * CK_MLA_BLOCK;
                switch (H) {
                case 5: pv_Hx16(oh, vw, p, v + d, stride, nb, 5); break;
                case 4: pv_Hx16(oh, vw, p, v + d, stride, nb, 4); break;
                case 3: pv_Hx16(oh, vw, p, v + d, stride, nb, 3); break;
                case 2: pv_Hx16(oh, vw, p, v + d, stride, nb, 2); break;
                default: pv_Hx16(oh, vw, p, v + d, stride, nb, 1); break;
                }
            }
    }
}
#else
static int exp_avx2(float *x, int nb, float mn) { (void)x; (void)nb; (void)mn; return 0; }
#endif

static void block_softmax(float *s, int nh, int nb, float scale, float *m, float *l, float *alpha, int simd) {
    for (int h = 0; h < nh; h++) {
        float *x = s + h * CK_MLA_BLOCK, mb = -INFINITY;
        for (int j = 0; j < nb; j++) { x[j] *= scale; if (x[j] > mb) mb = x[j]; }
        const float mn = mb > m[h] ? mb : m[h];
        alpha[h] = m[h] == mn ? 1.0f : ck_v_expf1(m[h] - mn);
        float sum = 0;
        int j = simd ? exp_avx2(x, nb, mn) : 0;
        for (; j < nb; j++) x[j] = ck_v_expf1(x[j] - mn);
        for (j = 0; j < nb; j++) sum += x[j];
        l[h] = l[h] * alpha[h] + sum;
        m[h] = mn;
    }
}

void ck_mla_decode_part_scalar(const float *q, int nh, int kw, int vw, const float *keys, int64_t stride, int64_t j0,
                               int64_t j1, float scale, float *o, float *ml, float *s) {
    part_scalar(q, nh, kw, vw, keys, stride, j0, j1, scale, o, ml, s);
}

void ck_mla_decode_part(const float *q, int nh, int kw, int vw, const float *keys, int64_t stride, int64_t j0, int64_t j1,
                        float scale, float *o, float *ml, float *s) {
#if defined(__x86_64__)
    if (ck_active_family() != CK_FAMILY_SCALAR && kw % 8 == 0 && vw % 16 == 0) {
        part_avx2(q, nh, kw, vw, keys, stride, j0, j1, scale, o, ml, s);
        return;
    }
#endif
    part_scalar(q, nh, kw, vw, keys, stride, j0, j1, scale, o, ml, s);
}

void ck_mla_merge(int nh, int vw, int parts, const float *o, const float *ml, float *out) {
    for (int h = 0; h < nh; h++) {
        float mx = -INFINITY;
        for (int p = 0; p < parts; p++) { const float mp = ml[(size_t)p * 2 * nh + h]; if (mp > mx) mx = mp; }
        float wsum = 0, w[parts];
        for (int p = 0; p < parts; p++) {
            const float *mlp = ml + (size_t)p * 2 * nh;
            w[p] = mlp[h] == -INFINITY ? 0.0f : ck_v_expf1(mlp[h] - mx);
            wsum += w[p] * mlp[nh + h];
        }
        float *r = out + (size_t)h * vw;
        for (int p = 0; p < parts; p++) w[p] /= wsum;
        for (int d = 0; d < vw; d++) r[d] = w[0] * o[(size_t)h * vw + d];
        for (int p = 1; p < parts; p++) {
            const float *op = o + ((size_t)p * nh + h) * vw;
            for (int d = 0; d < vw; d++) r[d] += w[p] * op[d];
        }
    }
}
