// Attention over a latent cache shared by all heads (deepseek2 MLA): query row r's scores are q[r]·k[j] over the
// cache rows and its values the first vw columns of the same rows. Flash-style: the keys are read CK_MLA_BLOCK at a
// time for all query rows (scores of the block, online softmax, O += P·V), so there is no (rows, keys) buffer and
// each key is loaded once per block of rows. One decoded token: its heads are the rows and the keys are split into
// parts run on different threads, combined by ck_mla_merge. A prompt batch: a few tokens × all heads are the rows,
// each token seeing the keys up to its own position (causal). The AVX2+FMA kernel and its scalar twin run the same
// steps; only the order of the dot products' and the softmax's sums differs. Keys in f32, IEEE f16, or q8_0 (ggml's
// blocks of 32: an f16 scale and 32 int8; a row of `stride` numbers is ceil(stride / 32) blocks, the last one padded):
// the SIMD kernel widens a block of 64 q8_0 keys into f32 once (for all rows, the scores and the values) and runs the
// f32 steps on it; the twin reads each number as d · q. Both see the same numbers: d · q is exact in f32. The same
// loop on AMX tiles is mla_attention_amx.c; ck_mla_part runs the kernel the engine chose (ck_mla_kernel).
#include <math.h>
#include <string.h>
#include "CKernels.h"
#include "mla.h"
#include "simd.h"
#include "vexpf.h"

/// Element c of key row j as f32.
static inline float key_at(const mla_rows *a, int64_t j, int c) {
    const char *p = mla_key_at(a, j, c);
    switch (a->type) {
    case CK_KV_F16: return ck_fp16_to_fp32(*(const uint16_t *)p);
    case CK_KV_Q8_0: {
        uint16_t d; memcpy(&d, p, 2);
        return ck_fp16_to_fp32(d) * (float)(int8_t)p[2 + c % 32];
    }
    default: return *(const float *)p;
    }
}

/// Online softmax of one block of nb keys starting at key b for rows r0 ..< nrows: s (nrows, CK_MLA_BLOCK) raw scores
/// become p = exp(scale·s − m), 0 past a row's last key; m, l (nrows) the running max and sum; alpha the factor the
/// row's earlier output must be scaled by.
static void block_softmax(const mla_rows *a, float *s, int r0, int64_t b, int nb, float scale, float *m, float *l,
                          float *alpha, int simd);

/// o (nrows, vw) *= alpha[r] for rows r0 … where it is not 1.
static void rescale(float *o, int r0, int nrows, int vw, const float *alpha) {
    for (int r = r0; r < nrows; r++) {
        if (alpha[r] == 1.0f) continue;
        float *x = o + (size_t)r * vw;
        for (int d = 0; d < vw; d++) x[d] *= alpha[r];
    }
}

/// No key seen yet: m = −inf, l = 0 and o = 0 for every row.
static void start_part(const mla_rows *a, float *o, float *ml) {
    for (int r = 0; r < a->nrows; r++) { ml[r] = -INFINITY; ml[a->nrows + r] = 0; }
    memset(o, 0, sizeof(float) * (size_t)a->nrows * a->vw);
}

