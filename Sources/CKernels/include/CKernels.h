// C kernels behind one per-type kernel table chosen once at load (kernel_table.c); every kernel has a scalar twin.
#ifndef CKERNELS_H
#define CKERNELS_H
#include <stdint.h>
#include <stddef.h>

/// CPU features found at run time (bit set): 1 AVX2+FMA+F16C, 2 AVX-512F/BW/VL, 4 AVX-512 VNNI, 8 AVX-512 BF16,
/// 16 AMX-INT8 tiles (with AVX-512, and the kernel's permission to use them granted to this process), 32 GFNI,
/// 64 AMX-BF16 (with AMX and AVX-512 BF16).
enum { CK_AVX2 = 1, CK_AVX512 = 2, CK_AVX512_VNNI = 4, CK_AVX512_BF16 = 8, CK_AMX = 16, CK_GFNI = 32, CK_AMX_BF16 = 64 };
uint32_t ck_cpu_features(void);

// ---- ggml type ids used here (same numbers as ggml.h / GGUF) ----
enum {
    CK_F32 = 0, CK_F16 = 1, CK_Q4_0 = 2, CK_Q4_1 = 3, CK_Q5_0 = 6, CK_Q5_1 = 7, CK_Q8_0 = 8, CK_Q8_1 = 9,
    CK_Q2_K = 10, CK_Q3_K = 11, CK_Q4_K = 12, CK_Q5_K = 13, CK_Q6_K = 14, CK_Q8_K = 15,
    CK_IQ4_NL = 20, CK_IQ4_XS = 23, CK_BF16 = 30,
    /// Internal, never in a file: Q4_K blocks whose 128 nibble bytes are permuted at load for the AVX2 kernels
    /// (repack.c); same block size, scales and results, bit for bit.
    CK_Q4_K_R = 0x100C,
    /// Internal: Q6_K blocks whose 6-bit quants are rearranged at load for the AVX2 kernels (repack_q6_K.c).
    CK_Q6_K_R = 0x100E,
};

// ---- scalar conversions (bit-exact with ggml's reference conversions) ----
float ck_fp16_to_fp32(uint16_t h);
uint16_t ck_fp32_to_fp16(float f);
float ck_bf16_to_fp32(uint16_t h);
uint16_t ck_fp32_to_bf16(float f);

// ---- type support ----
/// 1 if `type` can be dequantized and multiplied here.
int ck_type_supported(uint32_t type);
/// The type activations are quantized to for weights of `type` (llama.cpp's vec_dot_type), or -1.
int ck_vec_dot_type(uint32_t type);
/// Elements per block and bytes per block of a supported (weight or activation) type; 0 if unknown.
int ck_block_elems(uint32_t type);
int ck_block_bytes(uint32_t type);
/// sizeof() of each C block struct (for layout assertions in tests); 0 if unknown.
int ck_block_struct_size(uint32_t type);

/// Rewrites `nblocks` blocks of `type` in place into its repacked layout (Q4_K → CK_Q4_K_R, Q6_K → CK_Q6_K_R); returns 0,
/// or -1 for a type without one. Whether repacking pays off is the kernel plan's decision (ck_kernel_plan.repack_to).
int ck_repack(uint32_t type, void *data, int64_t nblocks);

/// The permutation of ck_repack for one block in plain C (the definition the SIMD repack is tested against).
void ck_repack_block_scalar(uint32_t type, const void *src, void *dst);

/// dst(n) = dequantized src; n a multiple of the block size. Returns 0, or -1 for an unsupported type.
int ck_dequantize_row(uint32_t type, const void *src, float *dst, int64_t n);
/// Quantizes x(n) to `dot_type` (Q8_0, Q8_1, Q8_K, F16, BF16 or F32) into dst; returns 0 or -1.
int ck_quantize_row(uint32_t dot_type, const float *x, void *dst, int64_t n);
/// Bytes a row of n elements takes in `type`; 0 if n is not a whole number of blocks or type unknown.
size_t ck_row_bytes(uint32_t type, int64_t n);

/// Dot product of one weight row (type) with one activation row already quantized to the vec_dot type.
typedef float (*ck_vec_dot_fn)(int n, const void *w, const void *x);
/// out[t] = W · X_t for 4 activation rows xbytes apart (weights unpacked once for all four).
typedef void (*ck_vec_dot4_fn)(int n, const void *w, const void *x, size_t xbytes, float *out);
/// out[r] = W_r · x for 8 weight rows wbytes apart and one activation row (decode).
typedef void (*ck_rows8_fn)(int n, const void *w, size_t wbytes, const void *x, float *out);

