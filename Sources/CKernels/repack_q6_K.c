// Load-time repacking of Q6_K weights (CK_Q6_K_R): the 192 bytes of 6-bit quants of each block are rewritten so
// that the AVX2 kernels (q6_K_r_avx2.c) need no per-sub-block scale shuffles and fewer unpacking steps. The 16
// scales and d stay where they are; every kernel gives the same bits as the Q6_K scalar twin on the original block.
//
// Layout. q[e] (e = 0…255) is element e's unsigned 6-bit value (weight + 32). Register r (r = 0…7, 32 bytes) holds
// two elements of every sub-block, so int16 lane j of a vpmaddubsw product belongs to sub-block j alone:
//   R_r[2j + h] = q[16j + 2r + h]    (j = 0…15 sub-block, h = 0, 1)
// The 192 bytes (ql then qh, which follow each other in block_q6_K) store the registers in two groups G = 0, 1 of
// three 32-byte vectors; the fourth register of a group rides in their top two bits:
//   S[96G + k]      = R_4G[k]   | (R_4G+3[k] & 3) << 6
//   S[96G + 32 + k] = R_4G+1[k] | (R_4G+3[k] >> 2 & 3) << 6
//   S[96G + 64 + k] = R_4G+2[k] | (R_4G+3[k] >> 4) << 6        (k = 0…31)
// so R_4G..R_4G+2 are one AND each and R_4G+3 is three shifts, three ANDs and two ORs (11 operations per four
// registers, where the file's layout needs 17).
#include <string.h>
#include "blocks.h"
#include "simd.h"

/// The 256 unsigned 6-bit values of a Q6_K block in element order.
static void q6_K_values(const block_q6_K *b, uint8_t q[QK_K]) {
    for (int kk = 0; kk < 2; kk++)
        for (int l = 0; l < 32; l++) {
            const uint8_t lo = b->ql[64*kk + l], hi = b->ql[64*kk + 32 + l], h = b->qh[32*kk + l];
            q[128*kk + l]      = (uint8_t)((lo & 15) | (h & 3) << 4);
            q[128*kk + l + 32] = (uint8_t)((hi & 15) | (h >> 2 & 3) << 4);
            q[128*kk + l + 64] = (uint8_t)((lo >> 4) | (h >> 4 & 3) << 4);
            q[128*kk + l + 96] = (uint8_t)((hi >> 4) | (h >> 6 & 3) << 4);
        }
}

void ck_repack_q6_K_block(const void *src, void *dst) {
    const block_q6_K *s = src;
    uint8_t q[QK_K], out[192];
    q6_K_values(s, q);
    for (int G = 0; G < 2; G++)
        for (int j = 0; j < 16; j++)
            for (int h = 0; h < 2; h++) {
                const int k = 2*j + h, e = 16*j + 8*G + h;  // element of R_4G at byte k; R_4G+i is e + 2i
                const uint8_t top = q[e + 6];
                out[96*G + k]      = (uint8_t)(q[e]     | (top & 3) << 6);
                out[96*G + 32 + k] = (uint8_t)(q[e + 2] | (top >> 2 & 3) << 6);
                out[96*G + 64 + k] = (uint8_t)(q[e + 4] | (top >> 4) << 6);
            }
    block_q6_K *d = dst;
    memmove(d->scales, s->scales, sizeof s->scales + sizeof s->d);
    memcpy(d->ql, out, sizeof d->ql);
    memcpy(d->qh, out + sizeof d->ql, sizeof d->qh);
}

void ck_q6_K_unrepack(const void *src, void *dst) {
    const block_q6_K *s = src; block_q6_K *d = dst;
    uint8_t S[192], q[QK_K];
    memcpy(S, s->ql, sizeof s->ql);
    memcpy(S + sizeof s->ql, s->qh, sizeof s->qh);
    for (int G = 0; G < 2; G++)
        for (int j = 0; j < 16; j++)
            for (int h = 0; h < 2; h++) {
                const int k = 2*j + h, e = 16*j + 8*G + h;
                const uint8_t a = S[96*G + k], b = S[96*G + 32 + k], c = S[96*G + 64 + k];
                q[e] = a & 63; q[e + 2] = b & 63; q[e + 4] = c & 63;
                q[e + 6] = (uint8_t)((a >> 6) | (b >> 6) << 2 | (c >> 6) << 4);
            }
    for (int kk = 0; kk < 2; kk++)
        for (int l = 0; l < 32; l++) {
            const uint8_t *v = q + 128*kk + l;
            d->ql[64*kk + l]      = (uint8_t)((v[0] & 15) | (v[64] & 15) << 4);
            d->ql[64*kk + 32 + l] = (uint8_t)((v[32] & 15) | (v[96] & 15) << 4);
            d->qh[32*kk + l]      = (uint8_t)((v[0] >> 4) | (v[32] >> 4) << 2 | (v[64] >> 4) << 4 | (v[96] >> 4) << 6);
        }
    memcpy(d->scales, s->scales, sizeof s->scales + sizeof s->d);
}
