// Block unpacking the AVX2 kernels share (private to CKernels): 4-, 5- and 6-bit quants as bytes.
#ifndef CK_UNPACK_AVX2_H
#define CK_UNPACK_AVX2_H
#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>
#include "blocks.h"

/// 32 nibbles of 16 bytes as 32 bytes: low nibbles first (elements 0..15), then high nibbles (16..31).
__attribute__((target("avx2"))) static inline __m256i nibbles32(const uint8_t *q) {
    const __m128i t = _mm_loadu_si128((const __m128i *)q);
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0x0F));
}

/// 0xFF in byte j where bit j of the 32-bit word at q is set.
__attribute__((target("avx2"))) static inline __m256i bytes_from_bits32(const uint8_t *q) {
    uint32_t x32; memcpy(&x32, q, 4);
    const __m256i shuf = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
    __m256i b = _mm256_shuffle_epi8(_mm256_set1_epi32((int)x32), shuf);
    b = _mm256_or_si256(b, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe));
    return _mm256_cmpeq_epi8(b, _mm256_set1_epi64x(-1));
}

/// The 32 signed quants (q − 16, −16…15) of a Q5_0 block: the nibble, minus 16 where the fifth bit is clear.
__attribute__((target("avx2"))) static inline __m256i q5_0_quants(const block_q5_0 *a) {
    return _mm256_or_si256(nibbles32(a->qs), _mm256_andnot_si256(bytes_from_bits32(a->qh), _mm256_set1_epi8((char)0xF0)));
}

/// The 6-bit values (0…63, unsigned) of one 128-element half kk of a Q6_K block: q[g] = elements 128kk + 32g … + 31.
__attribute__((target("avx2"))) static inline void q6_K_half(const block_q6_K *a, int kk, __m256i q[4]) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x30);
    const __m256i hb = _mm256_loadu_si256((const __m256i *)(a->qh + 32*kk));
    const __m256i b1 = _mm256_loadu_si256((const __m256i *)(a->ql + 64*kk)), b2 = _mm256_loadu_si256((const __m256i *)(a->ql + 64*kk + 32));
    q[0] = _mm256_or_si256(_mm256_and_si256(b1, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 4), m2));
    q[1] = _mm256_or_si256(_mm256_and_si256(b2, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 2), m2));
    q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b1, 4), m4), _mm256_and_si256(hb, m2));
    q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b2, 4), m4), _mm256_and_si256(_mm256_srli_epi16(hb, 2), m2));
}
#endif
#endif
