// The Q4_K_R batch kernel that interleaves 16 weight rows on the fly (gemm_q4_K_r_avx2.c) against the scalar twin on
// the file's bytes, bit for bit, at shapes that cross its tiles (16 rows, 4 blocks), its token chunks (~256 KB of packed
// activations), odd token counts, row sub-ranges that start inside a tile, and the pool.
import XCTest
import CKernels
import GGUF
@testable import Kernels

final class Q4KRowTileTests: XCTestCase {
    func testInterleavedTilesEqualTheScalarTwin() throws {
        guard let plan = FamilyPlans.plan(.q4_K_r, FamilyPlans.avx2, amx: false) else { throw XCTSkip("no AVX2 on this CPU") }
        XCTAssertEqual(String(cString: ck_plan_path_name(plan, Int32(CK_PATH_BATCH))), "avx2 gemm 16x2, under 8 tokens avx2 gemm")
        var rng = SeededRNG(seed: 2412)
        let pool = ThreadPool(threads: 2)
        let twin = FamilyPlans.twin(.q4_K)
        var checked = 0
        // (blocks, rows, tokens): 9 blocks are two whole tiles of columns and one of 1; 120 tokens at 9 blocks are 30
        // packed groups, past one chunk (26); 5 rows leave the tile's second half empty; 7 tokens take the other kernel.
        for (blocks, rows, nt) in [(9, 37, 120), (1, 16, 8), (5, 23, 11), (2, 5, 9), (3, 21, 7)] {
            let n = blocks * 256, rb = blocks * GGMLType.q4_K.typeSize
            var w: [UInt8] = []
            for _ in 0..<rows { w += SimdTests.randomRow(.q4_K, blocks: blocks, misalign: 0, rng: &rng) }
            var r = w
            XCTAssertTrue(r.withUnsafeMutableBytes { Quant.repack(.q4_K, $0.baseAddress!, blocks: blocks * rows) })
            let xb = blocks * 292
            var xq = [UInt8](repeating: 0, count: nt * xb)
            for k in 0..<nt {
                let x = (0..<n).map { _ in rng.gaussian() * Float(1 + k % 3) }
                try xq.withUnsafeMutableBytes { try Quant.quantizeRow(.q8_K, x, $0.baseAddress! + k * xb, count: n) }
            }
            FamilyPlans.forEachOutput(plan, n: n, w: r, rb: rb, rows: rows, x: xq, xb: xb, nt: nt,
                                      ranges: [(0, rows, false), (3, rows - 1, false), (0, rows, true)], pool: pool) { i, k, got in
                let want = w.withUnsafeBytes { wb in xq.withUnsafeBytes { xp in twin(Int32(n), wb.baseAddress! + i * rb, xp.baseAddress! + k * xb) } }
                XCTAssertEqual(got.bitPattern, want.bitPattern, "blocks=\(blocks) tokens=\(nt) row \(i) token \(k): \(got) vs \(want)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 13000)
    }
}
