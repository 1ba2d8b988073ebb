// AVX2 float dot/axpy (f32, or the second operand in f16/bf16) with dispatch to the scalar twins in ops.c.
#include "blocks.h"
#include "simd.h"
#include "vexpf.h"
#if defined(__x86_64__)
#include <immintrin.h>
#include "hsum_avx2.h"
#define AVX2 __attribute__((target("avx2,fma,f16c")))

AVX2 static inline __m256 load_half8(const uint16_t *p, uint32_t t) {
    const __m128i h = _mm_loadu_si128((const __m128i *)p);
    return t == CK_BF16 ? _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)) : _mm256_cvtph_ps(h);
}

float ck_dot_f32_avx2(int n, const void *w, const void *x);   // simd_avx2.c: the same kernel serves both
AVX2 static void axpy_avx2(float a, const float *x, float *y, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += a * x[i];
}
AVX2 static float dot_half_avx2(const float *a, const uint16_t *b, int64_t n, uint32_t t) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), load_half8(b + i, t), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), load_half8(b + i + 8, t), s1);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), load_half8(b + i, t), s0);
    float s = hsum8(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += a[i] * (t == CK_BF16 ? ck_bf16_to_fp32(b[i]) : ck_fp16_to_fp32(b[i]));
    return s;
}
AVX2 static void axpy_half_avx2(float a, const uint16_t *x, float *y, int64_t n, uint32_t t) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, load_half8(x + i, t), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += a * (t == CK_BF16 ? ck_bf16_to_fp32(x[i]) : ck_fp16_to_fp32(x[i]));
}
/// silu(g)·u as ck_swiglu_scalar: g / (1 + v_expf(0 − g)), then · u.
AVX2 static void swiglu_avx2(const float *g, const float *u, float *out, int64_t n) {
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(g + i);
        const __m256 s = _mm256_div_ps(v, _mm256_add_ps(one, ck_v_expf_avx2(_mm256_sub_ps(zero, v))));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(s, _mm256_loadu_ps(u + i)));
    }
    if (i < n) ck_swiglu_scalar(g + i, u + i, out + i, n - i);
}
#define HAVE_AVX2 (ck_simd_enabled())
#else
#define HAVE_AVX2 0
#define ck_dot_f32_avx2(n, a, b) ck_dot_f32_scalar(a, b, n)
#define axpy_avx2 ck_axpy_scalar
#define dot_half_avx2 ck_dot_half_scalar
#define axpy_half_avx2 ck_axpy_half_scalar
#define swiglu_avx2 ck_swiglu_scalar
#endif

float ck_dot_f32(const float *a, const float *b, int64_t n) { return HAVE_AVX2 ? ck_dot_f32_avx2((int)n, a, b) : ck_dot_f32_scalar(a, b, n); }
void ck_axpy(float a, const float *x, float *y, int64_t n) { if (HAVE_AVX2) axpy_avx2(a, x, y, n); else ck_axpy_scalar(a, x, y, n); }
float ck_dot_half(const float *a, const uint16_t *b, int64_t n, uint32_t t) {
    return HAVE_AVX2 ? dot_half_avx2(a, b, n, t) : ck_dot_half_scalar(a, b, n, t);
}
void ck_axpy_half(float a, const uint16_t *x, float *y, int64_t n, uint32_t t) {
    if (HAVE_AVX2) axpy_half_avx2(a, x, y, n, t); else ck_axpy_half_scalar(a, x, y, n, t);
}
void ck_swiglu(const float *g, const float *u, float *out, int64_t n) { if (HAVE_AVX2) swiglu_avx2(g, u, out, n); else ck_swiglu_scalar(g, u, out, n); }
