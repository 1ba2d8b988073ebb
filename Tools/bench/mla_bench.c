// Times the MLA attention kernel (CKernels/mla_attention.c) over an f16 and a q8_0 latent cache at GLM-4.7-Flash's
// shape (576-number rows, 512 of them values), one thread, the two cache types alternated: one decoded token
// (20 heads over `len` keys) and one prompt task (2 tokens × 20 heads). Usage: mla_bench.sh [LEN] [ROUNDS].
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CKernels.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static float gauss(unsigned *s) {  // a sum of uniforms, roughly normal
    float x = 0;
    for (int i = 0; i < 4; i++) { *s = *s * 1664525u + 1013904223u; x += (float)(*s >> 8) / 16777216.0f - 0.5f; }
    return x;
}

int main(int argc, char **argv) {
    const int len = argc > 1 ? atoi(argv[1]) : 8192, rounds = argc > 2 ? atoi(argv[2]) : 5;
    const int kw = 576, vw = 512, nh = 20;
    unsigned seed = 7;
    float *rows = malloc(sizeof(float) * (size_t)len * kw), *q = malloc(sizeof(float) * 2 * nh * kw);
    for (size_t i = 0; i < (size_t)len * kw; i++) rows[i] = gauss(&seed);
    for (int i = 0; i < 2 * nh * kw; i++) q[i] = gauss(&seed) * 0.1f;
    uint16_t *f16 = malloc(2 * (size_t)len * kw);
    void *q8 = malloc((size_t)len * (kw / 32) * 34);
    ck_quantize_row(CK_F16, rows, f16, (int64_t)len * kw);
    ck_quantize_row(CK_Q8_0, rows, q8, (int64_t)len * kw);
    float *o = malloc(sizeof(float) * 2 * nh * vw), ml[4 * 20], *s = malloc(sizeof(float) * 2 * nh * 64);
    const void *keys[2] = { f16, q8 };
    const int types[2] = { CK_KV_F16, CK_KV_Q8_0 };
    const char *names[2] = { "f16", "q8_0" };
    double best[2][2] = { { 1e9, 1e9 }, { 1e9, 1e9 } };
    for (int r = 0; r < rounds; r++)
        for (int t = 0; t < 2; t++) {
            double t0 = now();
            ck_mla_part(q, nh, nh, kw, vw, keys[t], types[t], kw, len, 0, len, 0.07f, o, ml, s);
            double t1 = now();
            ck_mla_part(q, 2 * nh, nh, kw, vw, keys[t], types[t], kw, len - 1, 0, len, 0.07f, o, ml, s);
            double t2 = now();
            if (t1 - t0 < best[t][0]) best[t][0] = t1 - t0;
            if (t2 - t1 < best[t][1]) best[t][1] = t2 - t1;
        }
    for (int t = 0; t < 2; t++)
        printf("%-5s %6d keys: one token (20 heads) %.2f ms, a prompt task (2 tokens x 20 heads) %.2f ms, cache %.1f MB\n",
               names[t], len, best[t][0] * 1e3, best[t][1] * 1e3,
               (t ? (double)len * (kw / 32) * 34 : 2.0 * len * kw) / 1e6);
    printf("q8_0 / f16 time: one token %.2f, prompt task %.2f\n", best[1][0] / best[0][0], best[1][1] / best[0][1]);
    return 0;
}
