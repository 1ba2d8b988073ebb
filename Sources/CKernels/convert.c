// Scalar half/bfloat16 conversions, bit-exact with ggml's reference conversions.
#include <math.h>
#include <string.h>
#include "CKernels.h"

static inline float f_bits(uint32_t w) { float f; memcpy(&f, &w, 4); return f; }
static inline uint32_t bits_f(float f) { uint32_t w; memcpy(&w, &f, 4); return w; }

float ck_fp16_to_fp32(uint16_t h) {
    const uint32_t w = (uint32_t)h << 16;
    const uint32_t sign = w & 0x80000000u;
    const uint32_t two_w = w + w;
    const float normalized = f_bits((two_w >> 4) + (0xE0u << 23)) * 0x1.0p-112f;
    const float denormalized = f_bits((two_w >> 17) | (126u << 23)) - 0.5f;
    const uint32_t r = sign | (two_w < (1u << 27) ? bits_f(denormalized) : bits_f(normalized));
    return f_bits(r);
}

uint16_t ck_fp32_to_fp16(float f) {
    float base = (fabsf(f) * 0x1.0p+112f) * 0x1.0p-110f;
    const uint32_t w = bits_f(f);
    const uint32_t shl1_w = w + w;
    const uint32_t sign = w & 0x80000000u;
    uint32_t bias = shl1_w & 0xFF000000u;
    if (bias < 0x71000000u) bias = 0x71000000u;
    base = f_bits((bias >> 1) + 0x07800000u) + base;
    const uint32_t b = bits_f(base);
    const uint32_t nonsign = ((b >> 13) & 0x00007C00u) + (b & 0x00000FFFu);
    return (uint16_t)((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

float ck_bf16_to_fp32(uint16_t h) { return f_bits((uint32_t)h << 16); }

uint16_t ck_fp32_to_bf16(float f) {
    const uint32_t u = bits_f(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 64); // NaN stays quiet NaN
    return (uint16_t)((u + (0x7fffu + ((u >> 16) & 1))) >> 16);
}
