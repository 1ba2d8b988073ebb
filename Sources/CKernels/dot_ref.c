// Scalar reference vec_dot kernels: ggml's integer block sums, float epilogues as llama.cpp's x86 prompt-batch GEMMs.
#include <math.h>
#include "blocks.h"
#pragma STDC FP_CONTRACT OFF

float ck_dot_f32_ref(int n, const void *w, const void *x) {
    const float *a = w, *b = x;
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)(a[i] * b[i]);
    return (float)s;
}
float ck_dot_f16_ref(int n, const void *w, const void *x) {
    const uint16_t *a = w, *b = x;
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)(ck_fp16_to_fp32(a[i]) * ck_fp16_to_fp32(b[i]));
    return (float)s;
}
float ck_dot_bf16_ref(int n, const void *w, const void *x) {
    const uint16_t *a = w, *b = x;
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)(ck_bf16_to_fp32(a[i]) * ck_bf16_to_fp32(b[i]));
    return (float)s;
}

float ck_dot_q4_0_ref(int n, const void *w, const void *x) {
    const block_q4_0 *a = w; const block_q8_0 *b = x;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ib++) {
        int s0 = 0, s1 = 0;
        for (int j = 0; j < QK/2; j++) {
            s0 += ((a[ib].qs[j] & 0x0F) - 8) * b[ib].qs[j];
            s1 += ((a[ib].qs[j] >> 4) - 8) * b[ib].qs[j + QK/2];
        }
        sumf = fmaf((float)(s0 + s1), ck_h2f(a[ib].d) * ck_h2f(b[ib].d), sumf);  // as llama.cpp's repacked GEMM
    }
    return sumf;
}
float ck_dot_q4_1_ref(int n, const void *w, const void *x) {
    const block_q4_1 *a = w; const block_q8_1 *b = x;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ib++) {
        int s0 = 0, s1 = 0;
        for (int j = 0; j < QK/2; j++) {
            s0 += (a[ib].qs[j] & 0x0F) * b[ib].qs[j];
            s1 += (a[ib].qs[j] >> 4) * b[ib].qs[j + QK/2];
        }
        sumf += (ck_h2f(a[ib].d) * ck_h2f(b[ib].d)) * (s0 + s1) + ck_h2f(a[ib].m) * ck_h2f(b[ib].s);
    }
    return sumf;
}
float ck_dot_q5_0_ref(int n, const void *w, const void *x) {
    const block_q5_0 *a = w; const block_q8_0 *b = x;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ib++) {
        uint32_t qh; memcpy(&qh, a[ib].qh, 4);
        int s0 = 0, s1 = 0;
        for (int j = 0; j < QK/2; j++) {
            const uint8_t xh0 = ((qh & (1u << (j + 0))) >> (j + 0)) << 4;
            const uint8_t xh1 = ((qh & (1u << (j + 16))) >> (j + 12));
            s0 += (int8_t)(((a[ib].qs[j] & 0x0F) | xh0) - 16) * b[ib].qs[j];
            s1 += (int8_t)(((a[ib].qs[j] >> 4) | xh1) - 16) * b[ib].qs[j + QK/2];
        }
        sumf += (ck_h2f(a[ib].d) * ck_h2f(b[ib].d)) * (s0 + s1);
    }
    return sumf;
}
float ck_dot_q5_1_ref(int n, const void *w, const void *x) {
    const block_q5_1 *a = w; const block_q8_1 *b = x;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ib++) {
        uint32_t qh; memcpy(&qh, a[ib].qh, 4);
        int s0 = 0, s1 = 0;
        for (int j = 0; j < QK/2; j++) {
            const uint8_t xh0 = ((qh >> (j + 0)) << 4) & 0x10;
            const uint8_t xh1 = ((qh >> (j + 12))) & 0x10;
            s0 += ((a[ib].qs[j] & 0x0F) | xh0) * b[ib].qs[j];
            s1 += ((a[ib].qs[j] >> 4) | xh1) * b[ib].qs[j + QK/2];
        }
        sumf += (ck_h2f(a[ib].d) * ck_h2f(b[ib].d)) * (s0 + s1) + ck_h2f(a[ib].m) * ck_h2f(b[ib].s);
    }
    return sumf;
}
float ck_dot_q8_0_ref(int n, const void *w, const void *x) {
    const block_q8_0 *a = w; const block_q8_0 *b = x;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ib++) {
        int s = 0;
        for (int j = 0; j < QK; j++) s += a[ib].qs[j] * b[ib].qs[j];
        sumf += s * (ck_h2f(a[ib].d) * ck_h2f(b[ib].d));
    }
    return sumf;
}
float ck_dot_iq4_nl_ref(int n, const void *w, const void *x) {
    const block_iq4_nl *a = w; const block_q8_0 *b = x;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ib++) {
        const float d = ck_h2f(b[ib].d) * ck_h2f(a[ib].d);
        int s1 = 0, s2 = 0;
        for (int j = 0; j < QK/2; j++) {
            s1 += b[ib].qs[j] * ck_kvalues_iq4nl[a[ib].qs[j] & 0xf];
            s2 += b[ib].qs[j + QK/2] * ck_kvalues_iq4nl[a[ib].qs[j] >> 4];
        }
        sumf = fmaf((float)(s1 + s2), d, sumf);  // as llama.cpp's repacked GEMM
    }
    return sumf;
}

