// Persistent worker pool: threads spin briefly for new work, then park on a condition variable.
#include <pthread.h>
#include <stdlib.h>
#include "CKernels.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_PAUSE() _mm_pause()
#else
#define CK_PAUSE() ((void)0)
#endif

#define SPIN_ITERS 20000

struct ck_pool {
    int threads;                 // including the caller
    pthread_t *tids;
    pthread_mutex_t mu;          // guards parking and generation bumps
    pthread_cond_t cv;
    pthread_mutex_t run_mu;      // one ck_pool_run at a time
    int sleepers;
    int stop;
    uint64_t gen;                // bumped (under mu) for every job
    int pending;                 // workers still busy with the current job
    int64_t n;
    ck_task_fn fn;
    void *ctx;
};

typedef struct { ck_pool *p; int index; } worker_arg;
static _Thread_local int in_pool_task = 0;

static void run_chunk(ck_pool *p, int index) {
    const int64_t n = p->n, T = p->threads;
    const int64_t b = n * index / T, e = n * (index + 1) / T;
    if (b < e) { in_pool_task = 1; p->fn(p->ctx, b, e); in_pool_task = 0; }
}

static void *worker(void *arg) {
    worker_arg a = *(worker_arg *)arg; free(arg);
    ck_pool *p = a.p;
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
        run_chunk(p, a.index);
        __atomic_sub_fetch(&p->pending, 1, __ATOMIC_ACQ_REL);
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
        a->p = p; a->index = i;
        if (pthread_create(&p->tids[i], NULL, worker, a) != 0) { free(a); break; }
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
    p->n = n; p->fn = fn; p->ctx = ctx;
    __atomic_store_n(&p->pending, p->threads - 1, __ATOMIC_RELEASE);
    pthread_mutex_lock(&p->mu);
    __atomic_add_fetch(&p->gen, 1, __ATOMIC_RELEASE);
    if (p->sleepers > 0) pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    run_chunk(p, 0);
    while (__atomic_load_n(&p->pending, __ATOMIC_ACQUIRE) > 0) CK_PAUSE();
    pthread_mutex_unlock(&p->run_mu);
}
