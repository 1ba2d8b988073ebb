// Kernel plans with one family forced (and AMX / GFNI on or off), for the tests that check every family against the twin.
import CKernels
import GGUF
@testable import Kernels

enum FamilyPlans {
    static let scalar = Int32(CK_FAMILY_SCALAR), avx2 = Int32(CK_FAMILY_AVX2), avx512 = Int32(CK_FAMILY_AVX512)

    /// The plan of `t` with `family` forced (CK_FAMILY_*), or nil when this CPU has no kernel of that family for `t`
    /// (the plan would fall back to a narrower one).
    static func plan(_ t: GGMLType, _ family: Int32, amx: Bool = true, gfni: Bool = true) -> UnsafePointer<ck_kernel_plan>? {
        var o = ck_options(family: family, amx: amx ? 1 : 0, gfni: gfni ? 1 : 0, repack: 1)
        guard let p = ck_kernels_for(t.id, &o), p.pointee.family == family else { return nil }
        return p
    }

    /// The scalar twin of `t` (the scalar family's single-row kernel).
    static func twin(_ t: GGMLType) -> ck_vec_dot_fn { plan(t, scalar)!.pointee.dot! }
}
