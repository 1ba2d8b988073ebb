// Row-parallel matrix × quantized-activations products and parallel activation quantization on the pool.
#include "CKernels.h"
#include "simd.h"

typedef struct {
    const ck_kernel_plan *plan; int n; const void *w; size_t wbytes; const void *x; size_t xbytes; int64_t nt; float *y; int64_t ldy;
} mm_task;

static void mm_chunk(void *ctx, int64_t b, int64_t e) {
    const mm_task *t = ctx;
    ck_matmul_rows(t->plan, t->n, t->w, t->wbytes, b, e, t->x, t->xbytes, t->nt, t->y, t->ldy);
}

typedef struct {
    const ck_gemm_ops *g; int n; const void *w; size_t wbytes; const void *xp; size_t gstride; int64_t nt; float *y; int64_t ldy;
    int64_t rows, unit;  // chunks are whole units of rows (the kernel's tile) but for the last
} gemm_task;

static void gemm_chunk(void *ctx, int64_t b, int64_t e) {
    const gemm_task *t = ctx;
    const int64_t r0 = b * t->unit, r1 = e * t->unit < t->rows ? e * t->unit : t->rows;
    ck_gemm_rows(t->g, t->n, t->w, t->wbytes, r0, r1, t->xp, t->gstride, t->nt, t->y, t->ldy);
}

void ck_matmul_pool(ck_pool *p, const ck_kernel_plan *plan, int n, const void *w, size_t wbytes, int64_t rows,
                    const void *x, size_t xbytes, int64_t nt, float *y, int64_t ldy) {
    const int path = ck_path_for(nt);  // decode packs its one activation row per chunk, on the stack
    const ck_gemm_ops *g = path == CK_PATH_DECODE ? NULL : ck_gemm_for(plan, nt);
    if (g && p) {  // repack the activations once here, not once per chunk
        size_t gs;
        const void *xp = ck_gemm_pack(g, n, x, xbytes, nt, &gs);
        if (xp) {
            const int64_t unit = g->tile_rows > 0 ? g->tile_rows : 1;
            gemm_task gt = { g, n, w, wbytes, xp, gs, nt, y, ldy, rows, unit };
            ck_pool_run(p, (rows + unit - 1) / unit, gemm_chunk, &gt);
            return;
        }
    }
    mm_task t = { plan, n, w, wbytes, x, xbytes, nt, y, ldy };
    if (!p) { mm_chunk(&t, 0, rows); return; }
    ck_pool_run(p, rows, mm_chunk, &t);
}

typedef struct { uint32_t type; const float *x; int64_t n; char *dst; size_t dbytes; int rc; } q_task;

static void q_chunk(void *ctx, int64_t b, int64_t e) {
    q_task *t = ctx;
    for (int64_t i = b; i < e; i++)
        if (ck_quantize_row(t->type, t->x + i * t->n, t->dst + (size_t)i * t->dbytes, t->n) != 0) __atomic_store_n(&t->rc, -1, __ATOMIC_RELAXED);
}

int ck_quantize_rows_pool(ck_pool *p, uint32_t dot_type, const float *x, int64_t n, int64_t nt, void *dst, size_t dbytes) {
    q_task t = { dot_type, x, n, dst, dbytes, 0 };
    if (!p || nt < 4) q_chunk(&t, 0, nt); else ck_pool_run(p, nt, q_chunk, &t);
    return t.rc;
}
