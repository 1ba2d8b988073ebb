// C SIMD kernels with runtime CPU dispatch; every kernel has a scalar twin (see Kernels/).
#ifndef CKERNELS_H
#define CKERNELS_H
#include <stdint.h>
#include <stddef.h>

/// CPU features found at run time (bit set): 1 AVX2+FMA+F16C, 2 AVX-512F/BW/VL, 4 AVX-512 VNNI, 8 AVX-512 BF16.
enum { CK_AVX2 = 1, CK_AVX512 = 2, CK_AVX512_VNNI = 4, CK_AVX512_BF16 = 8 };
uint32_t ck_cpu_features(void);
#endif
