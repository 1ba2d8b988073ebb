// The kernel table: every family's kernels for each weight layout, and the plan ck_kernels_for builds from it.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blocks.h"
#include "simd.h"

/// One family's kernels for one weight layout. The decode side (dot, rows8, packed) and the batch side (dot4, gemm,
/// amx) are each taken whole from one row: a plan may decode with the AVX-512 row and batch with the AVX2 one.
typedef struct {
    uint32_t type;
    uint32_t needs;             // CPU feature bits (CK_*) the row's kernels use
    ck_vec_dot_fn dot;          // one weight row · one activation row
    ck_rows8_fn rows8;          // decode: 8 weight rows at a time (same bits as dot); may be NULL
    const ck_gemm_ops *packed;  // decode (its kernel1) and 2–3 tokens on packed activations; may be NULL
    ck_vec_dot4_fn dot4;        // batches: 4 activation rows at a time; NULL: the next narrower family's batch side
    const ck_gemm_ops *gemm;    // batches on packed activations instead of dot4; may be NULL
    const ck_gemm_ops *amx;     // batches on AMX tiles, when the options and the CPU allow; may be NULL
    /// CK_FAMILY_AUTO decodes with this row rather than the narrower family's: AVX-512 where it measured faster on
    /// Zen 4 (Q6_K, BF16, and the VNNI decode kernels of Q4_K_R and Q8_0). The 512-bit Q4_K/Q5_K kernels are
    /// double-pumped there and no faster than AVX2 (Tools/kernels/bench.sh).
    int preferred;
    const char *name;           // the family as `info --kernels` prints it (NULL: from `needs`)
    const char *dot_name;       // the family of `dot` when the row reuses a narrower family's (NULL: `name`)
} kernel_row;

static const kernel_row scalar_rows[] = {
    { CK_F32, 0, ck_dot_f32_ref }, { CK_F16, 0, ck_dot_f16_ref }, { CK_BF16, 0, ck_dot_bf16_ref },
    { CK_Q4_0, 0, ck_dot_q4_0_ref }, { CK_Q4_1, 0, ck_dot_q4_1_ref }, { CK_Q5_0, 0, ck_dot_q5_0_ref },
    { CK_Q5_1, 0, ck_dot_q5_1_ref }, { CK_Q8_0, 0, ck_dot_q8_0_ref }, { CK_IQ4_NL, 0, ck_dot_iq4_nl_ref },
    { CK_Q2_K, 0, ck_dot_q2_K_ref }, { CK_Q3_K, 0, ck_dot_q3_K_ref }, { CK_Q4_K, 0, ck_dot_q4_K_ref },
    { CK_Q5_K, 0, ck_dot_q5_K_ref }, { CK_Q6_K, 0, ck_dot_q6_K_ref }, { CK_IQ4_XS, 0, ck_dot_iq4_xs_ref },
    { CK_Q4_K_R, 0, ck_dot_q4_K_r_ref }, { CK_Q6_K_R, 0, ck_dot_q6_K_r_ref },
};

#if defined(__x86_64__)
/// The kernels the table names (simd_avx2.c, simd_avx512.c, gemv_avx512.c), declared by shape.
#define DOT(f) float f(int, const void *, const void *);
#define DOT4(f) void f(int, const void *, const void *, size_t, float *);
#define ROWS8(f) void f(int, const void *, size_t, const void *, float *);
DOT(ck_dot_f32_avx2) DOT(ck_dot_f16_avx2) DOT(ck_dot_bf16_avx2) DOT(ck_dot_q4_0_avx2) DOT(ck_dot_q4_1_avx2) DOT(ck_dot_q5_0_avx2)
DOT(ck_dot_q5_1_avx2) DOT(ck_dot_q8_0_avx2) DOT(ck_dot_iq4_nl_avx2) DOT(ck_dot_q2_K_avx2) DOT(ck_dot_q3_K_avx2)
DOT(ck_dot_q4_K_avx2) DOT(ck_dot_q5_K_avx2) DOT(ck_dot_q6_K_avx2) DOT(ck_dot_iq4_xs_avx2)
DOT4(ck_dot4_f32_avx2) DOT4(ck_dot4_f16_avx2) DOT4(ck_dot4_bf16_avx2) DOT4(ck_dot4_q4_0_avx2) DOT4(ck_dot4_q4_1_avx2) DOT4(ck_dot4_q5_0_avx2) DOT4(ck_dot4_q5_1_avx2) DOT4(ck_dot4_q8_0_avx2)
DOT4(ck_dot4_iq4_nl_avx2) DOT4(ck_dot4_q4_K_avx2) DOT4(ck_dot4_q5_K_avx2) DOT4(ck_dot4_q6_K_avx2)
ROWS8(ck_dot8_rows_q8_0_avx2) ROWS8(ck_dot8_rows_q5_0_avx2)
DOT(ck_dot_q4_K_avx512) DOT(ck_dot_q5_K_avx512) DOT(ck_dot_q6_K_avx512) DOT(ck_dot_q6_K_avx512_gfni) DOT(ck_dot_bf16_avx512)
DOT4(ck_dot4_q4_K_avx512) DOT4(ck_dot4_q6_K_avx512) ROWS8(ck_dot8_rows_q8_0_avx512)