static void part_scalar(const mla_rows *a, int64_t j0, int64_t j1, float scale, float *o, float *ml, float *s) {
    const int nrows = a->nrows, kw = a->kw, vw = a->vw;
    float *m = ml, *l = ml + nrows, alpha[nrows];
    start_part(a, o, ml);
    for (int64_t b = j0; b < j1; b += CK_MLA_BLOCK) {
        const int nb = (int)(j1 - b < CK_MLA_BLOCK ? j1 - b : CK_MLA_BLOCK), r0 = mla_first_row(a, b);
        for (int r = r0; r < nrows; r++)
            for (int j = 0; j < nb; j++) {
                const float *qr = a->q + (size_t)r * kw;
                float acc = 0;
                for (int c = 0; c < kw; c++) acc = fmaf(qr[c], key_at(a, b + j, c), acc);
                s[r * CK_MLA_BLOCK + j] = acc;
            }
        block_softmax(a, s, r0, b, nb, scale, m, l, alpha, 0);
        rescale(o, r0, nrows, vw, alpha);
        for (int j = 0; j < nb; j++) {
            for (int r = r0; r < nrows; r++) {
                const float p = s[r * CK_MLA_BLOCK + j];
                float *x = o + (size_t)r * vw;
                for (int d = 0; d < vw; d++) x[d] = fmaf(p, key_at(a, b + j, d), x[d]);
            }
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#include "hsum_avx2.h"
#define AVX2 __attribute__((target("avx2,fma,f16c")))

/// 8 floats of a key row at element index i: f32, or f16 widened.
AVX2 static inline __attribute__((always_inline)) __m256 load8(const void *k, int64_t i, const int F16) {
    return F16 ? _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)k + i))) : _mm256_loadu_ps((const float *)k + i);
}

/// Scores of keys k0, k1 against H (1…5) query rows (kw apart): s[h·CK_MLA_BLOCK] and s[h·CK_MLA_BLOCK + 1].
/// 2H accumulators, 2 + H loads per 2H FMAs: bound by the two FMA pipes.
AVX2 static inline __attribute__((always_inline)) void scores_2xH(const void *k0, const void *k1, const float *q, int kw,
                                                                  const int H, const int F16, float *s) {
    __m256 a0[5], a1[5];
    for (int h = 0; h < H; h++) { a0[h] = _mm256_setzero_ps(); a1[h] = _mm256_setzero_ps(); }
    for (int c = 0; c < kw; c += 8) {
        const __m256 x0 = load8(k0, c, F16), x1 = load8(k1, c, F16);
        for (int h = 0; h < H; h++) {
            const __m256 y = _mm256_loadu_ps(q + (size_t)h * kw + c);
            a0[h] = _mm256_fmadd_ps(x0, y, a0[h]);
            a1[h] = _mm256_fmadd_ps(x1, y, a1[h]);
        }
    }
    for (int h = 0; h < H; h++) { s[h * CK_MLA_BLOCK] = hsum8(a0[h]); s[h * CK_MLA_BLOCK + 1] = hsum8(a1[h]); }
}

/// o (H rows vw apart)[0 … 16) += Σ_j p[h][j] · v_j[0 …] over nb keys: 2H accumulators.
AVX2 static inline __attribute__((always_inline)) void pv_Hx16(float *o, int vw, const float *p, const void *v,
                                                               int64_t stride, int nb, const int H, const int F16) {
    __m256 a0[5], a1[5];
    for (int h = 0; h < H; h++) { a0[h] = _mm256_loadu_ps(o + (size_t)h * vw); a1[h] = _mm256_loadu_ps(o + (size_t)h * vw + 8); }
    for (int j = 0; j < nb; j++) {
        const __m256 v0 = load8(v, j * stride, F16), v1 = load8(v, j * stride + 8, F16);
        for (int h = 0; h < H; h++) {
            const __m256 w = _mm256_broadcast_ss(p + h * CK_MLA_BLOCK + j);
            a0[h] = _mm256_fmadd_ps(w, v0, a0[h]);
            a1[h] = _mm256_fmadd_ps(w, v1, a1[h]);
        }
    }
    for (int h = 0; h < H; h++) { _mm256_storeu_ps(o + (size_t)h * vw, a0[h]); _mm256_storeu_ps(o + (size_t)h * vw + 8, a1[h]); }
}

/// x[j] *= scale for whole groups of 8 of the nb, *mx the largest of them (−inf if none); returns how many.
AVX2 static int scale_max_avx2(float *x, int nb, float scale, float *mx) {
    __m256 m = _mm256_set1_ps(-INFINITY);
    int j = 0;
    for (; j + 8 <= nb; j += 8) {
        const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + j), _mm256_set1_ps(scale));
        _mm256_storeu_ps(x + j, v);
        m = _mm256_max_ps(v, m);  // a NaN score is passed over, as the twin's comparison does
    }
    *mx = hmax8(m);
    return j;
}

