// OpenBLAS (cblas_sgemm / cblas_sbgemm) against glmchat's own kernels on the same work, side by side in one process:
// (attn) MLA attention over a latent cache, scores = Q(rows, 576)·Kᵀ and out = P(rows, keys)·V(keys, 512) with an
// online softmax per key block, vs ck_mla_part; (gemm) prefill weight GEMMs Y(tokens, out) = X(tokens, in)·Wᵀ at
// GLM-4.7-Flash's shapes with F32, F16 and BF16 weights, vs ck_matmul_pool. Engines alternate inside every round;
// best of N rounds; GFLOP/s from thread CPU time with one thread, wall time with two. OpenBLAS is opened at run time
// (BLAS_LIB, default libopenblas.so.0) so the same binary uses cblas_sbgemm where the library has it and can compare
// another OpenBLAS build. Built and run by Tools/bench/blas_bench.sh. Usage: blas_bench [attn|gemm|all] [ROUNDS]
// [THREADS...]. Environment: BLAS_LIB (path), BLAS_PREFIX (symbol prefix, e.g. scipy_ for scipy-openblas32),
// BENCH_FAMILY (auto | avx2: glmchat's kernel options, avx2 = CK_FAMILY_AVX2 with AMX and GFNI off),
// OPENBLAS_CORETYPE (OpenBLAS's core choice in DYNAMIC_ARCH builds).
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "CKernels.h"
#include "vexpf.h"  // the engine's vector exp (private to CKernels), so both engines pay the same for softmax

// ---- OpenBLAS, looked up by name (CBLAS enum values as in cblas.h) ----
enum { RowMajor = 101, NoTrans = 111, Trans = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*sbgemm_fn)(int, int, int, int, int, int, float, const uint16_t *, int, const uint16_t *, int, float, float *, int);
static sgemm_fn sgemm;
static sbgemm_fn sbgemm;  // NULL where the build has no bfloat16 (BUILD_BFLOAT16)
static void (*blas_threads)(int);
static char *(*blas_config)(void), *(*blas_core)(void);

static void *sym(void *lib, const char *prefix, const char *name) {
    char full[128];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    return dlsym(lib, full);
}

static int open_blas(void) {
    const char *path = getenv("BLAS_LIB"), *prefix = getenv("BLAS_PREFIX");
    if (!path || !*path) path = "libopenblas.so.0";
    if (!prefix) prefix = "";
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "blas_bench: %s\n", dlerror()); return -1; }
    sgemm = (sgemm_fn)sym(lib, prefix, "cblas_sgemm");
    sbgemm = (sbgemm_fn)sym(lib, prefix, "cblas_sbgemm");
    blas_threads = (void (*)(int))sym(lib, prefix, "openblas_set_num_threads");
    blas_config = (char *(*)(void))sym(lib, prefix, "openblas_get_config");
    blas_core = (char *(*)(void))sym(lib, prefix, "openblas_get_corename");
    if (!sgemm || !blas_threads) { fprintf(stderr, "blas_bench: %s has no %scblas_sgemm\n", path, prefix); return -1; }
    return 0;
}

static ck_pool *pool;  // NULL: one thread
static int nthreads = 1;

/// One thread: this thread's CPU time (robust on a shared machine: time spent descheduled is not counted; OpenBLAS
/// then runs in the calling thread). Two: wall time.
static double now(void) {
    struct timespec t;
    clock_gettime(nthreads == 1 ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static uint64_t rs = 88172645463325252ull;
static float frand(void) {  // uniform in (-1, 1)
    rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
    return (float)((rs >> 11) * (1.0 / 9007199254740992.0)) * 2 - 1;
}
static void *xalloc(size_t bytes) {
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p) { fprintf(stderr, "blas_bench: out of memory\n"); exit(1); }
    return p;
}
static double maxrel(const float *a, const float *b, size_t n) {  // max |a − b| / max |b|
    double d = 0, m = 0;
    for (size_t i = 0; i < n; i++) { d = fmax(d, fabs((double)a[i] - b[i])); m = fmax(m, fabs((double)b[i])); }
    return m > 0 ? d / m : d;
}

// ---- (attn) MLA attention: GLM-4.7-Flash's 576-wide latent rows, the first 512 of them the values ----
enum { KW = 576, VW = 512, HEADS = 20 };

/// One part of the keys [j0, j1) for all rows with OpenBLAS, the same contract as ck_mla_part (o unnormalized, ml =
/// the max and the sum): per block of nb keys S = Q·K_bᵀ, online softmax (the engine's vector exp), O = α·O + P·V_b.
/// kb: q and keys as bf16 and P rounded to bf16 for sbgemm; kh: keys in f16, each block widened to f32 once (F16C)
/// for sgemm; else keys in f32. s: scratch, (rows, block) floats, the same again for P in bf16, (block, 576) widened.
typedef struct {
    const float *q; const uint16_t *qb; int rows; const float *keys; const uint16_t *kb, *kh; int64_t j0, j1; int block;
    float scale; float *o, *ml, *s;
} blas_part;

__attribute__((target("avx2,f16c"))) static void widen_f16(const uint16_t *h, float *x, size_t n) {
    for (size_t i = 0; i < n; i += 8) _mm256_storeu_ps(x + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + i))));
}

