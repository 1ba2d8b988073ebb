// Load-time repacked Q4_K (Q4_K_R): the permutation against its plain-C definition, and every product on the
// repacked bytes (one row, 2…13 activation rows, the 4-row and fallback kernels) bit for bit the Q4_K scalar twin's.
import XCTest
import CKernels
import GGUF
@testable import Kernels

final class RepackTests: XCTestCase {
    func repacked(_ w: [UInt8], blocks: Int) throws -> [UInt8] {
        var r = w
        let ok = r.withUnsafeMutableBytes { Quant.repack(.q4_K, $0.baseAddress!, blocks: blocks) }
        XCTAssertTrue(ok)
        return r
    }

    func testRepackIsThePermutationAndDequantizesTheSame() throws {
        guard Quant.repackedType(.q4_K) == .q4_K_r else { throw XCTSkip("no repacked Q4_K kernels on this CPU") }
        var rng = SeededRNG(seed: 77)
        let blocks = 9, n = blocks * 256
        let w = SimdTests.randomRow(.q4_K, blocks: blocks, misalign: 0, rng: &rng)
        let r = try repacked(w, blocks: blocks)
        XCTAssertNotEqual(r, w, "the nibbles moved")
        var s = w
        s.withUnsafeMutableBytes { p in
            for b in 0..<blocks { ck_repack_block_scalar(GGMLType.q4_K.id, p.baseAddress! + b * 144, p.baseAddress! + b * 144) }
        }
        XCTAssertEqual(r, s, "SIMD repack = the plain-C permutation")
        XCTAssertEqual(Array(r[0..<16]), Array(w[0..<16]), "d, dmin and scales stay in place")
        var a = [Float](repeating: 0, count: n), b = a
        w.withUnsafeBytes { Quant.dequantizeRow(.q4_K, $0.baseAddress!, &a, count: n) }
        r.withUnsafeBytes { Quant.dequantizeRow(.q4_K_r, $0.baseAddress!, &b, count: n) }
        XCTAssertEqual(a, b)
    }

    func testRepackedProductsEqualTheQ4KScalarTwin() throws {
        guard Quant.repackedType(.q4_K) == .q4_K_r else { throw XCTSkip("no repacked Q4_K kernels on this CPU") }
        var rng = SeededRNG(seed: 1207)
        for blocks in [1, 3, 8, 11] {
            let n = blocks * 256, rows = 37, rb = blocks * 144
            var w: [UInt8] = []
            for _ in 0..<rows { w += SimdTests.randomRow(.q4_K, blocks: blocks, misalign: 0, rng: &rng) }
            let r = try repacked(w, blocks: blocks * rows)
            let nt = 13, xb = blocks * 292
            var xq = [UInt8](repeating: 0, count: xb * nt)
            for t in 0..<nt {
                var x = (0..<n).map { _ in rng.gaussian() * 2 }
                x[t % n] = 0
                try xq.withUnsafeMutableBytes { try Quant.quantizeRow(.q8_K, x, $0.baseAddress! + t * xb, count: n) }
            }
            // reference: the Q4_K scalar twin on the original bytes
            var ref = [Float](repeating: 0, count: rows * nt)
            w.withUnsafeBytes { wp in xq.withUnsafeBytes { xp in
                for t in 0..<nt { for i in 0..<rows { ref[t * rows + i] = ck_vec_dot_scalar(GGMLType.q4_K.id)!(Int32(n), wp.baseAddress! + i * rb, xp.baseAddress! + t * xb) } }
            } }
            r.withUnsafeBytes { wp in xq.withUnsafeBytes { xp in
                let rid = GGMLType.q4_K_r.id
                for i in 0..<rows {
                    for (name, f) in [("scalar twin", ck_vec_dot_scalar(rid)!), ("dot", ck_vec_dot(rid)!)] {
                        let v = f(Int32(n), wp.baseAddress! + i * rb, xp.baseAddress! + xb)
                        XCTAssertEqual(v.bitPattern, ref[rows + i].bitPattern, "\(name) blocks=\(blocks) row \(i)")
                    }
                    var o = [Float](repeating: 0, count: 4)
                    ck_vec_dot4(rid)!(Int32(n), wp.baseAddress! + i * rb, xp.baseAddress!, xb, &o)
                    for t in 0..<4 { XCTAssertEqual(o[t].bitPattern, ref[t * rows + i].bitPattern, "dot4 blocks=\(blocks) row \(i) t \(t)") }
                }
                for count in [1, 2, 3, 4, 5, 8, 9, 13] {
                    var y = [Float](repeating: .nan, count: rows * count)
                    ck_matmul_rows(ck_vec_dot(rid), count >= 4 ? ck_vec_dot4(rid) : nil, Int32(n), wp.baseAddress!, rb, 0, Int64(rows),
                                   xp.baseAddress!, xb, Int64(count), &y, Int64(rows))
                    for k in 0..<(rows * count) {
                        XCTAssertEqual(y[k].bitPattern, ref[k].bitPattern, "matmul blocks=\(blocks) tokens=\(count) at \(k)")
                    }
                }
            } }
        }
    }
}