// ---- the kernel table: one plan per weight layout, chosen once at load (kernel_table.c) ----
/// Kernel families. AUTO takes, per weight type, the family measured fastest on this CPU; the others force the widest
/// kernels allowed (a family without a kernel for a type falls back to the next narrower one, down to the scalar twin).
enum { CK_FAMILY_AUTO = -1, CK_FAMILY_SCALAR = 0, CK_FAMILY_AVX2 = 1, CK_FAMILY_AVX512 = 2 };
/// The engine's kernel switches (parsed once from the environment by Kernels/EngineOptions.swift).
typedef struct {
    int32_t family;  // CK_FAMILY_*
    int32_t amx;     // 1: batches run on AMX tiles where the CPU has them
    int32_t gfni;    // 1: GFNI instructions where the CPU has them (the AVX-512 Q6_K kernel)
    int32_t repack;  // 1: weights are rewritten at load into the layout the chosen kernels read faster
} ck_options;

/// The three ways a matmul runs, by the number of activation rows (tokens) nt: ck_path_for is the only place that
/// draws the lines. DECODE (nt = 1) streams the weights once through single-row kernels; SMALL (2 or 3 tokens) runs
/// them per token unless the layout has packed-activation kernels; BATCH (nt ≥ 4) runs the GEMM / AMX / 4-row kernels.
enum { CK_PATH_DECODE = 0, CK_PATH_SMALL = 1, CK_PATH_BATCH = 2, CK_BATCH_MIN_TOKENS = 4 };
int ck_path_for(int64_t nt);

/// Everything a weight layout runs, for one set of options on this CPU (llama.cpp's type_traits_cpu entry). Every
/// product gives the scalar twin's result (bit for bit for the integer-sum types, else within float-order tolerance).
typedef struct ck_kernel_plan {
    uint32_t type;        // the weight layout the kernels read (a CK_* type id)
    int32_t repack_to;    // the layout to rewrite weights of `type` into at load (then plan again for it), or -1
    int32_t family;       // the family of `dot` (CK_FAMILY_SCALAR, _AVX2 or _AVX512)
    ck_vec_dot_fn dot;    // one weight row · one activation row; never NULL
    ck_vec_dot4_fn dot4;  // one weight row · 4 activation rows for BATCH when gemm[BATCH] is NULL; may be NULL
    ck_rows8_fn rows8;    // DECODE, 8 weight rows at a time when gemm[DECODE] is NULL; may be NULL
    /// Per path, the kernels on activations packed once per call (gemm.c), or NULL for the row kernels above.
    const struct ck_gemm_ops *gemm[3];
} ck_kernel_plan;

/// The plan for weights of `type` with options `o` (NULL: CK_FAMILY_AUTO, AMX, GFNI and repacking on), or NULL if
/// `type` is not supported. Plans are made once per (type, options) and live as long as the process.
const ck_kernel_plan *ck_kernels_for(uint32_t type, const ck_options *o);
/// What runs on `path` (CK_PATH_*), e.g. "avx512-vnni gemv", "amx gemm", "avx2 dot 8 rows".
const char *ck_plan_path_name(const ck_kernel_plan *plan, int path);
/// The options' choice for the kernels without a plan (elementwise ops, attention, activation quantizers): SIMD
/// where the CPU has it unless o->family is CK_FAMILY_SCALAR. Process-wide; the engine applies its options at load.
void ck_apply_options(const ck_options *o);

/// y[t*ldy + r] = W_r · X_t for rows r in [r0, r1) and tokens t in [0, nt) with the plan's kernels for nt tokens;
/// W rows wbytes apart, X rows (quantized to the plan type's vec_dot type) xbytes apart. Activations packed for a
/// GEMM kernel are packed once per call into a per-thread buffer (falling back to the row kernels if it cannot grow).
void ck_matmul_rows(const ck_kernel_plan *plan, int n, const void *w, size_t wbytes, int64_t r0, int64_t r1,
                    const void *x, size_t xbytes, int64_t nt, float *y, int64_t ldy);

/// Per-thread grow-only scratch (never freed while the thread lives); NULL if allocation fails.
void *ck_thread_scratch(size_t bytes);