/// Online softmax of one block: s (rows, nb) raw scores become p = exp(scale·s − m) with the running max m and sum l;
/// o's rows are scaled by exp(m_old − m). The exponential is the engine's own 8-lane one (vexpf.h), as in ck_mla_part.
__attribute__((target("avx2,fma"))) static void softmax_block(float *s, int rows, int nb, float scale, float *m, float *l, float *o) {
    for (int r = 0; r < rows; r++) {
        float *x = s + (size_t)r * nb, mb = -INFINITY;
        for (int j = 0; j < nb; j++) { x[j] *= scale; mb = x[j] > mb ? x[j] : mb; }
        const float mn = mb > m[r] ? mb : m[r], alpha = m[r] == mn ? 1.0f : ck_v_expf1(m[r] - mn);
        __m256 acc = _mm256_setzero_ps();
        int j = 0;
        for (; j + 8 <= nb; j += 8) {
            const __m256 e = ck_v_expf_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_set1_ps(mn)));
            _mm256_storeu_ps(x + j, e);
            acc = _mm256_add_ps(acc, e);
        }
        float lanes[8], sum = 0;
        _mm256_storeu_ps(lanes, acc);
        for (int k = 0; k < 8; k++) sum += lanes[k];
        for (; j < nb; j++) { x[j] = ck_v_expf1(x[j] - mn); sum += x[j]; }
        if (alpha != 1.0f) for (int d = 0; d < VW; d++) o[(size_t)r * VW + d] *= alpha;
        l[r] = l[r] * alpha + sum;
        m[r] = mn;
    }
}

static void run_blas_part(const blas_part *t) {
    const int rows = t->rows;
    float *m = t->ml, *l = t->ml + rows;
    for (int r = 0; r < rows; r++) { m[r] = -INFINITY; l[r] = 0; }
    memset(t->o, 0, sizeof(float) * (size_t)rows * VW);
    uint16_t *sb = (uint16_t *)(t->s + (size_t)rows * t->block);
    float *wide = t->s + (size_t)rows * t->block * 3 / 2 + 16;
    for (int64_t b = t->j0; b < t->j1; b += t->block) {
        const int nb = (int)(t->j1 - b < t->block ? t->j1 - b : t->block);
        const float *kf = t->keys + b * KW;
        if (t->kh) { widen_f16(t->kh + b * KW, wide, (size_t)nb * KW); kf = wide; }
        if (t->kb) sbgemm(RowMajor, NoTrans, Trans, rows, nb, KW, 1.0f, t->qb, KW, t->kb + b * KW, KW, 0.0f, t->s, nb);
        else sgemm(RowMajor, NoTrans, Trans, rows, nb, KW, 1.0f, t->q, KW, kf, KW, 0.0f, t->s, nb);
        softmax_block(t->s, rows, nb, t->scale, m, l, t->o);
        if (t->kb) {
            for (size_t i = 0; i < (size_t)rows * nb; i++) sb[i] = ck_fp32_to_bf16(t->s[i]);
            sbgemm(RowMajor, NoTrans, NoTrans, rows, VW, nb, 1.0f, sb, nb, t->kb + b * KW, KW, 1.0f, t->o, VW);
        } else sgemm(RowMajor, NoTrans, NoTrans, rows, VW, nb, 1.0f, t->s, nb, kf, KW, 1.0f, t->o, VW);
    }
}

/// glmchat's kernel options (BENCH_FAMILY), set once in main.
static ck_options options;