#define A2 CK_AVX2
static const kernel_row avx2_rows[] = {
    { CK_F32, A2, ck_dot_f32_avx2, .dot4 = ck_dot4_f32_avx2, .gemm = &ck_gemm_f32_avx2_ops },
    { CK_F16, A2, ck_dot_f16_avx2, .dot4 = ck_dot4_f16_avx2, .gemm = &ck_gemm_f16_avx2_ops },
    { CK_BF16, A2, ck_dot_bf16_avx2, .dot4 = ck_dot4_bf16_avx2, .gemm = &ck_gemm_bf16_avx2_ops },
    { CK_Q4_0, A2, ck_dot_q4_0_avx2, .dot4 = ck_dot4_q4_0_avx2 }, { CK_Q4_1, A2, ck_dot_q4_1_avx2, .dot4 = ck_dot4_q4_1_avx2 },
    { CK_Q5_1, A2, ck_dot_q5_1_avx2, .dot4 = ck_dot4_q5_1_avx2 }, { CK_IQ4_NL, A2, ck_dot_iq4_nl_avx2, .dot4 = ck_dot4_iq4_nl_avx2 },
    { CK_Q2_K, A2, ck_dot_q2_K_avx2 }, { CK_Q3_K, A2, ck_dot_q3_K_avx2 }, { CK_IQ4_XS, A2, ck_dot_iq4_xs_avx2 },
    { CK_Q5_K, A2, ck_dot_q5_K_avx2, .dot4 = ck_dot4_q5_K_avx2 },
    { CK_Q5_0, A2, ck_dot_q5_0_avx2, ck_dot8_rows_q5_0_avx2, NULL, ck_dot4_q5_0_avx2, &ck_gemm_q5_0_avx2_ops, &ck_gemm_q5_0_amx_ops },
    { CK_Q8_0, A2, ck_dot_q8_0_avx2, ck_dot8_rows_q8_0_avx2, NULL, ck_dot4_q8_0_avx2, &ck_gemm_q8_0_avx2_ops, &ck_gemm_q8_0_amx_ops },
    { CK_Q4_K, A2, ck_dot_q4_K_avx2, NULL, NULL, ck_dot4_q4_K_avx2, &ck_gemm_q4_K_avx2_ops, &ck_gemm_q4_K_amx_ops },
    { CK_Q6_K, A2, ck_dot_q6_K_avx2, NULL, NULL, ck_dot4_q6_K_avx2, &ck_gemm_q6_K_avx2_ops, &ck_gemm_q6_K_amx_ops },
    { CK_Q4_K_R, A2, ck_dot_q4_K_r_avx2, NULL, &ck_gemm_q4_K_r_avx2_ops, ck_dot4_q4_K_r_avx2, &ck_gemm_q4_K_r_rows16_avx2_ops, &ck_gemm_q4_K_r_amx_ops },
    { CK_Q6_K_R, A2, ck_dot_q6_K_r_avx2, NULL, &ck_gemm_q6_K_r_avx2_ops, ck_dot4_q6_K_r_avx2, &ck_gemm_q6_K_r_avx2_ops, NULL },
};

