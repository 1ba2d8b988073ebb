// Prompt attention with per-head keys and values: deepseek2's latent cache expanded for one batch through k_b and v_b
// (Session+ExpandedAttention.swift), then standard flash-style attention, one head and a tile of 16 query rows at a
// time. The queries lie transposed (a number of 16 rows is one vector), so a score of 16 rows against one key and a
// product p·v of 16 rows with one value number are FMAs of a broadcast with two vectors: no horizontal sums, and each
// lane's sums run in the same order as the scalar twin's loops, which therefore give the same bits (as does
// ck_v_expf_avx2 against ck_v_expf1). Per block of keys: scores (keys, 16), online softmax per lane, O += P·V with O
// transposed (dv, 16).
#include <math.h>
#include <string.h>
#include "CKernels.h"
#include "vexpf.h"

#pragma STDC FP_CONTRACT OFF  // only the explicit fused multiply-adds fuse, in the twin as in the vectors

/// Keys per block: scores of 6 keys at a time.
#define XB CK_XATTN_BLOCK
#define T CK_XATTN_TILE

typedef struct {
    const float *qt; int dn, dr;
    const float *kn; int64_t ldk;
    const float *kr; int64_t ldr;
    const float *v; int64_t ldv; int dv;
    int64_t vis; float scale;
    float *ot, *ml, *s;
} xattn_args;

/// Lane t of the tile sees key j of this call when j < vis + t.
static inline int sees(const xattn_args *a, int64_t j, int t) { return j < a->vis + t; }