/// One attention (rows over len keys) split into nthreads parts of the keys, merged: engine 0 glmchat f16 cache,
/// 1 glmchat f32 cache, 2 OpenBLAS sgemm (f32 cache), 3 OpenBLAS sbgemm (bf16 cache), 4 sgemm on the f16 cache.
typedef struct {
    int engine, rows, block; int64_t len; float scale;
    const float *q, *kf; const uint16_t *qb, *kh, *kb;
    float *o, *ml, *s[2], *out;  // o (parts, rows, VW), ml (parts, 2, rows), s per part
} attn_job;

static void attn_chunk(void *ctx, int64_t b, int64_t e) {
    const attn_job *a = ctx;
    for (int64_t p = b; p < e; p++) {
        const int64_t j0 = a->len * p / nthreads, j1 = a->len * (p + 1) / nthreads;
        float *o = a->o + (size_t)p * a->rows * VW, *ml = a->ml + (size_t)p * 2 * a->rows;
        if (a->engine <= 1)  // every row sees all len keys (len0 = len), so both engines do the same work
            ck_mla_part(ck_mla_kernel(&options), a->q, a->rows, HEADS, KW, VW, a->engine == 0 ? (const void *)a->kh : a->kf,
                        a->engine == 0 ? CK_KV_F16 : CK_KV_F32, KW, a->len, j0, j1, a->scale, o, ml, a->s[p]);
        else {
            const blas_part t = { a->q, a->qb, a->rows, a->kf, a->engine == 3 ? a->kb : NULL, a->engine == 4 ? a->kh : NULL,
                                  j0, j1, a->block, a->scale, o, ml, a->s[p] };
            run_blas_part(&t);
        }
    }
}

static double run_attn(attn_job *a) {
    const double t0 = now();
    if (pool) ck_pool_run(pool, nthreads, attn_chunk, a); else attn_chunk(a, 0, 1);
    ck_mla_merge(a->rows, VW, nthreads, a->o, a->ml, a->out);
    return now() - t0;
}

static void bench_attn(int rounds) {
    static const int tokens[] = { 1, 2, 4, 8, 16 };
    static const int64_t lens[] = { 1024, 8192 };
    static const int blocks[] = { 64, 256, 1024, 8192 };
    enum { NB = 4 };
    const int64_t maxlen = 8192, maxrows = 16 * HEADS;
    float *kf = xalloc(sizeof(float) * maxlen * KW), *q = xalloc(sizeof(float) * maxrows * KW);
    uint16_t *kh = xalloc(2 * maxlen * KW), *kb = xalloc(2 * maxlen * KW), *qb = xalloc(2 * maxrows * KW);
    for (int64_t i = 0; i < maxlen * KW; i++) {
        kf[i] = frand();
        kh[i] = ck_fp32_to_fp16(kf[i]);
        kf[i] = ck_fp16_to_fp32(kh[i]);  // all engines see the same numbers (f16 and bf16 rounding aside)
        kb[i] = ck_fp32_to_bf16(kf[i]);
    }
    for (int64_t i = 0; i < maxrows * KW; i++) { q[i] = frand() * 0.5f; qb[i] = ck_fp32_to_bf16(q[i]); }
    float *o = xalloc(sizeof(float) * 2 * maxrows * VW), *ml = xalloc(sizeof(float) * 4 * maxrows);
    // The engines of one round, in order: glmchat f16, glmchat f32, sgemm per block size, sgemm on the f16 cache
    // (B = 256), sbgemm per block size (where the library has it).
    enum { NE = 3 + 2 * NB, F16B = 256 };
    float *outs[NE];
    for (int e = 0; e < NE; e++) outs[e] = xalloc(sizeof(float) * maxrows * VW);
    float *s[2];
    for (int p = 0; p < 2; p++) s[p] = xalloc(sizeof(float) * (maxrows * 8192 * 3 / 2 + 16 + F16B * KW));
    printf("\n(attn) MLA attention, %d thread%s: GFLOP/s of scores + PV (2·rows·keys·(576 + 512)), best of %d;\n"
           "  glmchat = ck_mla_part (its own 64-key blocks) on an f16 / f32 cache; OpenBLAS = cblas_sgemm on an f32 cache\n"
           "  per key block B, and on the f16 cache with each block widened to f32 once (B = %d)%s; online softmax\n"
           "  between the two GEMMs; keys split over the threads, merged by ck_mla_merge.\n",
           nthreads, nthreads > 1 ? "s" : "", rounds, F16B, sbgemm ? "; cblas_sbgemm on a bf16 cache (P rounded to bf16)" : "");
    printf("| rows (tokens×20) | keys | glmchat f16 | glmchat f32 |");
    for (int b = 0; b < NB; b++) printf(" sgemm B=%d |", blocks[b]);
    printf(" sgemm f16 cache |");
    if (sbgemm) for (int b = 0; b < NB; b++) printf(" sbgemm B=%d |", blocks[b]);
    printf(" best OpenBLAS / best glmchat | max rel diff |\n|---|---|---|---|");
    for (int b = 0; b < NB * (sbgemm ? 2 : 1) + 3; b++) printf("---|");
    printf("\n");
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++)
        for (size_t ti = 0; ti < sizeof tokens / sizeof *tokens; ti++) {
            const int rows = tokens[ti] * HEADS;
            const int64_t len = lens[li];
            double best[NE];
            for (int e = 0; e < NE; e++) best[e] = 1e30;
            for (int r = 0; r < rounds; r++)
                for (int e = 0; e < NE; e++) {
                    const int engine = e < 2 ? e : e < 2 + NB ? 2 : e == 2 + NB ? 4 : 3;
                    const int block = e < 2 ? 64 : engine == 4 ? F16B : blocks[(e - 2) % (NB + 1)];
                    if (engine == 3 && !sbgemm) continue;
                    if (engine >= 2 && (block > len || (block == 8192 && len < 8192))) continue;
                    attn_job a = { engine, rows, block, len, 0.0625f, q, kf, qb, kh, kb, o, ml, { s[0], s[1] }, outs[e] };
                    const double t = run_attn(&a);
                    if (t < best[e]) best[e] = t;
                }
            const double flop = 2.0 * rows * len * (KW + VW);
            double bg = fmin(best[0], best[1]), bb = 1e30, diff = 0;
            printf("| %d (%d×20) | %lld | %.1f | %.1f |", rows, tokens[ti], (long long)len, flop / best[0] / 1e9, flop / best[1] / 1e9);
            for (int e = 2; e < (sbgemm ? NE : 3 + NB); e++) {
                if (best[e] >= 1e30) { printf(" – |"); continue; }
                printf(" %.1f |", flop / best[e] / 1e9);
                bb = fmin(bb, best[e]);
                diff = fmax(diff, maxrel(outs[e], outs[1], (size_t)rows * VW));
            }
            printf(" **%.2f** | %.1e |\n", bg / bb, diff);
            fflush(stdout);
        }
    free(kf); free(q); free(kh); free(kb); free(qb); free(o); free(ml);
    for (int e = 0; e < NE; e++) free(outs[e]);
    free(s[0]); free(s[1]);
}