// ---- elementwise ops ----
void ck_rms_norm(const float *x, const float *w, float *out, int64_t n, float eps);
void ck_softmax(float *x, int64_t n);
void ck_silu(float *x, int64_t n);
void ck_swiglu(const float *g, const float *u, float *out, int64_t n);
void ck_swiglu_scalar(const float *g, const float *u, float *out, int64_t n);
/// Dot products and y += a·x on f32, or with the second operand in f16/bf16 (half_type CK_F16 or CK_BF16),
/// e.g. attention over a half-precision KV cache. SIMD when available; *_scalar are the twins.
float ck_dot_f32(const float *a, const float *b, int64_t n);
void ck_axpy(float a, const float *x, float *y, int64_t n);
float ck_dot_half(const float *a, const uint16_t *b, int64_t n, uint32_t half_type);
void ck_axpy_half(float a, const uint16_t *x, float *y, int64_t n, uint32_t half_type);
float ck_dot_f32_scalar(const float *a, const float *b, int64_t n);
void ck_axpy_scalar(float a, const float *x, float *y, int64_t n);
float ck_dot_half_scalar(const float *a, const uint16_t *b, int64_t n, uint32_t half_type);
void ck_axpy_half_scalar(float a, const uint16_t *x, float *y, int64_t n, uint32_t half_type);
/// cache(dims): (cos, sin) pairs for position pos as ggml_rope_ext computes them (YaRN included).
void ck_rope_cache(float *cache, int dims, float pos, float base, float freq_scale, float ext_factor,
                   float attn_factor, float beta_fast, float beta_slow, int orig_ctx);
/// Rotates `heads` vectors of `dims` numbers, `stride` floats apart, with a cache from ck_rope_cache.
void ck_rope_apply(float *x, int dims, int heads, int64_t stride, const float *cache, int neox);

// ---- attention in llama.cpp's exact float order (its x86 AVX-512 CPU build), on any CPU ----
/// ggml_vec_dot_f32: four 16-lane FMA accumulators over 64-element steps, (s0+s2)+(s1+s3), 16-lane tree, tail in order.
float ck_attn_dot(const float *x, const float *y, int64_t n);
/// out[j] = ck_attn_dot(keys + j·stride, q, n) for j < nkeys.
void ck_attn_scores(const float *keys, int64_t stride, int64_t nkeys, const float *q, int64_t n, float *out);
/// In place over x(n): x·scale, max, ggml_v_expf(x − max), sums of aligned 16-lane blocks in double, x / sum.
void ck_attn_softmax(float *x, int64_t n, float scale);
/// out(width)[d] = Σ_{j<n} p[j]·v[j·stride + d], summed as llama.cpp multiplies transposed V by the probabilities:
/// single (one query token) → ggml_vec_dot_f32 order (lane j%16 of accumulator (j/16)%4); else tinyBLAS
/// (lane j%16 of one accumulator). acc: (64, width) scratch.
void ck_attn_wsum(const float *p, int64_t n, const float *v, int64_t stride, int64_t width, float *out, float *acc, int single);
float ck_attn_dot_scalar(const float *x, const float *y, int64_t n);
void ck_attn_scores_scalar(const float *keys, int64_t stride, int64_t nkeys, const float *q, int64_t n, float *out);
void ck_attn_softmax_scalar(float *x, int64_t n, float scale);
void ck_attn_wsum_scalar(const float *p, int64_t n, const float *v, int64_t stride, int64_t width, float *out, float *acc, int single);

// ---- attention over a latent cache shared by all heads (deepseek2 MLA), flash-style (mla_attention.c) ----
/// What the cache rows hold (keys_type).
enum { CK_KV_F32 = 0, CK_KV_F16 = 1, CK_KV_Q8_0 = 2 };
/// The attention kernels: the scalar twin, AVX2+FMA+F16C (f32 products), AMX BF16 tiles (mla_attention_amx.c: each
/// operand as bf16 hi + lo, 16 significant bits). ck_mla_kernel picks the widest the CPU and the options allow (o->amx
/// off or the AVX2 family: no tiles; the scalar family: the twin); the choice is the engine's, made once at load.
enum { CK_MLA_SCALAR = 0, CK_MLA_AVX2 = 1, CK_MLA_AMX = 2 };
int ck_mla_kernel(const ck_options *o);
/// "amx-bf16 tiles", "avx2 flash", "scalar flash".
const char *ck_mla_kernel_name(int kernel);
/// Query tokens per prompt-batch task for `kernel`: enough rows (tokens × heads) to share each block of keys widely,
/// few enough that the task's queries, outputs and one block stay in L2.
int ck_mla_batch_tokens(int kernel);
/// Rows r of q (nrows, kw) are query token r / per (per heads each), which sees keys 0 ..< len0 + r / per. Over the
/// keys j0 ..< j1 of those (rows `stride` numbers apart, of keys_type: f32, IEEE f16, or q8_0, a row of stride
/// numbers then being ceil(stride / 32) blocks of 32):
/// o (nrows, vw) = Σ_j exp(scale·q[r]·k_j − m[r]) · k_j[0 ..< vw] unnormalized, ml (2, nrows) = the max m[r] and the
/// sum l[r] of those exponentials (m = −inf, l = 0 where a row sees none). s: nrows·64 floats of scratch. `kernel`
/// (CK_MLA_*) falls back to the next narrower one where the CPU or the shape does not allow it (AVX2: kw % 8 == 0 and
/// vw % 16 == 0; AMX: vw % 32 == 0 and f16 or q8_0 keys: an f32 cache keeps f32 products).
void ck_mla_part(int kernel, const float *q, int nrows, int per, int kw, int vw, const void *keys, int keys_type,
                 int64_t stride, int64_t len0, int64_t j0, int64_t j1, float scale, float *o, float *ml, float *s);