static void block_scalar(const xattn_args *a, int64_t b, int nb) {
    float *m = a->ml, *l = a->ml + T, *s = a->s;
    for (int j = 0; j < nb; j++)
        for (int t = 0; t < T; t++) {
            float acc = 0;
            for (int d = 0; d < a->dn; d++) acc = fmaf(a->qt[d * T + t], a->kn[(b + j) * a->ldk + d], acc);
            for (int d = 0; d < a->dr; d++) acc = fmaf(a->qt[(a->dn + d) * T + t], a->kr[(b + j) * a->ldr + d], acc);
            s[j * T + t] = acc;
        }
    for (int t = 0; t < T; t++) {
        float mx = m[t];
        for (int j = 0; j < nb; j++) {
            const float x = sees(a, b + j, t) ? s[j * T + t] * a->scale : -INFINITY;
            s[j * T + t] = x;
            if (x > mx) mx = x;
        }
        const float alpha = ck_v_expf1(m[t] - mx);
        float sum = 0;
        for (int j = 0; j < nb; j++) { s[j * T + t] = ck_v_expf1(s[j * T + t] - mx); sum = sum + s[j * T + t]; }
        l[t] = l[t] * alpha + sum;
        m[t] = mx;
        for (int d = 0; d < a->dv; d++) a->ot[d * T + t] *= alpha;
    }
    for (int d = 0; d < a->dv; d++)
        for (int t = 0; t < T; t++) {
            float acc = a->ot[d * T + t];
            for (int j = 0; j < nb; j++) acc = fmaf(s[j * T + t], a->v[(b + j) * a->ldv + d], acc);
            a->ot[d * T + t] = acc;
        }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

/// a0, a1[k] += Σ_d q[d] · x[k·ld + d] over n numbers, q (n, 16): one part of K (≤ 6) keys' scores.
AVX2 INLINE void scores_part(const float *q, const float *x, int64_t ld, int n, const int K, __m256 *a0, __m256 *a1) {
    for (int d = 0; d < n; d++, q += T) {
        const __m256 q0 = _mm256_loadu_ps(q), q1 = _mm256_loadu_ps(q + 8);
        for (int k = 0; k < K; k++) {
            const __m256 y = _mm256_broadcast_ss(x + k * ld + d);
            a0[k] = _mm256_fmadd_ps(q0, y, a0[k]);
            a1[k] = _mm256_fmadd_ps(q1, y, a1[k]);
        }
    }
}

/// s (K, 16) = scores of keys b … b + K − 1 (K ≤ 6) against the tile: 12 accumulators, 2 + K loads per 2K FMAs.
AVX2 INLINE void scores_16xK(const xattn_args *a, int64_t b, const int K, float *s) {
    __m256 a0[6], a1[6];
    for (int k = 0; k < K; k++) { a0[k] = _mm256_setzero_ps(); a1[k] = _mm256_setzero_ps(); }
    scores_part(a->qt, a->kn + b * a->ldk, a->ldk, a->dn, K, a0, a1);
    scores_part(a->qt + a->dn * T, a->kr + b * a->ldr, a->ldr, a->dr, K, a0, a1);
    for (int k = 0; k < K; k++) { _mm256_storeu_ps(s + k * T, a0[k]); _mm256_storeu_ps(s + k * T + 8, a1[k]); }
}

/// ot rows d0 … d0 + D − 1 (D ≤ 6) += Σ_j p[j] · v[j][d] over the block's nb keys (v at key b, column d0).
AVX2 INLINE void pv_16xD(float *ot, const float *p, const float *v, int64_t ldv, int nb, const int D) {
    __m256 a0[6], a1[6];
    for (int k = 0; k < D; k++) { a0[k] = _mm256_loadu_ps(ot + k * T); a1[k] = _mm256_loadu_ps(ot + k * T + 8); }
    for (int j = 0; j < nb; j++, p += T, v += ldv) {
        const __m256 p0 = _mm256_loadu_ps(p), p1 = _mm256_loadu_ps(p + 8);
        for (int k = 0; k < D; k++) {
            const __m256 x = _mm256_broadcast_ss(v + k);
            a0[k] = _mm256_fmadd_ps(p0, x, a0[k]);
            a1[k] = _mm256_fmadd_ps(p1, x, a1[k]);
        }
    }
    for (int k = 0; k < D; k++) { _mm256_storeu_ps(ot + k * T, a0[k]); _mm256_storeu_ps(ot + k * T + 8, a1[k]); }
}

AVX2 static void block_avx2(const xattn_args *a, int64_t b, int nb) {
    float *s = a->s;
    int j = 0;
    for (; j + 6 <= nb; j += 6) scores_16xK(a, b + j, 6, s + j * T);
    switch (nb - j) {
    case 5: scores_16xK(a, b + j, 5, s + j * T); break;
    case 4: scores_16xK(a, b + j, 4, s + j * T); break;
    case 3: scores_16xK(a, b + j, 3, s + j * T); break;
    case 2: scores_16xK(a, b + j, 2, s + j * T); break;
    case 1: scores_16xK(a, b + j, 1, s + j * T); break;
    default: break;
    }
    // online softmax, lane by lane as the twin; keys a lane does not see score −inf
    const __m256 scale = _mm256_set1_ps(a->scale), ninf = _mm256_set1_ps(-INFINITY);
    const __m256 lane0 = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), lane1 = _mm256_add_ps(lane0, _mm256_set1_ps(8));
    const __m256 m0 = _mm256_loadu_ps(a->ml), m1 = _mm256_loadu_ps(a->ml + 8);
    __m256 mx0 = m0, mx1 = m1;
    for (j = 0; j < nb; j++) {
        __m256 x0 = _mm256_mul_ps(_mm256_loadu_ps(s + j * T), scale), x1 = _mm256_mul_ps(_mm256_loadu_ps(s + j * T + 8), scale);
        const int64_t first = b + j - a->vis + 1;  // the first lane that sees key b + j
        if (first > 0) {
            const __m256 f = _mm256_set1_ps((float)first);
            x0 = _mm256_blendv_ps(x0, ninf, _mm256_cmp_ps(lane0, f, _CMP_LT_OQ));
            x1 = _mm256_blendv_ps(x1, ninf, _mm256_cmp_ps(lane1, f, _CMP_LT_OQ));
        }
        _mm256_storeu_ps(s + j * T, x0); _mm256_storeu_ps(s + j * T + 8, x1);
        mx0 = _mm256_max_ps(x0, mx0);  // a NaN score is passed over, as the twin's comparison does
        mx1 = _mm256_max_ps(x1, mx1);
    }
    const __m256 al0 = ck_v_expf_avx2(_mm256_sub_ps(m0, mx0)), al1 = ck_v_expf_avx2(_mm256_sub_ps(m1, mx1));
    __m256 sum0 = _mm256_setzero_ps(), sum1 = _mm256_setzero_ps();
    for (j = 0; j < nb; j++) {
        const __m256 p0 = ck_v_expf_avx2(_mm256_sub_ps(_mm256_loadu_ps(s + j * T), mx0));
        const __m256 p1 = ck_v_expf_avx2(_mm256_sub_ps(_mm256_loadu_ps(s + j * T + 8), mx1));
        _mm256_storeu_ps(s + j * T, p0); _mm256_storeu_ps(s + j * T + 8, p1);
        sum0 = _mm256_add_ps(sum0, p0); sum1 = _mm256_add_ps(sum1, p1);
    }
    float *l = a->ml + T;
    _mm256_storeu_ps(l, _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(l), al0), sum0));
    _mm256_storeu_ps(l + 8, _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(l + 8), al1), sum1));
    _mm256_storeu_ps(a->ml, mx0); _mm256_storeu_ps(a->ml + 8, mx1);
    const __m256 one = _mm256_set1_ps(1.0f);
    if (_mm256_movemask_ps(_mm256_and_ps(_mm256_cmp_ps(al0, one, _CMP_EQ_OQ), _mm256_cmp_ps(al1, one, _CMP_EQ_OQ))) != 0xFF)
        for (int d = 0; d < a->dv; d++) {
            _mm256_storeu_ps(a->ot + d * T, _mm256_mul_ps(_mm256_loadu_ps(a->ot + d * T), al0));
            _mm256_storeu_ps(a->ot + d * T + 8, _mm256_mul_ps(_mm256_loadu_ps(a->ot + d * T + 8), al1));
        }
    const float *v = a->v + b * a->ldv;
    int d = 0;
    for (; d + 6 <= a->dv; d += 6) pv_16xD(a->ot + d * T, s, v + d, a->ldv, nb, 6);
    switch (a->dv - d) {
    case 5: pv_16xD(a->ot + d * T, s, v + d, a->ldv, nb, 5); break;
    case 4: pv_16xD(a->ot + d * T, s, v + d, a->ldv, nb, 4); break;
    case 3: pv_16xD(a->ot + d * T, s, v + d, a->ldv, nb, 3); break;
    case 2: pv_16xD(a->ot + d * T, s, v + d, a->ldv, nb, 2); break;
    case 1: pv_16xD(a->ot + d * T, s, v + d, a->ldv, nb, 1); break;
    default: break;
    }
}
#endif