/// Most AVX-512 kernels are VNNI; a row a CPU lacks the bits for is skipped (the GFNI Q6_K row first, then plain VNNI).
#define V5 (CK_AVX512 | CK_AVX512_VNNI)
static const kernel_row avx512_rows[] = {
    { CK_BF16, CK_AVX512 | CK_AVX512_BF16, ck_dot_bf16_avx512, .preferred = 1 },
    { CK_Q4_K, V5, ck_dot_q4_K_avx512, NULL, NULL, ck_dot4_q4_K_avx512, NULL, &ck_gemm_q4_K_amx_ops },
    { CK_Q5_K, V5, ck_dot_q5_K_avx512 },
    { CK_Q6_K, V5 | CK_GFNI, ck_dot_q6_K_avx512_gfni, NULL, NULL, ck_dot4_q6_K_avx512, NULL, &ck_gemm_q6_K_amx_ops, 1, "avx512-vnni+gfni" },
    { CK_Q6_K, V5, ck_dot_q6_K_avx512, NULL, NULL, ck_dot4_q6_K_avx512, NULL, &ck_gemm_q6_K_amx_ops, 1 },
    /// Q8_0: the AVX2 single-row and batch kernels (the scalar twin's bits) with this family's VNNI 8-row decode.
    { CK_Q8_0, V5, ck_dot_q8_0_avx2, ck_dot8_rows_q8_0_avx512, NULL, ck_dot4_q8_0_avx2, &ck_gemm_q8_0_avx2_ops, &ck_gemm_q8_0_amx_ops, 1,
      .dot_name = "avx2" },
    /// Q4_K_R: the VNNI decode kernel on packed activations; batches as AVX2 (no dot4 here).
    { CK_Q4_K_R, V5, ck_dot_q4_K_r_avx2, NULL, &ck_gemm_q4_K_r_avx512_ops, .preferred = 1, .dot_name = "avx2" },
};
#endif

/// The row of `type` in rows[0 ..< count] whose needs the usable CPU features cover, or NULL.
static const kernel_row *find(const kernel_row *rows, size_t count, uint32_t type, uint32_t usable) {
    for (size_t i = 0; i < count; i++)
        if (rows[i].type == type && (rows[i].needs & ~usable) == 0) return &rows[i];
    return NULL;
}

/// A plan with the names of its paths (ck_plan_path_name), kept in a list for the life of the process.
typedef struct plan_node {
    ck_kernel_plan plan;
    ck_options key;
    char names[3][48];
    struct plan_node *next;
} plan_node;

/// The rows a plan is made of: decode side and batch side (NULL: none, the scalar twin alone).
typedef struct { const kernel_row *decode, *batch; } row_choice;

static row_choice choose_rows(uint32_t type, const ck_options *o, uint32_t usable) {
    const kernel_row *scalar = find(scalar_rows, sizeof scalar_rows / sizeof *scalar_rows, type, 0);
    row_choice c = { scalar, NULL };
#if defined(__x86_64__)
    if (o->family == CK_FAMILY_SCALAR) return c;
    const kernel_row *r2 = find(avx2_rows, sizeof avx2_rows / sizeof *avx2_rows, type, usable);
    const kernel_row *r5 = o->family == CK_FAMILY_AVX2 ? NULL : find(avx512_rows, sizeof avx512_rows / sizeof *avx512_rows, type, usable);
    if (r5 && (o->family == CK_FAMILY_AVX512 || r5->preferred)) c.decode = r5; else if (r2) c.decode = r2;
    c.batch = r5 && r5->dot4 ? r5 : r2 && r2->dot4 ? r2 : NULL;
#else
    (void)o; (void)usable;
#endif
    return c;
}

static const char *family_name(const kernel_row *r, int family) {
    return r->name ? r->name : family == CK_FAMILY_AVX512 ? ((r->needs & CK_AVX512_VNNI) ? "avx512-vnni" : "avx512")
                             : family == CK_FAMILY_AVX2 ? "avx2" : "scalar";
}

static int row_family(const kernel_row *r) {
    return !r || r->needs == 0 ? CK_FAMILY_SCALAR : (r->needs & CK_AVX512) ? CK_FAMILY_AVX512 : CK_FAMILY_AVX2;
}

