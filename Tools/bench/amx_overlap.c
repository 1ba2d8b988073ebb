// Probes of how AMX tile products share the core with AVX-512 work, behind ENGINE-SPEED-TODO.md "Session 17":
//   cc -O2 Tools/bench/amx_overlap.c -o /tmp/amx_overlap && /tmp/amx_overlap
// Prints TSC ticks per round (best of 30 rounds of 2,000; the VM's speed drifts, so compare within one run):
//   1. 32 zmm stores, then tile loads of the lines just stored / of other lines / of lines stored a round earlier;
//   2. 16 tdpbf16ps on tiles of data, a key conversion (32 keys × 32 f16 → bf16 hi + lo, stored to a 256 KB ring)
//      alone, and the two interleaved (the conversion in 8 pieces between pairs of products), without and with the
//      products' A and B tile loads.
// Needs AMX-BF16 (Sapphire Rapids or later) and Linux's permission for the tile state.
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

#define AMX __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,f16c")))
#define ROUNDS 30
#define ITERS 2000

typedef struct { uint8_t palette, start_row, reserved[14]; uint16_t colsb[16]; uint8_t rows[16]; } tile_config;

static char tiles[16][1024] __attribute__((aligned(64)));  // tile sources, filled with data (zeros run faster)
static uint16_t keys[32 * 1024] __attribute__((aligned(64)));  // 64 KB of f16 keys
uint32_t ring[64 * 1024] __attribute__((aligned(64)));        // 256 KB the conversion writes (global: stores kept)

AMX static void setup(void) {
    for (int i = 0; i < 16 * 1024; i++) tiles[i / 1024][i % 1024] = (char)((i * 37 + 11) | 1);
    for (int i = 0; i < 32 * 1024; i++) keys[i] = (uint16_t)(0x3c00 + (i * 7919) % 1000);
    tile_config c;
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int t = 0; t < 8; t++) { c.colsb[t] = 64; c.rows[t] = 16; }
    _tile_loadconfig(&c);
    _tile_loadd(4, tiles[4], 64);
    _tile_loadd(5, tiles[5], 64);
    _tile_loadd(6, tiles[6], 64);
    _tile_loadd(7, tiles[7], 64);
}

/// 32 stores of 64 bytes into tiles[s], tiles[s + 1] (when s ≥ 0), then tiles 4, 5 loaded from tiles[l], tiles[l + 1]
/// (l < 0: alternating between 0 and 2 each round, opposite to the stores) and four products.
AMX static uint64_t stores_then_loads(int s, int l) {
    const __m512i v = _mm512_set1_epi32(7);
    const uint64_t t0 = __rdtsc();
    for (int i = 0; i < ITERS; i++) {
        const int si = s >= 0 ? s : (i & 1) * 2, li = l >= 0 ? l : (1 - (i & 1)) * 2;
        if (s != -2)
            for (int k = 0; k < 32; k++) _mm512_store_si512(tiles[si] + 64 * k, v);
        _tile_loadd(4, tiles[li], 64);
        _tile_loadd(5, tiles[li + 1], 64);
        _tile_loadd(6, tiles[12], 64);
        _tile_loadd(7, tiles[13], 64);
        _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); _tile_dpbf16ps(2, 5, 6); _tile_dpbf16ps(3, 5, 7);
    }
    return __rdtsc() - t0;
}

/// 16 f32 → dwords of bf16 hi (high half) and lo (low half), as a conversion of the attention kernel would.
AMX static inline __m512i hilo16(__m512 x) {
    const __m512i hb = _mm512_and_si512(_mm512_add_epi32(_mm512_castps_si512(x), _mm512_set1_epi32(0x8000)),
                                        _mm512_set1_epi32((int)0xffff0000u));
    const __m512 lo = _mm512_sub_ps(x, _mm512_castsi512_ps(hb));
    return _mm512_or_si512(hb, _mm512_srli_epi32(_mm512_castps_si512(lo), 16));
}

/// Four keys × 32 numbers converted and stored (piece p of round i).
AMX static inline void piece(long i, int p) {
    for (int j = 0; j < 4; j++) {
        const size_t key = (size_t)i * 32 + 4 * p + j;
        const __m512i h = _mm512_loadu_si512(keys + key * 576 % (32 * 1024 - 32));
        uint32_t *d = ring + key * 32 % (64 * 1024);
        _mm512_storeu_si512(d, hilo16(_mm512_cvtph_ps(_mm512_castsi512_si256(h))));
        _mm512_storeu_si512(d + 16, hilo16(_mm512_cvtph_ps(_mm512_extracti64x4_epi64(h, 1))));
    }
}

/// Per round: 16 products (with their tile loads when `loads`) and/or the conversion of 32 keys, interleaved.
AMX static uint64_t products_and_conversion(int products, int conversion, int loads) {
    const uint64_t t0 = __rdtsc();
    for (long i = 0; i < ITERS; i++)
        for (int g = 0; g < 8; g++) {
            if (products) {
                if (loads && g % 2 == 0) {
                    _tile_loadd(4, tiles[0], 128);
                    _tile_loadd(5, tiles[2], 128);
                    _tile_loadd(6, tiles[8 + (g & 6) / 2], 64);
                    _tile_loadd(7, tiles[12 + (g & 6) / 2], 64);
                }
                if (g & 1) { _tile_dpbf16ps(2, 5, 6); _tile_dpbf16ps(3, 5, 7); }
                else { _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); }
            }
            if (conversion) piece(i, g);
        }
    return __rdtsc() - t0;
}

static double best(uint64_t (*run)(int, int, int), int a, int b, int c) {
    double m = 1e30;
    for (int r = 0; r < ROUNDS; r++) {
        const double t = (double)run(a, b, c) / ITERS;
        if (t < m) m = t;
    }
    return m;
}
static uint64_t stores_run(int s, int l, int unused) { (void)unused; return stores_then_loads(s, l); }

int main(void) {
    if (!__builtin_cpu_supports("amx-bf16") || syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18) != 0) {
        fprintf(stderr, "amx_overlap: this CPU or kernel gives no AMX-BF16 tiles\n");
        return 1;
    }
    setup();
    printf("four products with their tile loads, TSC ticks a round:\n");
    printf("  no stores                                    %6.1f\n", best(stores_run, -2, 4, 0));
    printf("  32 stores, then tile loads of those lines    %6.1f\n", best(stores_run, 0, 0, 0));
    printf("  32 stores, then tile loads of other lines    %6.1f\n", best(stores_run, 0, 4, 0));
    printf("  stores and loads alternating (a round late)  %6.1f\n", best(stores_run, -1, -1, 0));
    const double p = best(products_and_conversion, 1, 0, 0), c = best(products_and_conversion, 0, 1, 0);
    const double pl = best(products_and_conversion, 1, 0, 1);
    printf("16 products %.1f, conversion of 32 keys %.1f, both interleaved %.1f (sum %.1f)\n", p, c,
           best(products_and_conversion, 1, 1, 0), p + c);
    printf("with the tile loads: products %.1f, both interleaved %.1f (sum %.1f)\n", pl,
           best(products_and_conversion, 1, 1, 1), pl + c);
    return 0;
}
