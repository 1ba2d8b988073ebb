// Micro-benchmark of the CKernels matvec: GB/s of weights streamed for one type, scalar vs SIMD, 1..N threads.
// Built and run by Tools/kernels/bench.sh (not part of the package; no timed assertions anywhere).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CKernels.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static uint64_t rs = 88172645463325252ull;
static uint64_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return rs; }
static float frand(void) { return (float)((rnd() >> 11) * (1.0 / 9007199254740992.0)) * 2 - 1; }

static void noop(void *ctx, int64_t b, int64_t e) { (void)ctx; (void)b; (void)e; }
static void spin20us(void *ctx, int64_t b, int64_t e) {  // 20 us of work per index
    (void)ctx;
    for (int64_t i = b; i < e; i++) { double t0 = now(); while (now() - t0 < 20e-6) {} }
}

/// Latency of one ck_pool_run with an empty task (the fixed cost of a parallel region).
static void bench_pool(int threads) {
    ck_pool *p = ck_pool_create(threads);
    for (int i = 0; i < 1000; i++) ck_pool_run(p, 64, noop, NULL);
    double best = 1e9;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        for (int i = 0; i < 20000; i++) ck_pool_run(p, 64, noop, NULL);
        double dt = (now() - t0) / 20000;
        if (dt < best) best = dt;
    }
    printf("pool: %d threads, empty parallel region %.2f us\n", threads, best * 1e6);
    best = 1e9;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        for (int i = 0; i < 2000; i++) ck_pool_run(p, 2 * threads, spin20us, NULL);
        double dt = (now() - t0) / 2000;
        if (dt < best) best = dt;
    }
    printf("pool: %d threads, %d x 20 us of work: %.1f us per region (ideal %.0f us)\n", threads, 2 * threads, best * 1e6, 40.0);
    ck_pool_destroy(p);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "pool") == 0) { bench_pool(argc > 2 ? atoi(argv[2]) : 2); return 0; }
    const uint32_t type = argc > 1 ? (uint32_t)atoi(argv[1]) : CK_Q4_K;
    const int cols = argc > 2 ? atoi(argv[2]) : 2048, rows = argc > 3 ? atoi(argv[3]) : 10240;
    const int copies = argc > 4 ? atoi(argv[4]) : 8;  // cycle over several matrices so they do not sit in L3
    const int maxThreads = argc > 5 ? atoi(argv[5]) : 2;
    const int nt = argc > 6 ? atoi(argv[6]) : 1;  // activation rows (tokens): >1 measures matmul
    const size_t rb = ck_row_bytes(type, cols), mb = rb * rows;
    if (!rb) { fprintf(stderr, "bad type/cols\n"); return 1; }
    uint8_t *w = aligned_alloc(64, mb * copies);
    for (size_t i = 0; i < mb * copies; i++) w[i] = (uint8_t)rnd();
    // valid finite scales: overwrite every f16 field we know of with small values (type-specific offsets)
    const int bb = ck_block_bytes(type); int offs[2] = {-1, -1};
    switch (type) {
    case CK_Q4_K: case CK_Q5_K: case CK_Q4_1: case CK_Q5_1: offs[0] = 0; offs[1] = 2; break;
    case CK_Q6_K: offs[0] = 208; break; case CK_Q2_K: offs[0] = 80; offs[1] = 82; break; case CK_Q3_K: offs[0] = 108; break;
    case CK_F32: case CK_F16: case CK_BF16: break;
    default: offs[0] = 0;
    }
    if (type == CK_F32) for (size_t i = 0; i < mb * copies / 4; i++) ((float *)w)[i] = frand();
    else if (type == CK_F16) for (size_t i = 0; i < mb * copies / 2; i++) ((uint16_t *)w)[i] = ck_fp32_to_fp16(frand());
    else if (type == CK_BF16) for (size_t i = 0; i < mb * copies / 2; i++) ((uint16_t *)w)[i] = ck_fp32_to_bf16(frand());
    else for (size_t b = 0; b < mb * copies / bb; b++) for (int k = 0; k < 2; k++) if (offs[k] >= 0) {
        uint16_t h = ck_fp32_to_fp16(frand() * 0.05f); memcpy(w + b * bb + offs[k], &h, 2);
    }
    float *x = malloc(sizeof(float) * cols * nt), *y = malloc(sizeof(float) * rows * nt);
    for (int i = 0; i < cols * nt; i++) x[i] = frand();
    const uint32_t dt = (uint32_t)ck_vec_dot_type(type);
    const size_t xb = ck_row_bytes(dt, cols);
    char *xq = aligned_alloc(64, xb * nt + 64);
    for (int t = 0; t < nt; t++) ck_quantize_row(dt, x + (size_t)t * cols, xq + t * xb, cols);
    printf("type %u  %d x %d  (%.1f MB per matrix, %d matrices cycled), %d activation rows\n", type, rows, cols, mb / 1e6, copies, nt);
    static const char *names[] = {"scalar", "avx2", "avx512"};
    for (int fam = 0; fam <= 2; fam++) {
        const ck_options o = { fam, 1, 1, 1 };
        const ck_kernel_plan *plan = ck_kernels_for(type, &o);
        if (!plan || plan->family != fam) continue;
        const int scalar = fam == 0;
        for (int th = 1; th <= maxThreads; th++) {
            ck_pool *p = ck_pool_create(th);
            double best = 1e9;
            int reps = scalar ? 3 : (nt > 1 ? 4 : 12);
            for (int r = 0; r < reps; r++) {
                double t0 = now();
                for (int c = 0; c < copies; c++) ck_matmul_pool(p, plan, cols, w + mb * c, rb, rows, xq, xb, nt, y, rows);
                double dt_ = (now() - t0) / copies;
                if (dt_ < best) best = dt_;
            }
            printf("  %-7s %-18s threads %d: %8.3f ms/op  %6.2f GB/s of weights per activation row\n", names[fam], ck_plan_path_name(plan, ck_path_for(nt)),
                   th, best * 1e3, mb * (double)nt / best / 1e9);
            ck_pool_destroy(p);
        }
    }
    return 0;
}