/// The layout whose kernels beat `type`'s here: Q4_K's packed kernels with any SIMD family; Q6_K_R only where Q6_K
/// decodes with AVX2 (the AVX-512 Q6_K kernels read the file's layout).
static int32_t repack_target(uint32_t type, const row_choice *c, const ck_options *o) {
    if (!o->repack || row_family(c->decode) == CK_FAMILY_SCALAR) return -1;
    if (type == CK_Q4_K) return CK_Q4_K_R;
    if (type == CK_Q6_K && row_family(c->decode) == CK_FAMILY_AVX2) return CK_Q6_K_R;
    return -1;
}

static void make_plan(plan_node *p, uint32_t type, const ck_options *o) {
    uint32_t usable = ck_cpu_features();
    if (!o->amx) usable &= ~(uint32_t)CK_AMX;
    if (!o->gfni) usable &= ~(uint32_t)CK_GFNI;
    const row_choice c = choose_rows(type, o, usable);
    const kernel_row *d = c.decode, *b = c.batch;
    const int fd = row_family(d), fb = row_family(b);
    const ck_gemm_ops *batch = b ? ((usable & CK_AMX) && b->amx ? b->amx : b->gemm) : NULL;
    p->plan = (ck_kernel_plan){
        .type = type, .repack_to = repack_target(type, &c, o), .family = fd,
        .dot = d->dot, .dot4 = b ? b->dot4 : NULL, .rows8 = d->rows8,
        .gemm = { d->packed && d->packed->kernel1 ? d->packed : NULL, d->packed, batch },
    };
    const char *dn = d->dot_name ? d->dot_name : family_name(d, fd);
    if (d->packed && d->packed->kernel1) snprintf(p->names[0], sizeof p->names[0], "%s", d->packed->name1);
    else if (d->rows8) snprintf(p->names[0], sizeof p->names[0], "%s dot 8 rows", family_name(d, fd));
    else snprintf(p->names[0], sizeof p->names[0], "%s dot", dn);
    if (d->packed) snprintf(p->names[1], sizeof p->names[1], "%s", d->packed->name);
    else snprintf(p->names[1], sizeof p->names[1], "%s dot", dn);
    if (batch && batch->fewer) snprintf(p->names[2], sizeof p->names[2], "%s, under %d tokens %s", batch->name, batch->min_tokens, batch->fewer->name);
    else if (batch) snprintf(p->names[2], sizeof p->names[2], "%s", batch->name);
    else if (b) snprintf(p->names[2], sizeof p->names[2], "%s dot4", family_name(b, fb));
    else snprintf(p->names[2], sizeof p->names[2], "%s dot", dn);
}

static pthread_mutex_t plans_lock = PTHREAD_MUTEX_INITIALIZER;
static plan_node *plans = NULL;

const ck_kernel_plan *ck_kernels_for(uint32_t type, const ck_options *o) {
    static const ck_options automatic = { CK_FAMILY_AUTO, 1, 1, 1 };
    if (!o) o = &automatic;
    if (!find(scalar_rows, sizeof scalar_rows / sizeof *scalar_rows, type, 0)) return NULL;
    const ck_options key = { o->family, o->amx != 0, o->gfni != 0, o->repack != 0 };
    pthread_mutex_lock(&plans_lock);
    plan_node *p = plans;
    while (p && !(p->plan.type == type && memcmp(&p->key, &key, sizeof key) == 0)) p = p->next;
    if (!p && (p = calloc(1, sizeof *p))) {
        p->key = key;
        make_plan(p, type, &key);
        p->next = plans;
        plans = p;
    }
    pthread_mutex_unlock(&plans_lock);
    return p ? &p->plan : NULL;
}

const char *ck_plan_path_name(const ck_kernel_plan *plan, int path) {
    if (path < CK_PATH_DECODE || path > CK_PATH_BATCH) return "";
    return ((const plan_node *)(const void *)plan)->names[path];  // plan is the node's first member
}

int ck_path_for(int64_t nt) { return nt <= 1 ? CK_PATH_DECODE : nt < CK_BATCH_MIN_TOKENS ? CK_PATH_SMALL : CK_PATH_BATCH; }

static int simd_off = 0;

void ck_apply_options(const ck_options *o) { __atomic_store_n(&simd_off, o && o->family == CK_FAMILY_SCALAR, __ATOMIC_RELAXED); }

int ck_simd_enabled(void) { return !__atomic_load_n(&simd_off, __ATOMIC_RELAXED) && (ck_cpu_features() & (CK_AVX2 | CK_AVX512)); }
