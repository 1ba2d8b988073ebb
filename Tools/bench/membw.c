// Memory read bandwidth of this machine: threads stream disjoint parts of a buffer far larger than the
// caches with 256-bit loads. Usage: membw [MB=1024] [MAX_THREADS=2] [REPS=7] → "threads GB/s" lines (best rep).
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { const __m256i *p; size_t n; pthread_barrier_t *bar; int64_t sink; } job;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

__attribute__((target("avx2"))) static void *reader(void *arg) {
    job *j = arg;
    pthread_barrier_wait(j->bar);
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i + 4 <= j->n; i += 4) {
        a0 = _mm256_xor_si256(a0, _mm256_load_si256(j->p + i));
        a1 = _mm256_xor_si256(a1, _mm256_load_si256(j->p + i + 1));
        a2 = _mm256_xor_si256(a2, _mm256_load_si256(j->p + i + 2));
        a3 = _mm256_xor_si256(a3, _mm256_load_si256(j->p + i + 3));
    }
    a0 = _mm256_xor_si256(_mm256_xor_si256(a0, a1), _mm256_xor_si256(a2, a3));
    int64_t out[4]; memcpy(out, &a0, 32);
    j->sink = out[0] ^ out[1] ^ out[2] ^ out[3];
    return NULL;
}

int main(int argc, char **argv) {
    size_t mb = argc > 1 ? (size_t)atol(argv[1]) : 1024;
    int maxt = argc > 2 ? atoi(argv[2]) : 2, reps = argc > 3 ? atoi(argv[3]) : 7;
    size_t bytes = mb << 20;
    char *buf = aligned_alloc(64, bytes);
    if (!buf) { fprintf(stderr, "membw: could not allocate %zu MB.\n", mb); return 1; }
    for (size_t i = 0; i < bytes; i += 4096) memset(buf + i, (int)(i >> 12), 4096);  // fault in, non-zero pages
    int64_t sink = 0;
    for (int t = 1; t <= maxt; t++) {
        double best = 0;
        for (int r = 0; r < reps; r++) {
            pthread_barrier_t bar; pthread_barrier_init(&bar, NULL, (unsigned)t + 1);
            pthread_t tid[64]; job jobs[64];
            size_t per = bytes / 32 / (size_t)t;
            for (int k = 0; k < t; k++) {
                jobs[k] = (job){ (const __m256i *)buf + (size_t)k * per, per, &bar, 0 };
                pthread_create(&tid[k], NULL, reader, &jobs[k]);
            }
            double t0 = now();
            pthread_barrier_wait(&bar);
            for (int k = 0; k < t; k++) { pthread_join(tid[k], NULL); sink ^= jobs[k].sink; }
            double gbps = (double)per * 32 * t / (now() - t0) / 1e9;
            if (gbps > best) best = gbps;
            pthread_barrier_destroy(&bar);
        }
        printf("%d %.2f\n", t, best);
    }
    fprintf(stderr, "(checksum %lld)\n", (long long)sink);
    free(buf);
    return 0;
}