/// x[j] = exp(x[j] − mn) for whole groups of 8 of the nb (the same bits as ck_v_expf1 per lane); returns how many.
AVX2 static int exp_avx2(float *x, int nb, float mn) {
    int j = 0;
    for (; j + 8 <= nb; j += 8) _mm256_storeu_ps(x + j, ck_v_expf_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_set1_ps(mn))));
    return j;
}

/// *sum = Σ x[j] over whole groups of 8 of the nb, in 8 lanes; returns how many.
AVX2 static int sum_avx2(const float *x, int nb, float *sum) {
    __m256 acc = _mm256_setzero_ps();
    int j = 0;
    for (; j + 8 <= nb; j += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(x + j));
    *sum = hsum8(acc);
    return j;
}

/// dst (nb, kwp) = the nb q8_0 key rows from key b widened to f32, kwp = kw rounded up to whole blocks.
AVX2 static void widen_q8_0(const mla_rows *a, int64_t b, int nb, int kwp, float *dst) {
    const int64_t row = (a->stride + 31) / 32 * CK_Q8_BLOCK_BYTES;
    for (int j = 0; j < nb; j++) {
        const uint8_t *blk = (const uint8_t *)a->keys + (b + j) * row;
        float *x = dst + (size_t)j * kwp;
        for (int c = 0; c < kwp; c += 32, blk += CK_Q8_BLOCK_BYTES) {
            uint16_t dh; memcpy(&dh, blk, 2);
            const __m256 d = _mm256_set1_ps(ck_fp16_to_fp32(dh));
            for (int k = 0; k < 32; k += 8) {
                const __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(blk + 2 + k)));
                _mm256_storeu_ps(x + c + k, _mm256_mul_ps(_mm256_cvtepi32_ps(q), d));
            }
        }
    }
}

/// The block of nb keys from key b for rows r0 …: scores, online softmax, O += P·V. keys: key b's row, rows `stride`
/// numbers apart, f32 or f16 (F16).
AVX2 static inline __attribute__((always_inline)) void block_avx2(const mla_rows *a, const char *keys, int64_t stride,
                                                                  int64_t b, int nb, int r0, float scale, float *o,
                                                                  float *m, float *l, float *alpha, float *s, const int F16) {
    const size_t es = F16 ? 2 : 4;  // bytes per cache element
    const int nrows = a->nrows, kw = a->kw, vw = a->vw;
    for (int h0 = r0; h0 < nrows; h0 += 5) {  // the group's query rows stay in L1 over the block's keys
        const int H = nrows - h0 < 5 ? nrows - h0 : 5;
        const float *qh = a->q + (size_t)h0 * kw;
        for (int j = 0; j < nb; j += 2) {
            const char *k0 = keys + (size_t)j * stride * es;
            const char *k1 = j + 1 < nb ? k0 + stride * es : k0;  // a lone last key twice
            float pair[5 * CK_MLA_BLOCK];
            float *dst = j + 1 < nb ? s + h0 * CK_MLA_BLOCK + j : pair;
            switch (H) {
            case 5: scores_2xH(k0, k1, qh, kw, 5, F16, dst); break;
            case 4: scores_2xH(k0, k1, qh, kw, 4, F16, dst); break;
            case 3: scores_2xH(k0, k1, qh, kw, 3, F16, dst); break;
            case 2: scores_2xH(k0, k1, qh, kw, 2, F16, dst); break;
            default: scores_2xH(k0, k1, qh, kw, 1, F16, dst); break;
            }
            if (dst == pair) for (int h = 0; h < H; h++) s[(h0 + h) * CK_MLA_BLOCK + j] = pair[h * CK_MLA_BLOCK];
        }
    }
    block_softmax(a, s, r0, b, nb, scale, m, l, alpha, 1);
    rescale(o, r0, nrows, vw, alpha);
    // P·V, each column chunk asking for its share of the next block's keys (else the scores wait on memory)
    const int64_t next = mla_next_block_bytes(a, b), share = (next / 64 + vw / 16 - 1) / (vw / 16) * 64;
    for (int d = 0; d < vw; d += 16) {
        const int64_t at = d / 16 * share;
        if (at < next) mla_prefetch_keys(a, b + CK_MLA_BLOCK, at, at + share < next ? at + share : next);
        for (int h0 = r0; h0 < nrows; h0 += 5) {
            const int H = nrows - h0 < 5 ? nrows - h0 : 5;
            float *oh = o + (size_t)h0 * vw + d;
            const float *p = s + h0 * CK_MLA_BLOCK;
            switch (H) {
            case 5: pv_Hx16(oh, vw, p, keys + d * es, stride, nb, 5, F16); break;
            case 4: pv_Hx16(oh, vw, p, keys + d * es, stride, nb, 4, F16); break;
            case 3: pv_Hx16(oh, vw, p, keys + d * es, stride, nb, 3, F16); break;
            case 2: pv_Hx16(oh, vw, p, keys + d * es, stride, nb, 2, F16); break;
            default: pv_Hx16(oh, vw, p, keys + d * es, stride, nb, 1, F16); break;
            }
        }
    }
}

