// What the MLA attention kernels share (private to CKernels): the rows of a call and the keys each row sees.
#ifndef CK_MLA_H
#define CK_MLA_H
#include <stdint.h>
#include "CKernels.h"

/// Keys per block of the flash-style loop: scores, online softmax and P·V for this many keys at a time.
#define CK_MLA_BLOCK 64
/// Bytes of one q8_0 block (an f16 scale and 32 int8).
#define CK_Q8_BLOCK_BYTES 34

/// The rows of q (nrows, kw) and the keys each sees: row r is token r / per, which sees keys 0 ..< len0 + r / per.
/// keys: (·, stride) numbers of `type` (CK_KV_F32, CK_KV_F16, CK_KV_Q8_0; q8_0 rows ceil(stride / 32) blocks apart).
typedef struct { const float *q; int nrows, per, kw, vw; const void *keys; int type; int64_t stride, len0; } mla_rows;

static inline int64_t mla_row_len(const mla_rows *a, int r) { return a->len0 + r / a->per; }

/// Where number c of key row j lies: the number itself (f32, f16), or for q8_0 the start of its block of 32.
static inline const char *mla_key_at(const mla_rows *a, int64_t j, int c) {
    switch (a->type) {
    case CK_KV_F16: return (const char *)((const uint16_t *)a->keys + j * a->stride + c);
    case CK_KV_Q8_0: return (const char *)a->keys + (j * ((a->stride + 31) / 32) + c / 32) * CK_Q8_BLOCK_BYTES;
    default: return (const char *)((const float *)a->keys + j * a->stride + c);
    }
}

/// Bytes of one key row.
static inline int64_t mla_row_bytes(const mla_rows *a) { return mla_key_at(a, 1, 0) - mla_key_at(a, 0, 0); }

/// Bytes of the block after the one from key b that some row sees (0: none): what a kernel prefetches while it works.
static inline int64_t mla_next_block_bytes(const mla_rows *a, int64_t b) {
    const int64_t ahead = mla_row_len(a, a->nrows - 1) - b - CK_MLA_BLOCK;
    return (ahead < CK_MLA_BLOCK ? (ahead > 0 ? ahead : 0) : CK_MLA_BLOCK) * mla_row_bytes(a);
}

/// Asks for bytes [from, to) of the keys from key row j on (rows lie back to back) to come into L2: a decoded token reads
/// each key once, from memory (a token's weights pass through the caches between two reads of a layer's keys), and the
/// kernels wait on them otherwise. In address order into L2 rather than in the kernel's order (a chunk of each key in
/// turn) into L1: 221 → 197 ns a key with cold keys on AMX (`MLA_AB_COLD=1 mla_ab.sh`, 8,192 keys).
static inline void mla_prefetch_keys(const mla_rows *a, int64_t j, int64_t from, int64_t to) {
    const char *p = mla_key_at(a, j, 0);
    for (int64_t at = from; at < to; at += 64) __builtin_prefetch(p + at, 0, 1);
}

/// The first row that sees key b (rows see more keys as r grows).
static inline int mla_first_row(const mla_rows *a, int64_t b) {
    if (b < a->len0) return 0;
    const int64_t r = (b - a->len0 + 1) * a->per;
    return r < a->nrows ? (int)r : a->nrows;
}

/// The AMX BF16 kernel (mla_attention_amx.c) over keys j0 ..< j1 with ck_mla_part's contract for o and ml; 0 when it
/// ran, −1 when it cannot (no scratch, vw not a multiple of 32, or keys neither f16 nor q8_0).
int ck_mla_part_amx(const mla_rows *a, int64_t j0, int64_t j1, float scale, float *o, float *ml);

#endif
