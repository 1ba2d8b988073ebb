// Persistent worker pool: threads spin briefly for new work, then park on a condition variable. Work is
// handed out in chunks claimed with one atomic, so a descheduled thread never holds up the others.
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include "CKernels.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_PAUSE() _mm_pause()
#else
#define CK_PAUSE() ((void)0)
#endif

#define SPIN_ITERS 20000        // worker: pauses before parking
#define WAIT_SPINS 2000         // caller: pauses before yielding the CPU while others finish
#define CHUNKS_PER_THREAD 8

struct ck_pool {
    int threads;                 // including the caller
    pthread_t *tids;
    pthread_mutex_t mu;          // guards parking and generation bumps
    pthread_cond_t cv;
    pthread_mutex_t run_mu;      // one ck_pool_run at a time
    int sleepers;
    int stop;
    uint64_t gen;                // job generation, bumped (under mu) for every job
    uint64_t claim;              // gen << 32 | chunks << 16 | next chunk: one word, so a chunk is claimed only
                                 // against its own job's count (a thread late from the last job cannot claim one)
    int64_t done;                // chunks finished in the current job
    int64_t n;
    ck_task_fn fn;
    void *ctx;
};

typedef struct { ck_pool *p; } worker_arg;
static _Thread_local int in_pool_task = 0;

/// Claims and runs chunks of job `gen` until none are left.
static void work(ck_pool *p, uint32_t gen) {
    for (;;) {
        uint64_t v = __atomic_load_n(&p->claim, __ATOMIC_ACQUIRE);
        for (;;) {
            if ((uint32_t)(v >> 32) != gen || (v & 0xFFFF) >= ((v >> 16) & 0xFFFF)) return;
            if (__atomic_compare_exchange_n(&p->claim, &v, v + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
        }
        // the job's fields stay valid while this claimed chunk is unfinished
        const int64_t c = (int64_t)(v & 0xFFFF), k = (int64_t)((v >> 16) & 0xFFFF), n = p->n;
        const int64_t b = n * c / k, e = n * (c + 1) / k;
        in_pool_task = 1; p->fn(p->ctx, b, e); in_pool_task = 0;
        __atomic_add_fetch(&p->done, 1, __ATOMIC_ACQ_REL);
    }
}

static void *worker(void *arg) {
    ck_pool *p = ((worker_arg *)arg)->p; free(arg);
    uint64_t seen = 0;
    for (;;) {
        uint64_t g = __atomic_load_n(&p->gen, __ATOMIC_ACQUIRE);
        for (int i = 0; g == seen && i < SPIN_ITERS; i++) { CK_PAUSE(); g = __atomic_load_n(&p->gen, __ATOMIC_ACQUIRE); }
        if (g == seen) {
            pthread_mutex_lock(&p->mu);
            p->sleepers++;
            while (p->gen == seen && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
            p->sleepers--;
            g = p->gen;
            pthread_mutex_unlock(&p->mu);
        }
        if (__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) return NULL;
        seen = g;
        work(p, (uint32_t)g);
    }
}

ck_pool *ck_pool_create(int threads) {
    if (threads < 1) threads = 1;
    ck_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->threads = threads;
    pthread_mutex_init(&p->mu, NULL); pthread_cond_init(&p->cv, NULL); pthread_mutex_init(&p->run_mu, NULL);
    p->tids = calloc((size_t)threads, sizeof(pthread_t));
    int started = 1;
    for (int i = 1; p->tids && i < threads; i++) {
        worker_arg *a = malloc(sizeof *a);
        if (!a) break;
        a->p = p;
        if (pthread_create(&p->tids[started], NULL, worker, a) != 0) { free(a); break; }
        started++;
    }
    p->threads = started; // fewer threads if the system refused some
    return p;
}

void ck_pool_destroy(ck_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&p->gen, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->threads; i++) pthread_join(p->tids[i], NULL);
    pthread_mutex_destroy(&p->mu); pthread_cond_destroy(&p->cv); pthread_mutex_destroy(&p->run_mu);
    free(p->tids); free(p);
}

int ck_pool_threads(const ck_pool *p) { return p ? p->threads : 1; }

void ck_pool_run(ck_pool *p, int64_t n, ck_task_fn fn, void *ctx) {
    if (n <= 0) return;
    if (!p || p->threads == 1 || n == 1 || in_pool_task) { fn(ctx, 0, n); return; }
    pthread_mutex_lock(&p->run_mu);
    int64_t k = (int64_t)p->threads * CHUNKS_PER_THREAD;
    if (k > 0xFFFF) k = 0xFFFF;
    if (k > n) k = n;
    p->n = n; p->fn = fn; p->ctx = ctx;
    __atomic_store_n(&p->done, 0, __ATOMIC_RELAXED);
    pthread_mutex_lock(&p->mu);
    const uint32_t g = (uint32_t)(p->gen + 1);
    __atomic_store_n(&p->claim, (uint64_t)g << 32 | (uint64_t)k << 16, __ATOMIC_RELEASE);
    __atomic_store_n(&p->gen, p->gen + 1, __ATOMIC_RELEASE);
    if (p->sleepers > 0) pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    work(p, g);
    for (int spins = 0; __atomic_load_n(&p->done, __ATOMIC_ACQUIRE) < k; spins++) {
        if (spins < WAIT_SPINS) CK_PAUSE(); else sched_yield();
    }
    pthread_mutex_unlock(&p->run_mu);
}