/// deq: CK_MLA_BLOCK rows of kw rounded up to 32 floats of scratch (q8_0 keys only).
AVX2 static void part_avx2(const mla_rows *a, int64_t j0, int64_t j1, float scale, float *o, float *ml, float *s, float *deq) {
    const int nrows = a->nrows, kwp = (a->kw + 31) / 32 * 32;
    float *m = ml, *l = ml + nrows, alpha[nrows];
    start_part(a, o, ml);
    for (int64_t b = j0; b < j1; b += CK_MLA_BLOCK) {
        const int nb = (int)(j1 - b < CK_MLA_BLOCK ? j1 - b : CK_MLA_BLOCK), r0 = mla_first_row(a, b);
        switch (a->type) {
        case CK_KV_F16:
            block_avx2(a, (const char *)a->keys + (size_t)b * a->stride * 2, a->stride, b, nb, r0, scale, o, m, l, alpha, s, 1);
            break;
        case CK_KV_Q8_0:
            widen_q8_0(a, b, nb, kwp, deq);
            block_avx2(a, (const char *)deq, kwp, b, nb, r0, scale, o, m, l, alpha, s, 0);
            break;
        default:
            block_avx2(a, (const char *)a->keys + (size_t)b * a->stride * 4, a->stride, b, nb, r0, scale, o, m, l, alpha, s, 0);
            break;
        }
    }
}
#else
static int scale_max_avx2(float *x, int nb, float scale, float *mx) { (void)x; (void)nb; (void)scale; *mx = -INFINITY; return 0; }
static int exp_avx2(float *x, int nb, float mn) { (void)x; (void)nb; (void)mn; return 0; }
static int sum_avx2(const float *x, int nb, float *sum) { (void)x; (void)nb; *sum = 0; return 0; }
#endif

static void block_softmax(const mla_rows *a, float *s, int r0, int64_t b, int nb, float scale, float *m, float *l,
                          float *alpha, int simd) {
    for (int r = r0; r < a->nrows; r++) {
        float *x = s + r * CK_MLA_BLOCK, mb = -INFINITY, sum = 0;
        const int64_t left = mla_row_len(a, r) - b;
        const int valid = left < nb ? (int)left : nb;  // ≥ 1: row r sees key b
        int j = simd ? scale_max_avx2(x, valid, scale, &mb) : 0;
        for (; j < valid; j++) { x[j] *= scale; if (x[j] > mb) mb = x[j]; }
        const float mn = mb > m[r] ? mb : m[r];
        alpha[r] = m[r] == mn ? 1.0f : ck_v_expf1(m[r] - mn);
        j = simd ? exp_avx2(x, valid, mn) : 0;
        for (; j < valid; j++) x[j] = ck_v_expf1(x[j] - mn);
        j = simd ? sum_avx2(x, valid, &sum) : 0;
        for (; j < valid; j++) sum += x[j];
        for (; j < nb; j++) x[j] = 0;  // keys after the row's own position
        l[r] = l[r] * alpha[r] + sum;
        m[r] = mn;
    }
}