void ck_xattn_tile(int kernel, const float *qt, int dn, int dr, const float *kn, int64_t ldk, const float *kr, int64_t ldr,
                   const float *v, int64_t ldv, int dv, int64_t nk, int64_t vis, float scale, float *ot, float *ml, float *s) {
    const xattn_args a = { qt, dn, dr, kn, ldk, kr, ldr, v, ldv, dv, vis, scale, ot, ml, s };
    if (nk > vis + T - 1) nk = vis + T - 1;  // past the last lane's last key
#if defined(__x86_64__)
    const int simd = kernel != CK_MLA_SCALAR && (ck_cpu_features() & (CK_AVX2 | CK_AVX512));
#else
    const int simd = 0;
    (void)kernel;
#endif
    for (int64_t b = 0; b < nk; b += XB) {
        const int nb = (int)(nk - b < XB ? nk - b : XB);
#if defined(__x86_64__)
        if (simd) { block_avx2(&a, b, nb); continue; }
#endif
        block_scalar(&a, b, nb);
    }
}

void ck_xattn_start(float *ot, float *ml, int dv) {
    memset(ot, 0, sizeof(float) * (size_t)dv * T);
    for (int t = 0; t < T; t++) { ml[t] = -INFINITY; ml[T + t] = 0; }
}

void ck_xattn_pack(const float *q, int64_t ldq, int nq, int width, float *qt) {
    for (int d = 0; d < width; d++)
        for (int t = 0; t < T; t++) qt[d * T + t] = t < nq ? q[t * ldq + d] : 0.0f;
}

void ck_xattn_finish(const float *ot, const float *ml, int dv, int nq, float *out, int64_t ldo) {
    for (int t = 0; t < nq; t++) {
        const float inv = 1.0f / ml[T + t];
        for (int d = 0; d < dv; d++) out[t * ldo + d] = ot[d * T + t] * inv;
    }
}