// ---- (gemm) prefill weight GEMMs: Y(nt, out) = X(nt, in) · W(out, in)ᵀ ----

/// Weight rows widened to f32 at a time by the "widened" engine (F16/BF16 weights kept in their type, no f32 copy).
enum { WIDEN_ROWS = 256 };

/// One OpenBLAS product: x (nt, in) f32, xb the same in bf16; weights as w32 (out, in) f32, or wb (out, in) bf16 for
/// sbgemm, or wh (out, in) of htype (F16 / BF16) widened WIDEN_ROWS rows at a time into wbuf[part] (WIDEN_ROWS, in).
typedef struct {
    const float *x; const float *w32; const uint16_t *wb, *xb, *wh; uint32_t htype; int in, out, nt; float *y; float *wbuf[2];
} gemm_job;

__attribute__((target("avx2,f16c"))) static void widen_rows(const uint16_t *h, uint32_t type, float *x, size_t n) {
    if (type == CK_F16) { widen_f16(h, x, n); return; }
    for (size_t i = 0; i < n; i += 8)  // bf16: the high half of an f32
        _mm256_storeu_ps(x + i, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(h + i))), 16)));
}

static void blas_rows(void *ctx, int64_t b, int64_t e) {  // output columns of parts [b, e) of nthreads
    const gemm_job *g = ctx;
    for (int64_t p = b; p < e; p++) {
        const int c0 = (int)(g->out * p / nthreads), c1 = (int)(g->out * (p + 1) / nthreads);
        if (g->wb) sbgemm(RowMajor, NoTrans, Trans, g->nt, c1 - c0, g->in, 1.0f, g->xb, g->in, g->wb + (size_t)c0 * g->in, g->in, 0.0f, g->y + c0, g->out);
        else if (g->wh)
            for (int r = c0; r < c1; r += WIDEN_ROWS) {
                const int n = c1 - r < WIDEN_ROWS ? c1 - r : WIDEN_ROWS;
                widen_rows(g->wh + (size_t)r * g->in, g->htype, g->wbuf[p], (size_t)n * g->in);
                sgemm(RowMajor, NoTrans, Trans, g->nt, n, g->in, 1.0f, g->x, g->in, g->wbuf[p], g->in, 0.0f, g->y + r, g->out);
            }
        else sgemm(RowMajor, NoTrans, Trans, g->nt, c1 - c0, g->in, 1.0f, g->x, g->in, g->w32 + (size_t)c0 * g->in, g->in, 0.0f, g->y + c0, g->out);
    }
}