/// out (nrows, vw) = the softmax-weighted output over all keys from `parts` partial results o (parts, nrows, vw),
/// ml (parts, 2, nrows).
void ck_mla_merge(int nrows, int vw, int parts, const float *o, const float *ml, float *out);

// ---- prompt attention with per-head keys and values (the latent cache expanded per batch; mla_expanded.c) ----
/// Query rows per tile, and keys per block of the online softmax.
enum { CK_XATTN_TILE = 16, CK_XATTN_BLOCK = 48 };
/// One head, one tile of 16 query rows against keys 0 ..< nk, flash-style. qt (dn + dr, 16): the tile's queries
/// transposed (lane t: row t); their first dn numbers meet kn (nk rows ldk apart: the head's own keys), the next dr
/// meet kr (rows ldr apart: the part all heads share); v (nk rows ldv apart, dv numbers): the head's values. Lane t
/// sees keys j < vis + t. ot (dv, 16): the running unnormalized output, transposed; ml (2, 16): the running max and sum
/// of exp(scale·score − max) (ck_xattn_start). s: 16·CK_XATTN_BLOCK floats of scratch. `kernel` CK_MLA_SCALAR runs
/// the scalar twin, any other the AVX2+FMA kernel where the CPU has it; both give the same bits.
void ck_xattn_tile(int kernel, const float *qt, int dn, int dr, const float *kn, int64_t ldk, const float *kr, int64_t ldr,
                   const float *v, int64_t ldv, int dv, int64_t nk, int64_t vis, float scale, float *ot, float *ml, float *s);
/// ot (dv, 16) = 0, max −inf, sum 0.
void ck_xattn_start(float *ot, float *ml, int dv);
/// qt (width, 16) = the nq (≤ 16) rows of q (ldq apart) transposed; lanes past nq 0.
void ck_xattn_pack(const float *q, int64_t ldq, int nq, int width, float *qt);
/// out (nq rows ldo apart, dv) = ot's lanes over their sums.
void ck_xattn_finish(const float *ot, const float *ml, int dv, int nq, float *out, int64_t ldo);

// ---- persistent thread pool ----
typedef struct ck_pool ck_pool;
typedef void (*ck_task_fn)(void *ctx, int64_t begin, int64_t end);
ck_pool *ck_pool_create(int threads);
void ck_pool_destroy(ck_pool *p);
int ck_pool_threads(const ck_pool *p);
/// Runs fn on disjoint chunks covering [0, n) on all threads (caller included); returns when all are done.
void ck_pool_run(ck_pool *p, int64_t n, ck_task_fn fn, void *ctx);

/// Y(nt, ldy)[:, 0..<rows] = X(nt) · W(rows)ᵀ with the plan's kernels, rows split over the pool (p may be NULL: caller
/// only); packed activations are packed once for all threads.
void ck_matmul_pool(ck_pool *p, const ck_kernel_plan *plan, int n, const void *w, size_t wbytes, int64_t rows,
                    const void *x, size_t xbytes, int64_t nt, float *y, int64_t ldy);
/// Quantizes X(nt, n) row by row to dot_type into dst (rows dbytes apart), split over the pool; 0 or -1.
int ck_quantize_rows_pool(ck_pool *p, uint32_t dot_type, const float *x, int64_t n, int64_t nt, void *dst, size_t dbytes);
#endif
