// Times the MLA attention kernels (CKernels/mla_attention*.c) at GLM-4.7-Flash's shape (576-number rows, 512 of
// them values, 20 heads), one thread, over an f16 and a q8_0 latent cache of LEN keys: one decoded token (20 heads
// over all keys) and one prompt task (each kernel's ck_mla_batch_tokens tokens × 20 heads, the last token seeing all
// keys), every kernel this CPU runs, alternated, best of ROUNDS. GFLOP/s counts the scores and P·V (2 · 1088 per head
// and key); times are this thread's CPU time (steadier than the clock on a shared machine). Usage: mla_bench.sh [LEN] [ROUNDS].
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CKernels.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static float gauss(unsigned *s) {  // a sum of uniforms, roughly normal
    float x = 0;
    for (int i = 0; i < 4; i++) { *s = *s * 1664525u + 1013904223u; x += (float)(*s >> 8) / 16777216.0f - 0.5f; }
    return x;
}

int main(int argc, char **argv) {
    const int len = argc > 1 ? atoi(argv[1]) : 8192, rounds = argc > 2 ? atoi(argv[2]) : 5;
    const int kw = 576, vw = 512, nh = 20, maxt = 16;
    unsigned seed = 7;
    float *rows = malloc(sizeof(float) * (size_t)len * kw), *q = malloc(sizeof(float) * maxt * nh * kw);
    for (size_t i = 0; i < (size_t)len * kw; i++) rows[i] = gauss(&seed);
    for (int i = 0; i < maxt * nh * kw; i++) q[i] = gauss(&seed) * 0.1f;
    uint16_t *f16 = malloc(2 * (size_t)len * kw);
    void *q8 = malloc((size_t)len * (kw / 32) * 34);
    ck_quantize_row(CK_F16, rows, f16, (int64_t)len * kw);
    ck_quantize_row(CK_Q8_0, rows, q8, (int64_t)len * kw);
    float *o = malloc(sizeof(float) * maxt * nh * vw), *ml = malloc(sizeof(float) * 2 * maxt * nh);
    float *s = malloc(sizeof(float) * maxt * nh * 64);
    const void *keys[2] = { f16, q8 };
    const int types[2] = { CK_KV_F16, CK_KV_Q8_0 };
    const char *names[2] = { "f16", "q8_0" };
    int kernels[3], nk = 0;
    const uint32_t f = ck_cpu_features();
    if (f & CK_AVX2) kernels[nk++] = CK_MLA_AVX2;
    if (f & CK_AMX_BF16) kernels[nk++] = CK_MLA_AMX;
    if (nk == 0) kernels[nk++] = CK_MLA_SCALAR;
    double best[3][2][2];
    for (int k = 0; k < nk; k++) for (int t = 0; t < 2; t++) best[k][t][0] = best[k][t][1] = 1e9;
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < nk; k++)
            for (int t = 0; t < 2; t++) {
                const int kern = kernels[k], tok = ck_mla_batch_tokens(kern);
                double t0 = now();
                ck_mla_part(kern, q, nh, nh, kw, vw, keys[t], types[t], kw, len, 0, len, 0.07f, o, ml, s);
                double t1 = now();
                ck_mla_part(kern, q, tok * nh, nh, kw, vw, keys[t], types[t], kw, len - tok + 1, 0, len, 0.07f, o, ml, s);
                double t2 = now();
                if (t1 - t0 < best[k][t][0]) best[k][t][0] = t1 - t0;
                if (t2 - t1 < best[k][t][1]) best[k][t][1] = t2 - t1;
            }
    const double per = 2.0 * (kw + vw) * nh;  // flops per key and token
    for (int k = 0; k < nk; k++)
        for (int t = 0; t < 2; t++) {
            const int tok = ck_mla_batch_tokens(kernels[k]);
            printf("%-15s %-5s %6d keys: one token %7.2f ms (%6.1f GFLOP/s), a prompt task of %2d tokens %7.2f ms (%6.1f GFLOP/s)\n",
                   ck_mla_kernel_name(kernels[k]), names[t], len, best[k][t][0] * 1e3, per * len / best[k][t][0] / 1e9, tok,
                   best[k][t][1] * 1e3, per * len * tok / best[k][t][1] / 1e9);
        }
    return 0;
}
