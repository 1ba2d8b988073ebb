// Declarations private to CKernels: the SIMD switch, the decode stream prefetch, the packed-activation (GEMM) kernels.
#ifndef CK_SIMD_H
#define CK_SIMD_H
#include "CKernels.h"
/// 1 if the kernels without a plan (elementwise ops, attention, activation quantizers) may use SIMD (ck_apply_options).
int ck_simd_enabled(void);

/// Decode reads each weight once, from DRAM, one core per stream. A compute-heavy kernel keeps too few of its loads in
/// flight for the hardware prefetcher alone (compute and memory take turns), so the single-row kernels ask for the line
/// CK_STREAM_AHEAD bytes ahead of every 64 bytes they consume, spread through their block loop (measurements:
/// docs/ENGINE-SPEED-TODO.md). `bytes` is a compile-time block size.
#ifndef CK_STREAM_AHEAD
#define CK_STREAM_AHEAD 8192
#endif
/// The best hint differs by vendor: AMD (Zen) streams best with prefetchnta, Intel (Sapphire Rapids class) with
/// prefetcht1. ck_stream_nta is set from the CPU vendor when the library loads (cpu.c).
extern int ck_stream_nta;
#define CK_PREFETCH_STREAM(a) do { if (ck_stream_nta) __builtin_prefetch((a), 0, 0); else __builtin_prefetch((a), 0, 2); } while (0)
#define CK_STREAM(p, bytes) do { for (int o_ = 0; o_ < (bytes); o_ += 64) \
    CK_PREFETCH_STREAM((const char *)(p) + CK_STREAM_AHEAD + o_); } while (0)

/// A matmul kernel on activations repacked once per call (gemm.c): groups of up to 4 activation rows packed
/// by `pack`, then `kernel` computes out[t] = W · X_t for one weight row and the T rows of one group,
/// bit for bit what `dot4` / the single-row kernel give.
typedef struct ck_gemm_ops {
    const char *name;                                                         // for `glmchat info --kernels`
    const char *name1;                                                        // of kernel1 (decode), when there is one
    size_t (*group_bytes)(int n);                                             // bytes of one packed group
    void (*pack)(int n, const void *x, size_t xbytes, int T, void *dst);      // T (1…4) rows xbytes apart
    void (*kernel)(int n, const void *w, const void *xp, int T, float *out);  // out(T)
    void (*kernel8)(int n, const void *w, const void *xp, size_t gstride, float *out);  // two full groups, out(8); may be NULL
    float (*kernel1)(int n, const void *w, const void *xp);  // one row packed with T = 1 (decode); may be NULL
    /// Whole row ranges at once (tiles of several rows, groups of `group` activation rows); may be NULL.
    void (*rows)(int n, const void *w, size_t wbytes, int64_t r0, int64_t r1, const void *xp, size_t gstride, int64_t nt, float *y, int64_t ldy);
    int group;      // activation rows per packed group: 4 unless set
    int tile_rows;  // `rows` works in tiles of this many weight rows: pool chunks are whole tiles (0: any split)
    /// Products of fewer than min_tokens activation rows run `fewer` instead (set both or neither): kernels that
    /// rearrange the weights per call pay that back only over enough tokens.
    int min_tokens;
    const struct ck_gemm_ops *fewer;
} ck_gemm_ops;
/// The packed-activation kernels (gemm.c), named in the kernel table (kernel_table.c).
extern const ck_gemm_ops ck_gemm_q4_K_avx2_ops, ck_gemm_q4_K_r_avx2_ops, ck_gemm_q4_K_r_rows16_avx2_ops, ck_gemm_q4_K_r_avx512_ops, ck_gemm_q6_K_avx2_ops,
    ck_gemm_q6_K_r_avx2_ops, ck_gemm_q8_0_avx2_ops, ck_gemm_q5_0_avx2_ops, ck_gemm_q8_0_amx_ops, ck_gemm_q5_0_amx_ops,
    ck_gemm_q4_K_amx_ops, ck_gemm_q4_K_r_amx_ops, ck_gemm_q6_K_amx_ops;
/// F32, F16 and BF16 weights in batches (gemm_float_avx2.c): matvec's bits, 2 × 3 register tiles.
extern const ck_gemm_ops ck_gemm_f32_avx2_ops, ck_gemm_f16_avx2_ops, ck_gemm_bf16_avx2_ops;
/// The packed-activation kernels the plan runs nt activation rows with (NULL: none, the row kernels).
const ck_gemm_ops *ck_gemm_for(const ck_kernel_plan *plan, int64_t nt);
/// Packs X(nt) into groups of g->group (4 if unset) rows in a per-thread buffer; NULL if allocation fails. *gstride: group bytes.
const void *ck_gemm_pack(const ck_gemm_ops *g, int n, const void *x, size_t xbytes, int64_t nt, size_t *gstride);
/// ck_matmul_rows on packed activations (from ck_gemm_pack).
void ck_gemm_rows(const ck_gemm_ops *g, int n, const void *w, size_t wbytes, int64_t r0, int64_t r1,
                  const void *xp, size_t gstride, int64_t nt, float *y, int64_t ldy);
/// Grows the 64-byte aligned buffer *buf (capacity *cap, first allocation at least `first`, doubling) to hold
/// `bytes`; returns it, or NULL if allocation fails (the old buffer is kept). For grow-only per-thread scratch.
void *ck_grow_buffer(void **buf, size_t *cap, size_t bytes, size_t first);
/// AVX2 activation quantizers (quant_avx2.c), byte for byte the scalar ones; ck_quantize_row picks them.
void ck_quant_q8_0_avx2(const float *x, void *dst, int64_t nb);
void ck_quant_q8_K_avx2(const float *x, void *dst, int64_t nb);
void ck_quant_f16_avx2(const float *x, uint16_t *d, int64_t n);
void ck_dequant_f16_avx2(const uint16_t *h, float *x, int64_t n);
void ck_quant_bf16_avx2(const float *x, uint16_t *d, int64_t n);
/// One CK_Q4_K_R block back in Q4_K's layout (repack.c); src and dst must not overlap.
void ck_q4_K_unrepack(const void *src, void *dst);
/// The Q4_K_R kernels: scalar twin and the AVX2 single-row and 4-row fallbacks (repack.c), GEMM kernels (simd_avx2.c).
float ck_dot_q4_K_r_ref(int n, const void *w, const void *x);
float ck_dot_q4_K_r_avx2(int n, const void *w, const void *x);
void ck_dot4_q4_K_r_avx2(int n, const void *w, const void *x, size_t xbytes, float *out);
/// The AVX-512 VNNI decode kernels (gemv_avx512.c) on activations packed for the AVX2 GEMM kernels.
float ck_gemv_q4_K_r_avx512(int n, const void *w, const void *xp);
/// The same for CK_Q6_K_R (layout: repack_q6_K.c; GEMM kernels: q6_K_r_avx2.c); ck_repack_q6_K_block rewrites one
/// block (src may be dst).
void ck_q6_K_unrepack(const void *src, void *dst);
void ck_repack_q6_K_block(const void *src, void *dst);
float ck_dot_q6_K_r_ref(int n, const void *w, const void *x);
float ck_dot_q6_K_r_avx2(int n, const void *w, const void *x);
void ck_dot4_q6_K_r_avx2(int n, const void *w, const void *x, size_t xbytes, float *out);
#endif