static void bench_gemm(int rounds) {
    // in × out: expert gate/up, expert down, q_a, q_b, attn output, and the MoE router (F32 in the Q4_K_M file too)
    static const int shapes[][2] = { { 2048, 1536 }, { 1536, 2048 }, { 2048, 768 }, { 768, 5120 }, { 5120, 2048 }, { 2048, 64 } };
    static const int ntok[] = { 32, 512 };
    static const uint32_t types[] = { CK_F32, CK_F16, CK_BF16 };
    static const char *tname[] = { "F32", "F16", "BF16" };
    printf("\n(gemm) prefill weight GEMMs, %d thread%s: GFLOP/s (2·tokens·in·out), best of %d; glmchat = activations\n"
           "  converted to the weight type's dot type + ck_matmul_pool (%s); OpenBLAS = cblas_sgemm on an f32 copy of the\n"
           "  weights made at load (not timed)%s; split = output columns split over glmchat's pool, one OpenBLAS thread each;\n"
           "  own = OpenBLAS's own threads on the whole product; widened = F16/BF16 weights kept, %d rows at a time\n"
           "  widened to f32 per call (timed) for sgemm (split).\n",
           nthreads, nthreads > 1 ? "s" : "", rounds, options.family == CK_FAMILY_AVX2 ? "CK_FAMILY_AVX2, amx 0" : "auto",
           sbgemm ? ", and cblas_sbgemm on the BF16 weights (activations rounded to bf16 per call, timed)" : "", WIDEN_ROWS);
    printf("| weights | in × out | tokens | glmchat kernel | glmchat | sgemm split |%s sgemm widened |%s best OpenBLAS / glmchat |"
           " widened / glmchat | max rel diff |\n", nthreads > 1 ? " sgemm own |" : "", sbgemm ? " sbgemm split |" : "");
    printf("|---|---|---|---|---|---|---|%s%s---|---|---|\n", nthreads > 1 ? "---|" : "", sbgemm ? "---|" : "");
    float *wbuf[2];
    for (int p = 0; p < 2; p++) wbuf[p] = xalloc(sizeof(float) * WIDEN_ROWS * 5120);
    for (int ti = 0; ti < 3; ti++)
        for (size_t si = 0; si < sizeof shapes / sizeof *shapes; si++)
            for (size_t ni = 0; ni < sizeof ntok / sizeof *ntok; ni++) {
                const int in = shapes[si][0], out = shapes[si][1], nt = ntok[ni];
                const uint32_t type = types[ti], dt = (uint32_t)ck_vec_dot_type(type);
                const size_t rb = ck_row_bytes(type, in), xb = ck_row_bytes(dt, in);
                char *w = xalloc(rb * out), *xq = xalloc(xb * nt);
                float *w32 = xalloc(sizeof(float) * in * out), *x = xalloc(sizeof(float) * in * nt);
                uint16_t *wb = type == CK_BF16 ? (uint16_t *)w : NULL, *xbf = xalloc(2 * (size_t)in * nt);
                for (size_t i = 0; i < (size_t)in * out; i++) w32[i] = frand() * 0.05f;
                for (int r = 0; r < out; r++) {  // the weights in their type, and the f32 copy of exactly those numbers
                    ck_quantize_row(type, w32 + (size_t)r * in, w + (size_t)r * rb, in);
                    ck_dequantize_row(type, w + (size_t)r * rb, w32 + (size_t)r * in, in);
                }
                for (size_t i = 0; i < (size_t)in * nt; i++) x[i] = frand();
                // engines: 0 glmchat, 1 sgemm split, 2 sgemm own threads, 3 sbgemm split, 4 sgemm widened
                float *y[5];
                for (int e = 0; e < 5; e++) y[e] = xalloc(sizeof(float) * out * nt);
                const ck_kernel_plan *plan = ck_kernels_for(type, &options);
                double best[5] = { 1e30, 1e30, 1e30, 1e30, 1e30 };
                for (int r = 0; r < rounds; r++)
                    for (int e = 0; e < 5; e++) {
                        if ((e == 2 && nthreads == 1) || (e == 3 && !(sbgemm && wb)) || (e == 4 && type == CK_F32)) continue;
                        double t0 = now();
                        if (e == 0) {
                            ck_quantize_rows_pool(pool, dt, x, in, nt, xq, xb);
                            ck_matmul_pool(pool, plan, in, w, rb, out, xq, xb, nt, y[0], out);
                        } else if (e == 2) {
                            blas_threads(nthreads);
                            sgemm(RowMajor, NoTrans, Trans, nt, out, in, 1.0f, x, in, w32, in, 0.0f, y[2], out);
                        } else {
                            gemm_job g = { x, w32, e == 3 ? wb : NULL, xbf, e == 4 ? (const uint16_t *)w : NULL, type, in, out, nt, y[e],
                                           { wbuf[0], wbuf[1] } };
                            if (e == 3) for (size_t i = 0; i < (size_t)in * nt; i++) xbf[i] = ck_fp32_to_bf16(x[i]);
                            if (pool) ck_pool_run(pool, nthreads, blas_rows, &g); else blas_rows(&g, 0, 1);
                        }
                        const double t = now() - t0;
                        if (t < best[e]) best[e] = t;
                        if (e == 2) { blas_threads(1); usleep(200000); }  // let OpenBLAS's spinning workers park
                    }
                const double flop = 2.0 * nt * in * out;
                double bb = 1e30, diff = 0;
                printf("| %s | %d × %d | %d | %s | %.1f |", tname[ti], in, out, nt, ck_plan_path_name(plan, ck_path_for(nt)), flop / best[0] / 1e9);
                static const int order[] = { 1, 2, 4, 3 };  // the columns' order
                for (int k = 0; k < 4; k++) {
                    const int e = order[k];
                    if (e == 2 && nthreads == 1) continue;
                    if (e == 3 && !sbgemm) continue;
                    if (best[e] >= 1e30) { printf(" – |"); continue; }
                    printf(" %.1f |", flop / best[e] / 1e9);
                    bb = fmin(bb, best[e]);
                    diff = fmax(diff, maxrel(y[e], y[0], (size_t)out * nt));
                }
                if (best[4] < 1e30) printf(" **%.2f** | **%.2f** | %.1e |\n", best[0] / bb, best[0] / best[4], diff);
                else printf(" **%.2f** | – | %.1e |\n", best[0] / bb, diff);
                fflush(stdout);
                free(w); free(xq); free(w32); free(x); free(xbf);
                for (int e = 0; e < 5; e++) free(y[e]);
            }
    free(wbuf[0]); free(wbuf[1]);
}

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "all";
    const int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (open_blas() != 0) return 1;
    const char *fam = getenv("BENCH_FAMILY");
    const int avx2 = fam && !strcmp(fam, "avx2");
    options = (ck_options){ avx2 ? CK_FAMILY_AVX2 : CK_FAMILY_AUTO, !avx2, !avx2, 1 };
    ck_apply_options(&options);
    const uint32_t f = ck_cpu_features();
    printf("glmchat kernels: %s (CPU features:%s%s%s%s%s); OpenBLAS: %s, core %s, cblas_sbgemm %s\n",
           avx2 ? "CK_FAMILY_AVX2, amx 0, gfni 0" : "auto (best paths)", f & CK_AVX2 ? " avx2" : "", f & CK_AVX512 ? " avx512" : "",
           f & CK_AVX512_BF16 ? " avx512-bf16" : "", f & CK_AMX ? " amx" : "", f & CK_GFNI ? " gfni" : "",
           blas_config ? blas_config() : "?", blas_core ? blas_core() : "?", sbgemm ? "present" : "absent (no BUILD_BFLOAT16)");
    const int nargs = argc > 3 ? argc - 3 : 2;
    for (int i = 0; i < nargs; i++) {
        nthreads = argc > 3 ? atoi(argv[3 + i]) : i + 1;
        if (nthreads < 1 || nthreads > 2) { fprintf(stderr, "blas_bench: 1 or 2 threads\n"); return 1; }
        pool = nthreads > 1 ? ck_pool_create(nthreads) : NULL;
        blas_threads(1);
        if (!strcmp(what, "attn") || !strcmp(what, "all")) bench_attn(rounds);
        if (!strcmp(what, "gemm") || !strcmp(what, "all")) bench_gemm(rounds);
        if (pool) ck_pool_destroy(pool);
        pool = NULL;
    }
    return 0;
}
