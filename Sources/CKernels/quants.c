// Dequantization of ggml weight blocks and quantization of activations (Q8_0/Q8_1/Q8_K/F16/BF16), scalar reference.
#include <math.h>
#include <stdlib.h>
#include "blocks.h"
#include "simd.h"

const int8_t ck_kvalues_iq4nl[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

int ck_block_elems(uint32_t t) {
    switch (t) {
    case CK_F32: case CK_F16: case CK_BF16: return 1;
    case CK_Q4_0: case CK_Q4_1: case CK_Q5_0: case CK_Q5_1: case CK_Q8_0: case CK_Q8_1: case CK_IQ4_NL: return QK;
    case CK_Q2_K: case CK_Q3_K: case CK_Q4_K: case CK_Q4_K_R: case CK_Q5_K: case CK_Q6_K: case CK_Q6_K_R: case CK_Q8_K: case CK_IQ4_XS: return QK_K;
    default: return 0;
    }
}

int ck_block_struct_size(uint32_t t) {
    switch (t) {
    case CK_F32: return 4; case CK_F16: case CK_BF16: return 2;
    case CK_Q4_0: return sizeof(block_q4_0); case CK_Q4_1: return sizeof(block_q4_1);
    case CK_Q5_0: return sizeof(block_q5_0); case CK_Q5_1: return sizeof(block_q5_1);
    case CK_Q8_0: return sizeof(block_q8_0); case CK_Q8_1: return sizeof(block_q8_1);
    case CK_Q2_K: return sizeof(block_q2_K); case CK_Q3_K: return sizeof(block_q3_K);
    case CK_Q4_K: case CK_Q4_K_R: return sizeof(block_q4_K); case CK_Q5_K: return sizeof(block_q5_K);
    case CK_Q6_K: case CK_Q6_K_R: return sizeof(block_q6_K); case CK_Q8_K: return sizeof(block_q8_K);
    case CK_IQ4_NL: return sizeof(block_iq4_nl); case CK_IQ4_XS: return sizeof(block_iq4_xs);
    default: return 0;
    }
}

int ck_block_bytes(uint32_t t) { return ck_block_struct_size(t); }

size_t ck_row_bytes(uint32_t t, int64_t n) {
    const int be = ck_block_elems(t);
    if (be == 0 || n < 0 || n % be) return 0;
    return (size_t)(n / be) * (size_t)ck_block_bytes(t);
}

int ck_vec_dot_type(uint32_t t) {
    switch (t) {
    case CK_F32: return CK_F32; case CK_F16: return CK_F16; case CK_BF16: return CK_BF16;
    case CK_Q4_0: case CK_Q5_0: case CK_Q8_0: case CK_IQ4_NL: return CK_Q8_0;
    case CK_Q4_1: case CK_Q5_1: return CK_Q8_1;
    case CK_Q2_K: case CK_Q3_K: case CK_Q4_K: case CK_Q4_K_R: case CK_Q5_K: case CK_Q6_K: case CK_Q6_K_R: case CK_IQ4_XS: return CK_Q8_K;
    default: return -1;
    }
}

int ck_type_supported(uint32_t t) { return ck_vec_dot_type(t) >= 0; }

// ---- dequantization ----

static void deq_q4_0(const block_q4_0 *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = ck_h2f(x[i].d);
        for (int j = 0; j < QK/2; j++) {
            y[i*QK + j] = ((x[i].qs[j] & 0x0F) - 8) * d;
            y[i*QK + j + QK/2] = ((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}
static void deq_q4_1(const block_q4_1 *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = ck_h2f(x[i].d), m = ck_h2f(x[i].m);
        for (int j = 0; j < QK/2; j++) {
            y[i*QK + j] = (x[i].qs[j] & 0x0F) * d + m;
            y[i*QK + j + QK/2] = (x[i].qs[j] >> 4) * d + m;
        }
    }
}
static void deq_q5_0(const block_q5_0 *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = ck_h2f(x[i].d);
        uint32_t qh; memcpy(&qh, x[i].qh, 4);
        for (int j = 0; j < QK/2; j++) {
            const uint8_t xh0 = ((qh >> (j + 0)) << 4) & 0x10, xh1 = ((qh >> (j + 12))) & 0x10;
            y[i*QK + j] = (((x[i].qs[j] & 0x0F) | xh0) - 16) * d;
            y[i*QK + j + QK/2] = (((x[i].qs[j] >> 4) | xh1) - 16) * d;
        }
    }
}
static void deq_q5_1(const block_q5_1 *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = ck_h2f(x[i].d), m = ck_h2f(x[i].m);
        uint32_t qh; memcpy(&qh, x[i].qh, 4);
        for (int j = 0; j < QK/2; j++) {
            const uint8_t xh0 = ((qh >> (j + 0)) << 4) & 0x10, xh1 = ((qh >> (j + 12))) & 0x10;
            y[i*QK + j] = ((x[i].qs[j] & 0x0F) | xh0) * d + m;
            y[i*QK + j + QK/2] = ((x[i].qs[j] >> 4) | xh1) * d + m;
        }
    }
}
static void deq_q8_0(const block_q8_0 *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = ck_h2f(x[i].d);
        for (int j = 0; j < QK; j++) y[i*QK + j] = x[i].qs[j] * d;
    }
}
static void deq_q2_K(const block_q2_K *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = ck_h2f(x[i].d), min = ck_h2f(x[i].dmin);
        const uint8_t *q = x[i].qs;
        int is = 0;
        for (int n = 0; n < QK_K; n += 128) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                uint8_t sc = x[i].scales[is++];
                float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                for (int l = 0; l < 16; ++l) *y++ = dl * ((int8_t)((q[l] >> shift) & 3)) - ml;
                sc = x[i].scales[is++];
                dl = d * (sc & 0xF); ml = min * (sc >> 4);
                for (int l = 0; l < 16; ++l) *y++ = dl * ((int8_t)((q[l + 16] >> shift) & 3)) - ml;
                shift += 2;
            }
            q += 32;
        }
    }
}
static void deq_q3_K(const block_q3_K *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d_all = ck_h2f(x[i].d);
        const uint8_t *q = x[i].qs, *hm = x[i].hmask;
        uint8_t m = 1;
        int8_t scales[16]; ck_q3k_scales(x[i].scales, scales);
        int is = 0;
        for (int n = 0; n < QK_K; n += 128) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                float dl = d_all * scales[is++];
                for (int l = 0; l < 16; ++l) *y++ = dl * ((int8_t)((q[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4));
                dl = d_all * scales[is++];
                for (int l = 0; l < 16; ++l) *y++ = dl * ((int8_t)((q[l + 16] >> shift) & 3) - ((hm[l + 16] & m) ? 0 : 4));
                shift += 2; m <<= 1;
            }
            q += 32;
        }
    }
}
static void deq_q4_K(const block_q4_K *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const uint8_t *q = x[i].qs;
        const float d = ck_h2f(x[i].d), min = ck_h2f(x[i].dmin);
        int is = 0; uint8_t sc, m;
        for (int j = 0; j < QK_K; j += 64) {
            ck_scale_min_k4(is + 0, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = min * m;
            ck_scale_min_k4(is + 1, x[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = min * m;
            for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
            q += 32; is += 2;
        }
    }
}
static void deq_q5_K(const block_q5_K *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const uint8_t *ql = x[i].qs, *qh = x[i].qh;
        const float d = ck_h2f(x[i].d), min = ck_h2f(x[i].dmin);
        int is = 0; uint8_t sc, m, u1 = 1, u2 = 2;
        for (int j = 0; j < QK_K; j += 64) {
            ck_scale_min_k4(is + 0, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = min * m;
            ck_scale_min_k4(is + 1, x[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = min * m;
            for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
            ql += 32; is += 2; u1 <<= 2; u2 <<= 2;
        }
    }
}
static void deq_q6_K(const block_q6_K *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = ck_h2f(x[i].d);
        const uint8_t *ql = x[i].ql, *qh = x[i].qh;
        const int8_t *sc = x[i].scales;
        for (int n = 0; n < QK_K; n += 128) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int8_t q1 = (int8_t)((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int8_t q2 = (int8_t)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int8_t q3 = (int8_t)((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int8_t q4 = (int8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l + 0] = d * sc[is + 0] * q1;
                y[l + 32] = d * sc[is + 2] * q2;
                y[l + 64] = d * sc[is + 4] * q3;
                y[l + 96] = d * sc[is + 6] * q4;
            }
            y += 128; ql += 64; qh += 32; sc += 8;
        }
    }
}
static void deq_iq4_nl(const block_iq4_nl *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = ck_h2f(x[i].d);
        for (int j = 0; j < QK/2; j++) {
            y[i*QK + j] = d * ck_kvalues_iq4nl[x[i].qs[j] & 0xf];
            y[i*QK + j + QK/2] = d * ck_kvalues_iq4nl[x[i].qs[j] >> 4];
        }
    }
}
static void deq_iq4_xs(const block_iq4_xs *x, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const uint8_t *qs = x[i].qs;
        const float d = ck_h2f(x[i].d);
        for (int ib = 0; ib < QK_K/32; ++ib) {
            const int ls = ((x[i].scales_l[ib/2] >> 4*(ib%2)) & 0xf) | (((x[i].scales_h >> 2*ib) & 3) << 4);
            const float dl = d * (ls - 32);
            for (int j = 0; j < 16; ++j) {
                y[j + 0] = dl * ck_kvalues_iq4nl[qs[j] & 0xf];
                y[j + 16] = dl * ck_kvalues_iq4nl[qs[j] >> 4];
            }
            y += 32; qs += 16;
        }
    }
}

int ck_dequantize_row(uint32_t t, const void *src, float *dst, int64_t n) {
    const int be = ck_block_elems(t);
    if (be == 0 || n < 0 || n % be) return -1;
    const int64_t nb = n / be;
    switch (t) {
    case CK_F32: memcpy(dst, src, (size_t)n * 4); return 0;
    case CK_F16: {
        const uint16_t *s = src;
#if defined(__x86_64__)
        if (ck_simd_enabled()) { ck_dequant_f16_avx2(s, dst, n); return 0; }
#endif
        for (int64_t i = 0; i < n; i++) dst[i] = ck_fp16_to_fp32(s[i]);
        return 0;
    }
    case CK_BF16: { const uint16_t *s = src; for (int64_t i = 0; i < n; i++) dst[i] = ck_bf16_to_fp32(s[i]); return 0; }
    case CK_Q4_0: deq_q4_0(src, dst, nb); return 0;
    case CK_Q4_1: deq_q4_1(src, dst, nb); return 0;
    case CK_Q5_0: deq_q5_0(src, dst, nb); return 0;
    case CK_Q5_1: deq_q5_1(src, dst, nb); return 0;
    case CK_Q8_0: deq_q8_0(src, dst, nb); return 0;
    case CK_Q2_K: deq_q2_K(src, dst, nb); return 0;
    case CK_Q3_K: deq_q3_K(src, dst, nb); return 0;
    case CK_Q4_K: deq_q4_K(src, dst, nb); return 0;
    case CK_Q4_K_R:
        for (int64_t i = 0; i < nb; i++) { block_q4_K b; ck_q4_K_unrepack((const block_q4_K *)src + i, &b); deq_q4_K(&b, dst + i * QK_K, 1); }
        return 0;
    case CK_Q5_K: deq_q5_K(src, dst, nb); return 0;
    case CK_Q6_K: deq_q6_K(src, dst, nb); return 0;
    case CK_Q6_K_R:
        for (int64_t i = 0; i < nb; i++) { block_q6_K b; ck_q6_K_unrepack((const block_q6_K *)src + i, &b); deq_q6_K(&b, dst + i * QK_K, 1); }
        return 0;
    case CK_IQ4_NL: deq_iq4_nl(src, dst, nb); return 0;
    case CK_IQ4_XS: deq_iq4_xs(src, dst, nb); return 0;
    case CK_Q8_K: {
        const block_q8_K *x = src;
        for (int64_t i = 0; i < nb; i++) for (int j = 0; j < QK_K; j++) dst[i*QK_K + j] = x[i].d * x[i].qs[j];
        return 0;
    }
    case CK_Q8_1: {
        const block_q8_1 *x = src;
        for (int64_t i = 0; i < nb; i++) { const float d = ck_h2f(x[i].d); for (int j = 0; j < QK; j++) dst[i*QK + j] = x[i].qs[j] * d; }
        return 0;
    }
    default: return -1;
    }
}

// ---- activation quantization (ggml's *_ref quantizers) ----

static inline int nearest_int(float fval) {
    float val = fval + 12582912.f;
    int i; memcpy(&i, &val, sizeof(int));
    return (i & 0x007fffff) - 0x00400000;
}

static void quant_q8_0(const float *x, block_q8_0 *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float amax = 0.0f;
        for (int j = 0; j < QK; j++) amax = fmaxf(amax, fabsf(x[i*QK + j]));
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        y[i].d = ck_fp32_to_fp16(d);
        for (int j = 0; j < QK; j++) y[i].qs[j] = (int8_t)nearbyintf(x[i*QK + j] * id);
    }
}
static void quant_q8_1(const float *x, block_q8_1 *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float amax = 0.0f;
        for (int j = 0; j < QK; j++) amax = fmaxf(amax, fabsf(x[i*QK + j]));
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        y[i].d = ck_fp32_to_fp16(d);
        int sum = 0;
        for (int j = 0; j < QK/2; ++j) {
            y[i].qs[j] = (int8_t)nearbyintf(x[i*QK + j] * id);
            y[i].qs[QK/2 + j] = (int8_t)nearbyintf(x[i*QK + QK/2 + j] * id);
            sum += y[i].qs[j] + y[i].qs[QK/2 + j];
        }
        y[i].s = ck_fp32_to_fp16(sum * d);
    }
}
static void quant_q8_K(const float *x, block_q8_K *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, x += QK_K) {
        float max = 0, amax = 0;
        for (int j = 0; j < QK_K; ++j) { const float ax = fabsf(x[j]); if (ax > amax) { amax = ax; max = x[j]; } }
        if (!amax) { memset(&y[i], 0, sizeof(block_q8_K)); continue; }
        const float iscale = -127.f / max;
        for (int j = 0; j < QK_K; ++j) { const int v = nearest_int(iscale * x[j]); y[i].qs[j] = (int8_t)(v < 127 ? v : 127); }
        for (int j = 0; j < QK_K/16; ++j) {
            int sum = 0;
            for (int ii = 0; ii < 16; ++ii) sum += y[i].qs[j*16 + ii];
            y[i].bsums[j] = (int16_t)sum;
        }
        y[i].d = 1 / iscale;
    }
}

