// Kernel throughput on the GLM-4.7-Flash matrix shapes, in thread CPU time (robust on a busy machine):
// ck_matmul_rows on one thread for each kernel family. Built and run by Tools/bench/kbench.sh.
// Usage: kbench TYPE_ID COLS ROWS TOKENS [REPS] → GMAC/s per family (weights random, valid scales).
// KBENCH_REPACK=1: weights repacked as the engine does at load (Q4_K, Q6_K); KBENCH_MMAP=1: weights read from a mapped file;
// KBENCH_FILE=PATH:OFFSET: the weights are the bytes at OFFSET of PATH (e.g. a GGUF tensor), mapped privately as the engine does.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include "CKernels.h"

static double cpu_now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static uint64_t rs = 88172645463325252ull;
static uint64_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return rs; }
static float frand(void) { return (float)((rnd() >> 11) * (1.0 / 9007199254740992.0)) * 2 - 1; }

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: kbench TYPE_ID COLS ROWS TOKENS [REPS]\n"); return 1; }
    const uint32_t type = (uint32_t)atoi(argv[1]);
    const int cols = atoi(argv[2]), rows = atoi(argv[3]), nt = atoi(argv[4]), reps = argc > 5 ? atoi(argv[5]) : 5;
    const size_t rb = ck_row_bytes(type, cols);
    if (!rb) { fprintf(stderr, "kbench: %d columns are not whole blocks of type %u.\n", cols, type); return 1; }
    // dequantize-requantize a random float matrix so every block is valid
    const uint32_t dt = (uint32_t)ck_vec_dot_type(type);
    uint8_t *w = aligned_alloc(64, rb * rows + 64);
    float *tmp = malloc(sizeof(float) * cols);
    const int bb = ck_block_bytes(type);
    for (size_t i = 0; i < rb * rows; i++) w[i] = (uint8_t)rnd();
    int offs[2] = {-1, -1};
    switch (type) {
    case CK_Q4_K: case CK_Q5_K: case CK_Q4_1: case CK_Q5_1: offs[0] = 0; offs[1] = 2; break;
    case CK_Q6_K: offs[0] = 208; break; case CK_Q2_K: offs[0] = 80; offs[1] = 82; break; case CK_Q3_K: offs[0] = 108; break;
    case CK_F32: case CK_F16: case CK_BF16: break;
    default: offs[0] = 0;
    }
    if (type == CK_F32) for (size_t i = 0; i < rb * rows / 4; i++) ((float *)w)[i] = frand();
    else if (type == CK_F16 || type == CK_BF16) for (size_t i = 0; i < rb * rows / 2; i++) ((uint16_t *)w)[i] = type == CK_F16 ? ck_fp32_to_fp16(frand()) : ck_fp32_to_bf16(frand());
    else for (size_t b = 0; b < rb * rows / bb; b++) for (int k = 0; k < 2; k++) if (offs[k] >= 0) {
        uint16_t h = ck_fp32_to_fp16(frand() * 0.05f); memcpy(w + b * bb + offs[k], &h, 2);
    }
    uint32_t kt = type;  // the type the kernels see
    if (getenv("KBENCH_REPACK") && *getenv("KBENCH_REPACK") && ck_kernels_for(type, NULL)->repack_to >= 0) {  // as the engine does at load
        ck_repack(type, w, (int64_t)(rb * rows / bb));
        kt = (uint32_t)ck_kernels_for(type, NULL)->repack_to;
        printf("weights repacked at load\n");
    }
    const char *wf = getenv("KBENCH_FILE");
    if (wf && *wf && kt == type) {  // a real tensor (not repacked): map it read-only like the engine
        char path[4096]; long long off = 0;
        const char *colon = strrchr(wf, ':');
        if (!colon || sscanf(colon + 1, "%lld", &off) != 1 || (size_t)(colon - wf) >= sizeof path) { fprintf(stderr, "kbench: KBENCH_FILE is PATH:OFFSET.\n"); return 1; }
        memcpy(path, wf, (size_t)(colon - wf)); path[colon - wf] = 0;
        FILE *f = fopen(path, "rb");
        if (!f) { perror("kbench"); return 1; }
        const long page = sysconf(_SC_PAGESIZE), base = (long)(off / page * page);
        uint8_t *m = mmap(NULL, rb * rows + (size_t)(off - base), PROT_READ, MAP_PRIVATE, fileno(f), base);
        if (m == MAP_FAILED) { perror("kbench"); return 1; }
        free(w);
        w = m + (off - base);
        printf("weights from %s at %lld\n", path, off);
    } else if (getenv("KBENCH_HUGE")) {  // anonymous memory in 2 MB pages
        const size_t sz = (rb * rows + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
        uint8_t *m = mmap(NULL, sz + (2u << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) { perror("kbench"); return 1; }
        m = (uint8_t *)(((uintptr_t)m + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
        madvise(m, sz, MADV_HUGEPAGE);
        memcpy(m, w, rb * rows);
        free(w);
        w = m;
        printf("weights in anonymous 2 MB pages\n");
    } else if (getenv("KBENCH_MMAP")) {  // weights from a mapped file, as the engine reads them (4 KB page-cache pages)
        char path[] = "/tmp/kbench-XXXXXX";
        const int fd = mkstemp(path);
        if (fd < 0 || write(fd, w, rb * rows) != (ssize_t)(rb * rows)) { perror("kbench"); return 1; }
        unlink(path);
        free(w);
        w = mmap(NULL, rb * rows, PROT_READ, MAP_SHARED, fd, 0);
        if (w == MAP_FAILED) { perror("kbench"); return 1; }
        printf("weights mapped from a file\n");
    }
    const size_t xb = ck_row_bytes(dt, cols);
    char *xq = aligned_alloc(64, xb * nt + 64);
    for (int t = 0; t < nt; t++) { for (int i = 0; i < cols; i++) tmp[i] = frand(); ck_quantize_row(dt, tmp, xq + t * xb, cols); }
    float *y = malloc(sizeof(float) * rows * nt), *y0 = malloc(sizeof(float) * rows * nt);
    static const char *names[] = {"scalar", "avx2", "avx512"};
    printf("type %u: %d rows x %d cols, %d tokens (%.1f MB weights, %.2f MB activations)\n", type, rows, cols, nt, rb * rows / 1e6, xb * nt / 1e6);
    for (int fam = 1; fam <= 2; fam++) {
        const ck_options o = { fam, 1, 1, 1 };
        const ck_kernel_plan *plan = ck_kernels_for(kt, &o);
        if (!plan || plan->family != fam) continue;
        const int path = ck_path_for(nt);
        double best = 1e9, times[256];
        const int kept = reps < 256 ? reps : 256;
        for (int r = 0; r < reps; r++) {
            double t0 = cpu_now();
            ck_matmul_rows(plan, cols, w, rb, 0, rows, xq, xb, nt, y, rows);
            double d = cpu_now() - t0;
            if (d < best) best = d;
            if (r < kept) times[r] = d;
        }
        for (int i = 1; i < kept; i++) for (int j = i; j > 0 && times[j] < times[j - 1]; j--) { double t = times[j]; times[j] = times[j - 1]; times[j - 1] = t; }
        const double median = times[kept / 2];
        double maxdiff = 0;
        if (fam == 1) memcpy(y0, y, sizeof(float) * rows * nt);
        else for (size_t i = 0; i < (size_t)rows * nt; i++) { double d = y[i] - y0[i]; if (d < 0) d = -d; if (d > maxdiff) maxdiff = d; }
        printf("  %-6s %-18s %8.3f ms  %7.1f GMAC/s  %6.2f GB/s weights (median %.2f)%s", names[fam], ck_plan_path_name(plan, path), best * 1e3,
               (double)rows * cols * nt / best / 1e9, rb * rows / best / 1e9, rb * rows / median / 1e9, fam == 1 ? "\n" : "");
        if (fam != 1) printf("  (max |diff| vs avx2 %.3g)\n", maxdiff);
    }
    return 0;
}
