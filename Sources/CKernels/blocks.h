// ggml block layouts (private to CKernels); sizes checked by static asserts against ggml's byte counts.
#ifndef CK_BLOCKS_H
#define CK_BLOCKS_H
#include <stdint.h>
#include <string.h>
#include "CKernels.h"

#define QK 32
#define QK_K 256
#define K_SCALE_SIZE 12

typedef struct { uint16_t d; uint8_t qs[QK/2]; } block_q4_0;
typedef struct { uint16_t d, m; uint8_t qs[QK/2]; } block_q4_1;
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[QK/2]; } block_q5_0;
typedef struct { uint16_t d, m; uint8_t qh[4]; uint8_t qs[QK/2]; } block_q5_1;
typedef struct { uint16_t d; int8_t qs[QK]; } block_q8_0;
typedef struct { uint16_t d, s; int8_t qs[QK]; } block_q8_1;
typedef struct { uint8_t scales[QK_K/16]; uint8_t qs[QK_K/4]; uint16_t d, dmin; } block_q2_K;
typedef struct { uint8_t hmask[QK_K/8]; uint8_t qs[QK_K/4]; uint8_t scales[12]; uint16_t d; } block_q3_K;
typedef struct { uint16_t d, dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qs[QK_K/2]; } block_q4_K;
typedef struct { uint16_t d, dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qh[QK_K/8]; uint8_t qs[QK_K/2]; } block_q5_K;
typedef struct { uint8_t ql[QK_K/2]; uint8_t qh[QK_K/4]; int8_t scales[QK_K/16]; uint16_t d; } block_q6_K;
typedef struct { float d; int8_t qs[QK_K]; int16_t bsums[QK_K/16]; } block_q8_K;
typedef struct { uint16_t d; uint8_t qs[QK/2]; } block_iq4_nl;
/// One 256-block of up to 4 Q8_K activation rows repacked for the Q4_K GEMM kernels: per row the 256 quants (in
/// the order the one-row kernel's transposed nibble registers want them, gemm.c; in their own order for the
/// interleaved-rows kernel, gemm_q4_K_r_avx2.c), the scale, and the sums of each 32-element sub-block
/// (bsums[2s] + bsums[2s+1]); rows past the group's count are zero.
typedef struct { int8_t qs[4][QK_K]; float d[4]; int16_t bsp[4][8]; uint8_t pad[16]; } block_q8_Kx4;
/// The same for the Q6_K and Q6_K_R kernels: quants in their register order (gemm.c), the scale and the 16 block sums.
typedef struct { int8_t qs[4][QK_K]; float d[4]; int16_t bsums[4][16]; uint8_t pad[16]; } block_q8_Kx4s;
typedef struct { uint16_t d; uint16_t scales_h; uint8_t scales_l[QK_K/64]; uint8_t qs[QK_K/2]; } block_iq4_xs;

_Static_assert(sizeof(block_q4_0) == 18, "q4_0 layout");
_Static_assert(sizeof(block_q4_1) == 20, "q4_1 layout");
_Static_assert(sizeof(block_q5_0) == 22, "q5_0 layout");
_Static_assert(sizeof(block_q5_1) == 24, "q5_1 layout");
_Static_assert(sizeof(block_q8_0) == 34, "q8_0 layout");
_Static_assert(sizeof(block_q8_Kx4) == 1120, "q8_Kx4 layout: a multiple of 32 bytes");
_Static_assert(sizeof(block_q8_Kx4s) == 1184, "q8_Kx4s layout: a multiple of 32 bytes");
_Static_assert(sizeof(block_q8_1) == 36, "q8_1 layout");
_Static_assert(sizeof(block_q2_K) == 84, "q2_K layout");
_Static_assert(sizeof(block_q3_K) == 110, "q3_K layout");
_Static_assert(sizeof(block_q4_K) == 144, "q4_K layout");
_Static_assert(sizeof(block_q5_K) == 176, "q5_K layout");
_Static_assert(sizeof(block_q6_K) == 210, "q6_K layout");
_Static_assert(sizeof(block_q8_K) == 292, "q8_K layout");
_Static_assert(sizeof(block_iq4_nl) == 18, "iq4_nl layout");
_Static_assert(sizeof(block_iq4_xs) == 136, "iq4_xs layout");

extern const int8_t ck_kvalues_iq4nl[16];

static inline float ck_h2f(uint16_t h) { return ck_fp16_to_fp32(h); }

/// 6-bit scale and min number j (0..7) of a Q4_K/Q5_K block.
static inline void ck_scale_min_k4(int j, const uint8_t *q, uint8_t *d, uint8_t *m) {
    if (j < 4) { *d = q[j] & 63; *m = q[j + 4] & 63; }
    else { *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4); *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4); }
}

/// The 16 signed 6-bit scales of a Q3_K block (each already minus 32).
static inline void ck_q3k_scales(const uint8_t *s, int8_t out[16]) {
    uint32_t aux[4]; memcpy(aux, s, 12);
    const uint32_t kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
    uint32_t tmp = aux[2];
    aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
    aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
    aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
    aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
    memcpy(out, aux, 16);
    for (int i = 0; i < 16; i++) out[i] = (int8_t)(out[i] - 32);
}

/// Scalar reference vec_dots (ggml's generic code), one per weight type.
float ck_dot_f32_ref(int n, const void *w, const void *x);
float ck_dot_f16_ref(int n, const void *w, const void *x);
float ck_dot_bf16_ref(int n, const void *w, const void *x);
float ck_dot_q4_0_ref(int n, const void *w, const void *x);
float ck_dot_q4_1_ref(int n, const void *w, const void *x);
float ck_dot_q5_0_ref(int n, const void *w, const void *x);
float ck_dot_q5_1_ref(int n, const void *w, const void *x);
float ck_dot_q8_0_ref(int n, const void *w, const void *x);
float ck_dot_q2_K_ref(int n, const void *w, const void *x);
float ck_dot_q3_K_ref(int n, const void *w, const void *x);
float ck_dot_q4_K_ref(int n, const void *w, const void *x);
float ck_dot_q5_K_ref(int n, const void *w, const void *x);
float ck_dot_q6_K_ref(int n, const void *w, const void *x);
float ck_dot_iq4_nl_ref(int n, const void *w, const void *x);
float ck_dot_iq4_xs_ref(int n, const void *w, const void *x);
#endif