float ck_dot_q2_K_ref(int n, const void *w, const void *x) {
    const block_q2_K *a = w; const block_q8_K *b = x;
    float sumf = 0;
    for (int i = 0; i < n / QK_K; i++) {
        const uint8_t *q2 = a[i].qs, *sc = a[i].scales;
        const int8_t *q8 = b[i].qs;
        int summs = 0;
        for (int j = 0; j < 16; ++j) summs += b[i].bsums[j] * (sc[j] >> 4);
        const float dall = b[i].d * ck_h2f(a[i].d), dmin = b[i].d * ck_h2f(a[i].dmin);
        int isum = 0, is = 0;
        for (int k = 0; k < QK_K/128; ++k) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                int d = sc[is++] & 0xF, isuml = 0;
                for (int l = 0; l < 16; ++l) isuml += q8[l] * ((q2[l] >> shift) & 3);
                isum += d * isuml;
                d = sc[is++] & 0xF; isuml = 0;
                for (int l = 16; l < 32; ++l) isuml += q8[l] * ((q2[l] >> shift) & 3);
                isum += d * isuml;
                shift += 2; q8 += 32;
            }
            q2 += 32;
        }
        sumf += dall * isum - dmin * summs;
    }
    return sumf;
}
float ck_dot_q3_K_ref(int n, const void *w, const void *x) {
    const block_q3_K *a = w; const block_q8_K *b = x;
    float sumf = 0;
    for (int i = 0; i < n / QK_K; i++) {
        int8_t sc[16]; ck_q3k_scales(a[i].scales, sc);
        const uint8_t *q3 = a[i].qs, *hm = a[i].hmask;
        const int8_t *q8 = b[i].qs;
        int isum = 0, is = 0; uint8_t m = 1;
        for (int k = 0; k < QK_K/128; ++k) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                for (int h = 0; h < 2; ++h) {
                    int s = 0;
                    for (int l = 16*h; l < 16*h + 16; ++l) s += q8[l] * (((q3[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4));
                    isum += sc[is++] * s;
                }
                shift += 2; m <<= 1; q8 += 32;
            }
            q3 += 32;
        }
        sumf += ((float)isum * ck_h2f(a[i].d)) * b[i].d;
    }
    return sumf;
}
float ck_dot_q4_K_ref(int n, const void *w, const void *x) {
    const block_q4_K *a = w; const block_q8_K *b = x;
    float sumf = 0;
    for (int i = 0; i < n / QK_K; i++) {
        const uint8_t *q4 = a[i].qs;
        const int8_t *q8 = b[i].qs;
        int isum = 0, summs = 0;
        for (int j = 0; j < QK_K/64; ++j) {
            uint8_t sc1, m1, sc2, m2;
            ck_scale_min_k4(2*j, a[i].scales, &sc1, &m1);
            ck_scale_min_k4(2*j + 1, a[i].scales, &sc2, &m2);
            int s1 = 0, s2 = 0;
            for (int l = 0; l < 32; ++l) { s1 += q8[l] * (q4[l] & 0xF); s2 += q8[l + 32] * (q4[l] >> 4); }
            isum += sc1 * s1 + sc2 * s2;
            summs += m1 * (b[i].bsums[4*j] + b[i].bsums[4*j + 1]) + m2 * (b[i].bsums[4*j + 2] + b[i].bsums[4*j + 3]);
            q4 += 32; q8 += 64;
        }
        sumf += (ck_h2f(a[i].d) * b[i].d) * isum - (ck_h2f(a[i].dmin) * b[i].d) * summs;
    }
    return sumf;
}
float ck_dot_q5_K_ref(int n, const void *w, const void *x) {
    const block_q5_K *a = w; const block_q8_K *b = x;
    float sumf = 0;
    for (int i = 0; i < n / QK_K; i++) {
        const uint8_t *q4 = a[i].qs, *hm = a[i].qh;
        const int8_t *q8 = b[i].qs;
        int isum = 0, summs = 0; uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < QK_K/64; ++j) {
            uint8_t sc1, m1, sc2, m2;
            ck_scale_min_k4(2*j, a[i].scales, &sc1, &m1);
            ck_scale_min_k4(2*j + 1, a[i].scales, &sc2, &m2);
            int s1 = 0, s2 = 0;
            for (int l = 0; l < 32; ++l) {
                s1 += q8[l] * ((q4[l] & 0xF) + (hm[l] & u1 ? 16 : 0));
                s2 += q8[l + 32] * ((q4[l] >> 4) + (hm[l] & u2 ? 16 : 0));
            }
            isum += sc1 * s1 + sc2 * s2;
            summs += m1 * (b[i].bsums[4*j] + b[i].bsums[4*j + 1]) + m2 * (b[i].bsums[4*j + 2] + b[i].bsums[4*j + 3]);
            q4 += 32; q8 += 64; u1 <<= 2; u2 <<= 2;
        }
        sumf += fmaf(-ck_h2f(a[i].dmin), (float)summs, (float)isum * ck_h2f(a[i].d)) * b[i].d;
    }
    return sumf;
}
float ck_dot_q6_K_ref(int n, const void *w, const void *x) {
    const block_q6_K *a = w; const block_q8_K *b = x;
    float sumf = 0;
    for (int i = 0; i < n / QK_K; i++) {
        const uint8_t *ql = a[i].ql, *qh = a[i].qh;
        const int8_t *q8 = b[i].qs, *sc = a[i].scales;
        int isum = 0;
        for (int k = 0; k < QK_K/128; ++k) {
            int s[8] = {0};
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                s[is + 0] += q8[l + 0] * ((int8_t)((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
                s[is + 2] += q8[l + 32] * ((int8_t)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                s[is + 4] += q8[l + 64] * ((int8_t)((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                s[is + 6] += q8[l + 96] * ((int8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
            for (int j = 0; j < 8; ++j) isum += sc[j] * s[j];
            ql += 64; qh += 32; q8 += 128; sc += 8;
        }
        sumf += ((float)isum * ck_h2f(a[i].d)) * b[i].d;
    }
    return sumf;
}
float ck_dot_iq4_xs_ref(int n, const void *w, const void *x) {
    // one integer sum per block (Σ (ls-32)·Σ q·y), then one float step, like the K-quants
    const block_iq4_xs *a = w; const block_q8_K *b = x;
    float sumf = 0;
    for (int ibl = 0; ibl < n / QK_K; ++ibl) {
        const uint8_t *qs = a[ibl].qs;
        const int8_t *q8 = b[ibl].qs;
        int isum = 0;
        for (int ib = 0; ib < QK_K/32; ++ib) {
            const int ls = ((a[ibl].scales_l[ib/2] >> 4*(ib%2)) & 0xf) | (((a[ibl].scales_h >> 2*ib) & 3) << 4);
            int s = 0;
            for (int j = 0; j < 16; ++j) s += q8[j] * ck_kvalues_iq4nl[qs[j] & 0xf] + q8[j + 16] * ck_kvalues_iq4nl[qs[j] >> 4];
            isum += (ls - 32) * s;
            qs += 16; q8 += 32;
        }
        sumf += ((float)isum * ck_h2f(a[ibl].d)) * b[ibl].d;
    }
    return sumf;
}
