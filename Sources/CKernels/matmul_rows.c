// ck_matmul_rows: one range of weight rows times nt activation rows, on the path the plan names for nt.
#include "blocks.h"
#include "simd.h"

/// Rows r0 <= r < r1 of y = W · x, 8 rows at a time where the plan has such a kernel (the single-row kernels prefetch
/// their weight stream themselves: CK_STREAM). kernel1: the packed decode kernel on x packed for it, or NULL.
static void matvec_rows(const ck_kernel_plan *plan, float (*kernel1)(int, const void *, const void *), int n, const char *wb,
                        size_t wbytes, int64_t r0, int64_t r1, const void *x, float *y) {
    if (plan->rows8 && !kernel1)
        for (; r0 + 8 <= r1; r0 += 8) plan->rows8(n, wb + (size_t)r0 * wbytes, wbytes, x, y + r0);
    for (int64_t r = r0; r < r1; r++) y[r] = kernel1 ? kernel1(n, wb + (size_t)r * wbytes, x) : plan->dot(n, wb + (size_t)r * wbytes, x);
}

void ck_matmul_rows(const ck_kernel_plan *plan, int n, const void *w, size_t wbytes, int64_t r0, int64_t r1,
                    const void *x, size_t xbytes, int64_t nt, float *y, int64_t ldy) {
    const char *wb = w, *xb = x;
    const int path = ck_path_for(nt);
    const ck_gemm_ops *g = ck_gemm_for(plan, nt);
    if (path == CK_PATH_DECODE) {
        if (g) {  // the activation in the kernel's order, once; on the stack up to 10752 columns (no allocation)
            _Alignas(64) unsigned char local[49152];
            size_t gs = g->group_bytes(n);
            const void *xp = gs <= sizeof local ? (g->pack(n, x, xbytes, 1, local), local) : ck_gemm_pack(g, n, x, xbytes, 1, &gs);
            if (xp) { matvec_rows(plan, g->kernel1, n, wb, wbytes, r0, r1, xp, y); return; }
        }
        matvec_rows(plan, NULL, n, wb, wbytes, r0, r1, xb, y);
        return;
    }
    if (g) {  // activations repacked once for the GEMM kernel (falls through to the row kernels if the buffer cannot grow)
        size_t gs;
        const void *xp = ck_gemm_pack(g, n, x, xbytes, nt, &gs);
        if (xp) { ck_gemm_rows(g, n, w, wbytes, r0, r1, xp, gs, nt, y, ldy); return; }
    }
    // Tiles of a few weight rows (~16 KB, L1-resident) against groups of 4 activation rows: each group is read
    // from L2 once per tile instead of once per weight row.
    ck_vec_dot4_fn dot4 = path == CK_PATH_BATCH ? plan->dot4 : NULL;
    const ck_vec_dot_fn dot = plan->dot;
    const int64_t tile = wbytes >= 16384 ? 1 : (int64_t)(16384 / wbytes) < 16 ? (int64_t)(16384 / wbytes) : 16;
    const int64_t nt4 = dot4 ? nt / 4 * 4 : 0;
    for (int64_t rt = r0; rt < r1; rt += tile) {
        const int64_t re = rt + tile < r1 ? rt + tile : r1;
        for (int64_t t = 0; t < nt4; t += 4) {
            for (int64_t r = rt; r < re; r++) {
                float o[4];
                dot4(n, wb + (size_t)r * wbytes, xb + (size_t)t * xbytes, xbytes, o);
                for (int k = 0; k < 4; k++) y[(t + k) * ldy + r] = o[k];
            }
        }
        for (int64_t r = rt; r < re; r++)
            for (int64_t t = nt4; t < nt; t++) y[t * ldy + r] = dot(n, wb + (size_t)r * wbytes, xb + (size_t)t * xbytes);
    }
}
