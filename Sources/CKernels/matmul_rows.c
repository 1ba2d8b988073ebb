// Kernel selection per weight type: SIMD when the CPU supports it (unless GLMCHAT_KERNELS=scalar), scalar twin otherwise.
#include <stdlib.h>
#include <string.h>
#include "blocks.h"
#include "simd.h"

ck_vec_dot_fn ck_vec_dot_scalar(uint32_t t) {
    switch (t) {
    case CK_F32: return ck_dot_f32_ref; case CK_F16: return ck_dot_f16_ref; case CK_BF16: return ck_dot_bf16_ref;
    case CK_Q4_0: return ck_dot_q4_0_ref; case CK_Q4_1: return ck_dot_q4_1_ref;
    case CK_Q5_0: return ck_dot_q5_0_ref; case CK_Q5_1: return ck_dot_q5_1_ref;
    case CK_Q8_0: return ck_dot_q8_0_ref; case CK_IQ4_NL: return ck_dot_iq4_nl_ref;
    case CK_Q2_K: return ck_dot_q2_K_ref; case CK_Q3_K: return ck_dot_q3_K_ref;
    case CK_Q4_K: return ck_dot_q4_K_ref; case CK_Q5_K: return ck_dot_q5_K_ref; case CK_Q4_K_R: return ck_dot_q4_K_r_ref;
    case CK_Q6_K: return ck_dot_q6_K_ref; case CK_Q6_K_R: return ck_dot_q6_K_r_ref; case CK_IQ4_XS: return ck_dot_iq4_xs_ref;
    default: return NULL;
    }
}

static int forced_scalar = -1; // -1: read GLMCHAT_KERNELS on first use

void ck_force_scalar(int on) { __atomic_store_n(&forced_scalar, on ? 1 : 0, __ATOMIC_RELAXED); }

static uint32_t cpu_features(void) {
    static int64_t cached = -1;
    int64_t f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (f < 0) { f = ck_cpu_features(); __atomic_store_n(&cached, f, __ATOMIC_RELAXED); }
    return (uint32_t)f;
}

static int use_scalar(void) {
    int f = __atomic_load_n(&forced_scalar, __ATOMIC_RELAXED);
    if (f < 0) {
        const char *e = getenv("GLMCHAT_KERNELS");
        f = (e && strcmp(e, "scalar") == 0) ? 1 : 0;
        __atomic_store_n(&forced_scalar, f, __ATOMIC_RELAXED);
    }
    return f;
}


static int amx_wanted = -1;  // -1: read GLMCHAT_AMX on first use

int ck_use_amx(int on) {
    if (on >= 0) __atomic_store_n(&amx_wanted, on ? 1 : 0, __ATOMIC_RELAXED);
    return ck_amx_active();
}

int ck_amx_active(void) {
    int w = __atomic_load_n(&amx_wanted, __ATOMIC_RELAXED);
    if (w < 0) {
        const char *e = getenv("GLMCHAT_AMX");
        w = !(e && strcmp(e, "0") == 0);
        __atomic_store_n(&amx_wanted, w, __ATOMIC_RELAXED);
    }
    return w && !use_scalar() && (cpu_features() & CK_AMX);
}

static int gfni_wanted = 1;

int ck_use_gfni(int on) {
    if (on >= 0) __atomic_store_n(&gfni_wanted, on ? 1 : 0, __ATOMIC_RELAXED);
    return ck_gfni_active();
}

int ck_gfni_active(void) { return __atomic_load_n(&gfni_wanted, __ATOMIC_RELAXED) && (cpu_features() & CK_GFNI); }

ck_vec_dot_fn ck_vec_dot(uint32_t t) {
    if (!use_scalar()) {
        const char *name = NULL;
        ck_vec_dot_fn f = ck_vec_dot_simd(t, cpu_features(), &name);
        if (f) return f;
    }
    return ck_vec_dot_scalar(t);
}

const char *ck_vec_dot_impl(uint32_t t) {
    if (!use_scalar()) {
        const char *name = "scalar";
        if (ck_vec_dot_simd(t, cpu_features(), &name)) return name;
    }

    return "scalar";
}

#if defined(__x86_64__)
float ck_dot_q8_0_avx2(int, const void *, const void *);
float ck_dot_q5_0_avx2(int, const void *, const void *);
void ck_dot8_rows_q8_0_avx2(int n, const void *w, size_t wbytes, const void *x, float *out);
void ck_dot8_rows_q5_0_avx2(int n, const void *w, size_t wbytes, const void *x, float *out);
float ck_dot_q8_0_avx512(int, const void *, const void *);
void ck_dot8_rows_q8_0_avx512(int n, const void *w, size_t wbytes, const void *x, float *out);
#endif

