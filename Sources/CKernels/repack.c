// Load-time repacking (the type dispatch at the end: Q4_K here, Q6_K in repack_q6_K.c). Q4_K weights (CK_Q4_K_R): the 128 nibble bytes of each block are permuted so that the
// AVX2 kernels load the nibble registers of gemm_q4_K (simd_avx2.c) directly instead of transposing them per block.
// Scales, d and dmin stay where they are; every kernel gives the same bits as on the original layout.
//
// Layout: Q4_K byte b of chunk p (p = 0…3, 32 bytes each) holds element 64p + b (low nibble) and 64p + 32 + b (high).
// Repacked register k (k = 0…3, 32 bytes), byte j = 16h + 4p + e (half h, dword p, byte e) with B0 = chunk p byte
// 4k + e and B1 = chunk p byte 16 + 4k + e:
//   h = 0: low nibble = low(B0),  high nibble = low(B1)
//   h = 1: low nibble = high(B1), high nibble = high(B0)
// so (R_k & 15) and (R_k >> 4) are exactly gemm_q4_K's M_k and N_k.
#include <string.h>
#include "blocks.h"
#include "simd.h"

static void repack_block_scalar(const block_q4_K *src, block_q4_K *dst) {
    uint8_t q[QK_K/2];
    for (int k = 0; k < 4; k++)
        for (int p = 0; p < 4; p++)
            for (int e = 0; e < 4; e++) {
                const uint8_t b0 = src->qs[32*p + 4*k + e], b1 = src->qs[32*p + 16 + 4*k + e];
                q[32*k + 4*p + e] = (uint8_t)((b0 & 15) | (b1 << 4));
                q[32*k + 16 + 4*p + e] = (uint8_t)((b1 >> 4) | (b0 & 0xF0));
            }
    memmove(dst, src, offsetof(block_q4_K, qs));
    memcpy(dst->qs, q, sizeof q);
}

void ck_q4_K_unrepack(const void *src, void *dst) {
    const block_q4_K *s = src; block_q4_K *d = dst;
    for (int k = 0; k < 4; k++)
        for (int p = 0; p < 4; p++)
            for (int e = 0; e < 4; e++) {
                const uint8_t r0 = s->qs[32*k + 4*p + e], r1 = s->qs[32*k + 16 + 4*p + e];
                d->qs[32*p + 4*k + e] = (uint8_t)((r0 & 15) | (r1 & 0xF0));
                d->qs[32*p + 16 + 4*k + e] = (uint8_t)((r0 >> 4) | (r1 << 4));
            }
    memcpy(d, s, offsetof(block_q4_K, qs));
}

/// A repacked layout's way back: one block in the file's layout (src and dst must not overlap), its size, and the
/// file type's kernels (single row and 4 rows) the fallbacks below run on it.
typedef struct { void (*unrepack)(const void *, void *); size_t size; ck_vec_dot_fn dot; ck_vec_dot4_fn dot4; } way_back;

/// Each block back in the file's layout through that type's kernel, one block per call: the kernels sum their blocks
/// as ((0 + t0) + t1) + …, so this sum has the same bits.
static float dot_unrepacked(int n, const void *w, const void *x, way_back k) {
    _Alignas(32) unsigned char u[sizeof(block_q6_K)];  // the larger of block_q4_K and block_q6_K
    float sumf = 0;
    for (int i = 0; i < n / QK_K; i++) {
        k.unrepack((const char *)w + i * k.size, u);
        sumf += k.dot(QK_K, u, (const block_q8_K *)x + i);
    }
    return sumf;
}

/// The same for 4 activation rows xbytes apart.
static void dot4_unrepacked(int n, const void *w, const void *x, size_t xbytes, float *out, way_back k) {
    _Alignas(32) unsigned char u[sizeof(block_q6_K)];
    float sumf[4] = {0, 0, 0, 0};
    for (int i = 0; i < n / QK_K; i++) {
        k.unrepack((const char *)w + i * k.size, u);
        float o[4];
        k.dot4(QK_K, u, (const block_q8_K *)x + i, xbytes, o);
        for (int t = 0; t < 4; t++) sumf[t] += o[t];
    }
    for (int t = 0; t < 4; t++) out[t] = sumf[t];
}

/// The scalar twins: the file type's reference kernel on each block back in its layout.
float ck_dot_q4_K_r_ref(int n, const void *w, const void *x) {
    return dot_unrepacked(n, w, x, (way_back){ ck_q4_K_unrepack, sizeof(block_q4_K), ck_dot_q4_K_ref, NULL });
}
float ck_dot_q6_K_r_ref(int n, const void *w, const void *x) {
    return dot_unrepacked(n, w, x, (way_back){ ck_q6_K_unrepack, sizeof(block_q6_K), ck_dot_q6_K_ref, NULL });
}

#if defined(__x86_64__)
float ck_dot_q4_K_avx2(int, const void *, const void *);
void ck_dot4_q4_K_avx2(int, const void *, const void *, size_t, float *);
float ck_dot_q6_K_avx2(int, const void *, const void *);
void ck_dot4_q6_K_avx2(int, const void *, const void *, size_t, float *);
void ck_repack_q4_K_block_avx2(void *block);  // simd_avx2.c: the permutation through gemm_q4_K's own transposition
void ck_repack_q6_K_block_avx2(void *block);  // q6_K_r_avx2.c

/// Fallbacks on plain Q8_K activations (the fast paths go through ck_matmul_rows, which packs them once): each
/// block back in the file's layout through that type's AVX2 kernels, summed per block exactly as those kernels do.
static const way_back q4_K_avx2 = { ck_q4_K_unrepack, sizeof(block_q4_K), ck_dot_q4_K_avx2, ck_dot4_q4_K_avx2 };
static const way_back q6_K_avx2 = { ck_q6_K_unrepack, sizeof(block_q6_K), ck_dot_q6_K_avx2, ck_dot4_q6_K_avx2 };
float ck_dot_q4_K_r_avx2(int n, const void *w, const void *x) { return dot_unrepacked(n, w, x, q4_K_avx2); }
float ck_dot_q6_K_r_avx2(int n, const void *w, const void *x) { return dot_unrepacked(n, w, x, q6_K_avx2); }
void ck_dot4_q4_K_r_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) { dot4_unrepacked(n, w, x, xbytes, out, q4_K_avx2); }
void ck_dot4_q6_K_r_avx2(int n, const void *w, const void *x, size_t xbytes, float *out) { dot4_unrepacked(n, w, x, xbytes, out, q6_K_avx2); }
#endif

int ck_repack(uint32_t type, void *data, int64_t nblocks) {
    if ((type != CK_Q4_K && type != CK_Q6_K) || nblocks < 0) return -1;
#if defined(__x86_64__)
    if (ck_cpu_features() & CK_AVX2) {
        if (type == CK_Q6_K) for (int64_t i = 0; i < nblocks; i++) ck_repack_q6_K_block_avx2((block_q6_K *)data + i);
        else for (int64_t i = 0; i < nblocks; i++) ck_repack_q4_K_block_avx2((block_q4_K *)data + i);
        return 0;
    }
#endif
    for (int64_t i = 0; i < nblocks; i++) ck_repack_block_scalar(type, (char *)data + i * ck_block_bytes(type), (char *)data + i * ck_block_bytes(type));
    return 0;
}

void ck_repack_block_scalar(uint32_t type, const void *src, void *dst) {
    if (type == CK_Q4_K) repack_block_scalar(src, dst);
    if (type == CK_Q6_K) ck_repack_q6_K_block(src, dst);
}
