// The test process's malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign: each forwards to
// glibc's own and, while counting is on, adds one to a counter. Memory is freed by glibc's free as usual.
#include <errno.h>
#include <stddef.h>
#include "CAllocCounter.h"

#if defined(__GLIBC__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static int counting;
static long count;

static inline void note(void) {
    if (__atomic_load_n(&counting, __ATOMIC_RELAXED)) __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t n) { note(); return __libc_malloc(n); }
void *calloc(size_t k, size_t n) { note(); return __libc_calloc(k, n); }
void *realloc(void *p, size_t n) { note(); return __libc_realloc(p, n); }
void *memalign(size_t align, size_t n) { note(); return __libc_memalign(align, n); }
void *aligned_alloc(size_t align, size_t n) { note(); return __libc_memalign(align, n); }
int posix_memalign(void **out, size_t align, size_t n) {
    note();
    if (align < sizeof(void *) || (align & (align - 1)) != 0) return EINVAL;
    void *p = __libc_memalign(align, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

int alloc_counter_available(void) { return 1; }
void alloc_counter_start(void) { __atomic_store_n(&count, 0, __ATOMIC_SEQ_CST); __atomic_store_n(&counting, 1, __ATOMIC_SEQ_CST); }
long alloc_counter_stop(void) { __atomic_store_n(&counting, 0, __ATOMIC_SEQ_CST); return __atomic_load_n(&count, __ATOMIC_SEQ_CST); }
#else
int alloc_counter_available(void) { return 0; }
void alloc_counter_start(void) {}
long alloc_counter_stop(void) { return 0; }
#endif
