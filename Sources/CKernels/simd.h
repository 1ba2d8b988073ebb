// SIMD vec_dot kernels (private to CKernels): lookup by weight type and CPU feature bits.
#ifndef CK_SIMD_H
#define CK_SIMD_H
#include "CKernels.h"
/// The best SIMD kernel for `type` on a CPU with `features`, or NULL; *name gets its family.
ck_vec_dot_fn ck_vec_dot_simd(uint32_t type, uint32_t features, const char **name);
/// The kernel of one family (CK_FAMILY_AVX2 / CK_FAMILY_AVX512) if the CPU has it, else NULL.
ck_vec_dot_fn ck_vec_dot_simd_family(uint32_t type, uint32_t features, int family);
/// The SIMD family in use for every kernel (CK_FAMILY_*; scalar when forced by GLMCHAT_KERNELS=scalar).
int ck_active_family(void);
/// The 4-activation-row kernel of one family if the CPU has it, else NULL.
ck_vec_dot4_fn ck_vec_dot4_simd_family(uint32_t type, uint32_t features, int family);
#endif
