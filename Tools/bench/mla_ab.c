// A/B of the AMX attention kernel: two builds of mla_attention_amx.c (its ck_mla_part_amx renamed to variant_a and
// variant_b by mla_ab.sh) called in turn, call by call, on the same f16 keys at GLM-4.7-Flash's shape (576-number rows,
// 512 of them values, 20 heads), one thread: TOKENS = 1 a decoded token, 16 a prompt task. Alternating each call keeps
// the pair honest on a machine whose speed drifts by 2× within minutes. Prints the min, quartile and median thread CPU
// time per key and token of each, and the largest difference of their outputs. Usage: mla_ab.sh A.c B.c [LEN] [ITERS]
// [TOKENS]. MLA_AB_COLD=1 reads 640 MB between calls (untimed), so that the keys come from memory as in the engine, where
// a token's weights pass through the caches between two reads of a layer's keys; MLA_AB_HUGE=1 puts the keys in 2 MB
// pages, as the engine's cache is.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include "CKernels.h"
#include "mla.h"

typedef int (*part_fn)(const mla_rows *, int64_t, int64_t, float, float *, float *);
int variant_a(const mla_rows *a, int64_t j0, int64_t j1, float scale, float *o, float *ml);
int variant_b(const mla_rows *a, int64_t j0, int64_t j1, float scale, float *o, float *ml);

static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int by_value(const void *a, const void *b) { const double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static int flag(const char *name) { const char *v = getenv(name); return v && *v == '1'; }
static float uniform(unsigned *s) { *s = *s * 1664525u + 1013904223u; return (float)(*s >> 8) / 16777216.0f - 0.5f; }

int main(int argc, char **argv) {
    const int len = argc > 1 ? atoi(argv[1]) : 8192, iters = argc > 2 ? atoi(argv[2]) : 300, tok = argc > 3 ? atoi(argv[3]) : 1;
    const int kw = 576, vw = 512, nh = 20, rows = nh * tok;
    if (len < tok || iters < 1 || tok < 1) { fprintf(stderr, "usage: mla_ab LEN ITERS TOKENS (LEN ≥ TOKENS ≥ 1)\n"); return 2; }
    if (!(ck_cpu_features() & CK_AMX_BF16)) { fprintf(stderr, "this CPU has no AMX-BF16\n"); return 1; }
    unsigned seed = 7;
    float *keys = malloc(sizeof(float) * (size_t)len * kw), *q = malloc(sizeof(float) * (size_t)rows * kw);
    uint16_t *f16 = malloc(2 * (size_t)len * kw);
    if (flag("MLA_AB_HUGE")) {
        const size_t huge = (size_t)2 << 20, bytes = (2 * (size_t)len * kw + huge - 1) / huge * huge;
        free(f16);
        f16 = aligned_alloc(huge, bytes);
        madvise(f16, bytes, MADV_HUGEPAGE);
    }
    for (size_t i = 0; i < (size_t)len * kw; i++) keys[i] = uniform(&seed);
    for (size_t i = 0; i < (size_t)rows * kw; i++) q[i] = uniform(&seed) * 0.1f;
    ck_quantize_row(CK_F16, keys, f16, (int64_t)len * kw);
    const mla_rows a = { q, rows, nh, kw, vw, f16, CK_KV_F16, kw, len - tok + 1 };
    const part_fn fn[2] = { variant_a, variant_b };
    const size_t cold = flag("MLA_AB_COLD") ? (size_t)640 << 20 : 0;
    volatile uint64_t *sweep = cold ? malloc(cold) : NULL;
    if (sweep) for (size_t i = 0; i < cold / 8; i++) sweep[i] = i;
    float *o[2], *ml[2];
    double *t[2];
    for (int v = 0; v < 2; v++) {
        o[v] = malloc(sizeof(float) * (size_t)rows * vw);
        ml[v] = malloc(sizeof(float) * 2 * rows);
        t[v] = malloc(sizeof(double) * iters);
    }
    for (int i = 0; i < iters; i++)
        for (int k = 0; k < 2; k++) {
            const int v = k ^ (i & 1);  // a, b, b, a, …
            if (sweep) {
                uint64_t x = 0;
                for (size_t w = 0; w < cold / 8; w += 8) x += sweep[w];
                if (x == 1) puts("");
            }
            const double t0 = now();
            if (fn[v](&a, 0, len, 0.07f, o[v], ml[v]) != 0) { fprintf(stderr, "variant %c did not run\n", 'a' + v); return 1; }
            t[v][i] = now() - t0;
        }
    double diff = 0;
    for (size_t i = 0; i < (size_t)rows * vw; i++) {
        const double d = o[1][i] > o[0][i] ? o[1][i] - o[0][i] : o[0][i] - o[1][i];
        if (d > diff) diff = d;
    }
    for (int v = 0; v < 2; v++) {
        qsort(t[v], iters, sizeof(double), by_value);
        const double per = 1e9 / len / tok;
        printf("%c: min %.0f, quartile %.0f, median %.0f ns a key and token\n", 'a' + v, t[v][0] * per, t[v][iters / 4] * per,
               t[v][iters / 2] * per);
    }
    printf("largest |b − a| of the outputs: %.3g\n", diff);
    return 0;
}
