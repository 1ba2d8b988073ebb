// The batch kernels of F32, F16 and BF16 weights (gemm_float_avx2.c) against the single-row kernel and the scalar twin,
// at shapes that cross their column chunks (1,024), their row passes (~192 KB of weights) and their token groups (3).
import XCTest
import CKernels
import GGUF
@testable import Kernels

final class FloatGemmTests: XCTestCase {
    /// Every output of ck_matmul_rows / ck_matmul_pool on the batch path equals the AVX2 single-row kernel (what decode
    /// runs) bit for bit and the scalar twin within float-order tolerance; nothing outside the asked rows is written.
    func testFloatBatchesEqualSingleRowKernel() throws {
        guard ck_cpu_features() & UInt32(CK_AVX2) != 0 else { throw XCTSkip("no AVX2 on this CPU") }
        var rng = SeededRNG(seed: 1905)
        let pool = ThreadPool(threads: 2)
        var checked = 0
        for t in [GGMLType.f32, .f16, .bf16] {
            let plan = try XCTUnwrap(FamilyPlans.plan(t, FamilyPlans.avx2))
            XCTAssertEqual(String(cString: ck_plan_path_name(plan, Int32(CK_PATH_BATCH))), "avx2 gemm 2x3", t.name)
            let single = plan.pointee.dot!, twin = FamilyPlans.twin(t)
            // n: 3,100 is three column chunks (1,024) and a tail of 28 (a 16-column step, an 8-wide step, 4 scalars);
            // 1,100 one chunk and 76; a row of 5,000 f32 is 20 KB, so 19 rows take several passes of ~192 KB, the last odd.
            for (n, rows, nt) in [(3100, 19, 7), (1100, 9, 4), (5000, 19, 5), (47, 19, 37), (16, 3, 6), (5000, 2, 3)] {
                let rb = t.typeSize * n + 4, xb = t.typeSize * n + 6  // unaligned rows
                var w = [UInt8](repeating: 0, count: rows * rb)
                for r in 0..<rows {
                    let row = SimdTests.randomRow(t, blocks: n, misalign: 0, rng: &rng)
                    w.replaceSubrange(r * rb ..< r * rb + row.count, with: row)
                }
                var xq = [UInt8](repeating: 0, count: nt * xb)
                for k in 0..<nt {
                    let x = (0..<n).map { _ in rng.gaussian() * Float(k + 1) }
                    try xq.withUnsafeMutableBytes { try Quant.quantizeRow(t, x, $0.baseAddress! + k * xb, count: n) }
                }
                FamilyPlans.forEachOutput(plan, n: n, w: w, rb: rb, rows: rows, x: xq, xb: xb, nt: nt,
                                          ranges: [(0, rows, false), (1, rows - 1, false), (0, rows, true)], pool: pool) { r, k, got in
                    let (want, ref) = w.withUnsafeBytes { wb in xq.withUnsafeBytes { xp in
                        (single(Int32(n), wb.baseAddress! + r * rb, xp.baseAddress! + k * xb),
                         twin(Int32(n), wb.baseAddress! + r * rb, xp.baseAddress! + k * xb)) } }
                    XCTAssertEqual(got.bitPattern, want.bitPattern, "\(t.name) n=\(n) tokens=\(nt) row \(r) token \(k): \(got) vs \(want)")
                    XCTAssertEqual(got, ref, accuracy: 1e-4 * Float(k + 1) * Float(n).squareRoot(), "\(t.name) n=\(n) row \(r) token \(k) vs twin")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 3000)
    }
}