/// This thread's scratch for widened q8_0 keys (the pool's threads live as long as the process).
static _Thread_local void *deq_buf;
static _Thread_local size_t deq_cap;

int ck_mla_kernel(const ck_options *o) {
    const uint32_t f = ck_cpu_features();
    if (o && o->family == CK_FAMILY_SCALAR) return CK_MLA_SCALAR;
    if ((!o || (o->amx && o->family != CK_FAMILY_AVX2)) && (f & CK_AMX_BF16)) return CK_MLA_AMX;
    return f & (CK_AVX2 | CK_AVX512) ? CK_MLA_AVX2 : CK_MLA_SCALAR;
}

const char *ck_mla_kernel_name(int kernel) {
    return kernel == CK_MLA_AMX ? "amx-bf16 tiles" : kernel == CK_MLA_AVX2 ? "avx2 flash" : "scalar flash";
}

int ck_mla_batch_tokens(int kernel) { return kernel == CK_MLA_AMX ? 16 : 2; }

void ck_mla_part(int kernel, const float *q, int nrows, int per, int kw, int vw, const void *keys, int keys_type,
                 int64_t stride, int64_t len0, int64_t j0, int64_t j1, float scale, float *o, float *ml, float *s) {
    const mla_rows a = { q, nrows, per < 1 ? nrows : per, kw, vw, keys, keys_type, stride, len0 };
    const int64_t last = mla_row_len(&a, nrows - 1);
    if (j1 > last) j1 = last;
    const uint32_t f = ck_cpu_features();
    // Tiles for f16 and q8_0 keys (their 11 or fewer significant bits are exact in bf16 hi + lo); an f32 cache is the
    // choice of full f32 products, so it keeps the AVX2 kernel.
    if (kernel == CK_MLA_AMX && keys_type != CK_KV_F32 && (f & CK_AMX_BF16) && ck_mla_part_amx(&a, j0, j1, scale, o, ml) == 0) return;
#if defined(__x86_64__)
    if (kernel != CK_MLA_SCALAR && (f & (CK_AVX2 | CK_AVX512)) && kw % 8 == 0 && vw % 16 == 0) {
        float *deq = NULL;
        if (keys_type == CK_KV_Q8_0)
            deq = ck_grow_buffer(&deq_buf, &deq_cap, sizeof(float) * CK_MLA_BLOCK * (size_t)((kw + 31) / 32 * 32), 1 << 16);
        if (keys_type != CK_KV_Q8_0 || deq) { part_avx2(&a, j0, j1, scale, o, ml, s, deq); return; }
    }
#endif
    part_scalar(&a, j0, j1, scale, o, ml, s);
}

void ck_mla_merge(int nrows, int vw, int parts, const float *o, const float *ml, float *out) {
    for (int r = 0; r < nrows; r++) {
        float mx = -INFINITY;
        for (int p = 0; p < parts; p++) { const float mp = ml[(size_t)p * 2 * nrows + r]; if (mp > mx) mx = mp; }
        float wsum = 0, w[parts];
        for (int p = 0; p < parts; p++) {
            const float *mlp = ml + (size_t)p * 2 * nrows;
            w[p] = mlp[r] == -INFINITY ? 0.0f : ck_v_expf1(mlp[r] - mx);
            wsum += w[p] * mlp[nrows + r];
        }
        float *x = out + (size_t)r * vw;
        for (int p = 0; p < parts; p++) w[p] /= wsum;
        for (int d = 0; d < vw; d++) x[d] = w[0] * o[(size_t)r * vw + d];
        for (int p = 1; p < parts; p++) {
            const float *op = o + ((size_t)p * nrows + r) * vw;
            for (int d = 0; d < vw; d++) x[d] += w[p] * op[d];
        }
    }
}
