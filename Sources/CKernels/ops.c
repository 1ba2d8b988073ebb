// Elementwise float ops (RMS norm, softmax, SiLU, SwiGLU, RoPE incl. YaRN, dot, axpy) computed as ggml's CPU ops do.
#include <math.h>
#include "CKernels.h"
#include "vexpf.h"

void ck_rms_norm(const float *x, const float *w, float *out, int64_t n, float eps) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / n);
    const float scale = 1.0f / sqrtf(mean + eps);
    if (w) for (int64_t i = 0; i < n; i++) out[i] = (x[i] * scale) * w[i];
    else for (int64_t i = 0; i < n; i++) out[i] = x[i] * scale;
}

void ck_softmax(float *x, int64_t n) {
    if (n <= 0) return;
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++) max = x[i] > max ? x[i] : max;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) { const float v = expf(x[i] - max); sum += (double)v; x[i] = v; }
    const float inv = (float)(1.0 / sum);
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
}

static inline float silu(float v) { return v / (1.0f + ck_v_expf1(0.0f - v)); }

void ck_silu(float *x, int64_t n) { for (int64_t i = 0; i < n; i++) x[i] = silu(x[i]); }

void ck_swiglu_scalar(const float *g, const float *u, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = silu(g[i]) * u[i];
}

float ck_dot_f32_scalar(const float *a, const float *b, int64_t n) {
    // 8 float lanes summed in a fixed order: vectorizable and deterministic for a given n.
    float acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) for (int k = 0; k < 8; k++) acc[k] += a[i + k] * b[i + k];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

void ck_axpy_scalar(float a, const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] += a * x[i]; }

static inline float half_at(const uint16_t *b, int64_t i, uint32_t t) { return t == CK_BF16 ? ck_bf16_to_fp32(b[i]) : ck_fp16_to_fp32(b[i]); }

float ck_dot_half_scalar(const float *a, const uint16_t *b, int64_t n, uint32_t t) {
    float acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) for (int k = 0; k < 8; k++) acc[k] += a[i + k] * half_at(b, i + k, t);
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < n; i++) s += a[i] * half_at(b, i, t);
    return s;
}

void ck_axpy_half_scalar(float a, const uint16_t *x, float *y, int64_t n, uint32_t t) {
    for (int64_t i = 0; i < n; i++) y[i] += a * half_at(x, i, t);
}

static float yarn_corr_dim(int n_dims, int n_ctx_orig, float n_rot, float base) {
    return n_dims * logf(n_ctx_orig / (n_rot * 2 * (float)M_PI)) / (2 * logf(base));
}

void ck_rope_cache(float *cache, int dims, float pos, float base, float freq_scale, float ext_factor,
                   float attn_factor, float beta_fast, float beta_slow, int orig_ctx) {
    float corr0 = 0, corr1 = 0;
    if (ext_factor != 0.0f) {
        const float start = floorf(yarn_corr_dim(dims, orig_ctx, beta_fast, base));
        const float end = ceilf(yarn_corr_dim(dims, orig_ctx, beta_slow, base));
        corr0 = start > 0 ? start : 0;
        corr1 = end < dims - 1 ? end : (float)(dims - 1);
    }
    const float theta_scale = powf(base, -2.0f / dims);
    float theta = pos;
    for (int i0 = 0; i0 < dims; i0 += 2) {
        const float theta_extrap = theta;
        const float theta_interp = freq_scale * theta_extrap;
        float t = theta_interp, mscale = attn_factor;
        if (ext_factor != 0.0f) {
            const float y = (i0 / 2 - corr0) / fmaxf(0.001f, corr1 - corr0);
            const float ramp = (1 - fminf(1, fmaxf(0, y))) * ext_factor;
            t = theta_interp * (1 - ramp) + theta_extrap * ramp;
            mscale *= 1.0f + 0.1f * logf(1.0f / freq_scale);
        }
        cache[i0] = cosf(t) * mscale;
        cache[i0 + 1] = sinf(t) * mscale;
        theta *= theta_scale;
    }
}

void ck_rope_apply(float *x, int dims, int heads, int64_t stride, const float *cache, int neox) {
    for (int h = 0; h < heads; h++) {
        float *v = x + h * stride;
        for (int i0 = 0; i0 < dims; i0 += 2) {
            const float c = cache[i0], s = cache[i0 + 1];
            const int a = neox ? i0 / 2 : i0, b = neox ? i0 / 2 + dims / 2 : i0 + 1;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * c - x1 * s;
            v[b] = x0 * s + x1 * c;
        }
    }
}