/// Rows r0 <= r < r1 of y = W · x (the single-row kernels prefetch their weight stream themselves: CK_STREAM).
static void matvec_rows(ck_vec_dot_fn dot, float (*kernel1)(int, const void *, const void *), int n, const char *wb, size_t wbytes,
                        int64_t r0, int64_t r1, const void *x, float *y) {
#if defined(__x86_64__)
    // Q8_0 / Q5_0: 8 rows at a time (same bits as the single-row kernel)
    void (*rows8)(int, const void *, size_t, const void *, float *) =
        dot == ck_dot_q8_0_avx2 ? ck_dot8_rows_q8_0_avx2 : dot == ck_dot_q8_0_avx512 ? ck_dot8_rows_q8_0_avx512
        : dot == ck_dot_q5_0_avx2 ? ck_dot8_rows_q5_0_avx2 : NULL;
    if (rows8)
        for (; r0 + 8 <= r1; r0 += 8) rows8(n, wb + (size_t)r0 * wbytes, wbytes, x, y + r0);
#endif
    for (int64_t r = r0; r < r1; r++) y[r] = kernel1 ? kernel1(n, wb + (size_t)r * wbytes, x) : dot(n, wb + (size_t)r * wbytes, x);
}

void ck_matmul_rows(ck_vec_dot_fn dot, ck_vec_dot4_fn dot4, int n, const void *w, size_t wbytes, int64_t r0, int64_t r1,
                    const void *x, size_t xbytes, int64_t nt, float *y, int64_t ldy) {
    const char *wb = w, *xb = x;
    if (nt == 1) {
        const ck_gemm_ops *g = ck_gemm_for_dot(dot);
        if (g && g->kernel1) {  // the activation in the kernel's order, once; on the stack up to 10752 columns (no allocation)
            _Alignas(64) unsigned char local[49152];
            size_t gs = g->group_bytes(n);
            const void *xp = gs <= sizeof local ? (g->pack(n, x, xbytes, 1, local), local) : ck_gemm_pack(g, n, x, xbytes, 1, &gs);
            if (xp) { matvec_rows(dot, g->kernel1, n, wb, wbytes, r0, r1, xp, y); return; }
        }
        matvec_rows(dot, NULL, n, wb, wbytes, r0, r1, xb, y);
        return;
    }
    const ck_gemm_ops *g = dot4 ? ck_gemm_for(dot4, nt) : ck_gemm_for_dot(dot);  // repacked weights: packed kernels for any nt
    if (g) {  // activations repacked once for the GEMM kernel (falls through to dot4 if the buffer cannot grow)
        size_t gs;
        const void *xp = ck_gemm_pack(g, n, x, xbytes, nt, &gs);
        if (xp) { ck_gemm_rows(g, n, w, wbytes, r0, r1, xp, gs, nt, y, ldy); return; }
    }
    // Tiles of a few weight rows (~16 KB, L1-resident) against groups of 4 activation rows: each group is read
    // from L2 once per tile instead of once per weight row.
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

ck_vec_dot4_fn ck_vec_dot4_family(uint32_t t, int family) {
    return family == CK_FAMILY_SCALAR ? NULL : ck_vec_dot4_simd_family(t, cpu_features(), family);
}

ck_vec_dot4_fn ck_vec_dot4(uint32_t t) {
    if (use_scalar()) return NULL;
    ck_vec_dot4_fn f = ck_vec_dot4_family(t, CK_FAMILY_AVX512);
    return f ? f : ck_vec_dot4_family(t, CK_FAMILY_AVX2);
}

ck_vec_dot_fn ck_vec_dot_family(uint32_t t, int family) {
    if (family == CK_FAMILY_SCALAR) return ck_vec_dot_scalar(t);
    return ck_vec_dot_simd_family(t, cpu_features(), family);
}

int ck_active_family(void) {
    if (use_scalar()) return CK_FAMILY_SCALAR;
    const uint32_t f = cpu_features();
    return (f & CK_AVX512) ? CK_FAMILY_AVX512 : (f & CK_AVX2) ? CK_FAMILY_AVX2 : CK_FAMILY_SCALAR;
}