static void quant_f16(const float *x, uint16_t *d, int64_t n) { for (int64_t i = 0; i < n; i++) d[i] = ck_fp32_to_fp16(x[i]); }
static void quant_bf16(const float *x, uint16_t *d, int64_t n) { for (int64_t i = 0; i < n; i++) d[i] = ck_fp32_to_bf16(x[i]); }

int ck_quantize_row(uint32_t t, const float *x, void *dst, int64_t n) {
    const int be = ck_block_elems(t);
    if (be == 0 || n < 0 || n % be) return -1;
    switch (t) {
    case CK_F32: memcpy(dst, x, (size_t)n * 4); return 0;
#if defined(__x86_64__)
    case CK_F16: if (ck_simd_enabled()) ck_quant_f16_avx2(x, dst, n); else quant_f16(x, dst, n); return 0;
    case CK_BF16: if (ck_simd_enabled()) ck_quant_bf16_avx2(x, dst, n); else quant_bf16(x, dst, n); return 0;
    case CK_Q8_0: if (ck_simd_enabled()) ck_quant_q8_0_avx2(x, dst, n / QK); else quant_q8_0(x, dst, n / QK); return 0;
    case CK_Q8_K: if (ck_simd_enabled()) ck_quant_q8_K_avx2(x, dst, n / QK_K); else quant_q8_K(x, dst, n / QK_K); return 0;
#else
    case CK_F16: quant_f16(x, dst, n); return 0;
    case CK_BF16: quant_bf16(x, dst, n); return 0;
    case CK_Q8_0: quant_q8_0(x, dst, n / QK); return 0;
    case CK_Q8_K: quant_q8_K(x, dst, n / QK_K); return 0;
#endif
    case CK_Q8_1: quant_q8_1(x, dst, n / QK); return 0;
    default: return -1;
    }
}

void *ck_grow_buffer(void **buf, size_t *cap, size_t bytes, size_t first) {
    if (bytes > *cap) {
        size_t want = *cap ? *cap : first;
        while (want < bytes) want *= 2;
        void *p = NULL;
        if (posix_memalign(&p, 64, want) != 0) return NULL;
        free(*buf); *buf = p; *cap = want;
    }
    return *buf;
}

void *ck_thread_scratch(size_t bytes) {
    static _Thread_local void *buf = NULL;
    static _Thread_local size_t cap = 0;
    return ck_grow_buffer(&buf, &cap, bytes, 4096);
}
