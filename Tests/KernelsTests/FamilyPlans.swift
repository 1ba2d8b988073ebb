// Kernel plans with one family forced (and AMX / GFNI on or off), for the tests that check every family against the twin.
import XCTest
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

    /// Y (nt, ldy), NaN where not written: ck_matmul_pool over all `rows` weight rows when `pool` is given, else
    /// ck_matmul_rows over rows r0 ..< r1. Weight rows rb bytes apart, activation rows (quantized) xb bytes apart.
    static func matmul(_ plan: UnsafePointer<ck_kernel_plan>, n: Int, w: [UInt8], rb: Int, rows: Int, _ r0: Int, _ r1: Int,
                       x: [UInt8], xb: Int, nt: Int, ldy: Int, pool: ThreadPool?) -> [Float] {
        var y = [Float](repeating: .nan, count: nt * ldy)
        w.withUnsafeBytes { wb in x.withUnsafeBytes { xp in y.withUnsafeMutableBufferPointer { yp in
            if let pool {
                ck_matmul_pool(pool.raw, plan, Int32(n), wb.baseAddress!, rb, Int64(rows), xp.baseAddress!, xb, Int64(nt), yp.baseAddress!, Int64(ldy))
            } else {
                ck_matmul_rows(plan, Int32(n), wb.baseAddress!, rb, Int64(r0), Int64(r1), xp.baseAddress!, xb, Int64(nt), yp.baseAddress!, Int64(ldy))
            }
        } } }
        return y
    }

    /// For each (r0, r1, pooled) of `ranges`, Y = matmul(...) with ldy = rows + 2: `check(row, token, y)` for every output
    /// the range asks for, and XCTAssert that nothing else was written (still NaN).
    static func forEachOutput(_ plan: UnsafePointer<ck_kernel_plan>, n: Int, w: [UInt8], rb: Int, rows: Int, x: [UInt8], xb: Int, nt: Int,
                              ranges: [(Int, Int, Bool)], pool: ThreadPool, _ check: (Int, Int, Float) -> Void) {
        let ldy = rows + 2
        for (r0, r1, pooled) in ranges {
            let y = matmul(plan, n: n, w: w, rb: rb, rows: rows, r0, r1, x: x, xb: xb, nt: nt, ldy: ldy, pool: pooled ? pool : nil)
            for k in 0..<nt {
                for r in 0..<ldy {
                    guard r >= r0 && r < r1 else { XCTAssert(y[k * ldy + r].isNaN, "wrote row \(r) outside \(r0)..<\(r1)"); continue }
                    check(r, k, y[k * ldy + r])
                }
            }
        }
    }
}
