// Load-time repacked Q4_K (Q4_K_R) and Q6_K (Q6_K_R): the rewrite against its plain-C definition, and every product
// on the repacked bytes (one row, 2…13 activation rows, the 4-row and fallback kernels, each SIMD family's decode kernel)
// bit for bit the scalar twin's on the file's bytes.
import XCTest
import CKernels
import GGUF
@testable import Kernels

final class RepackTests: XCTestCase {
    /// The file's type, its repacked layout here, and the bytes of the block header that stay in place.
    static let layouts: [(plain: GGMLType, packed: GGMLType, kept: Range<Int>)] = [(.q4_K, .q4_K_r, 0..<16), (.q6_K, .q6_K_r, 192..<210)]

    /// Whether plans repack `t` into `rt` on this CPU (with AVX2 kernels forced: Q6_K_R is the AVX2 family's layout).
    static func repacks(_ t: GGMLType, into rt: GGMLType) -> Bool {
        KernelPlan(for: t, options: EngineOptions())?.repackTarget == rt || KernelPlan(for: t, options: EngineOptions(kernels: .avx2))?.repackTarget == rt
    }

    func repacked(_ w: [UInt8], _ t: GGMLType, blocks: Int) throws -> [UInt8] {
        var r = w
        let ok = r.withUnsafeMutableBytes { Quant.repack(t, $0.baseAddress!, blocks: blocks) }
        XCTAssertTrue(ok)
        return r
    }

    func testRepackIsThePermutationAndDequantizesTheSame() throws {
        var checked = 0
        for (t, rt, kept) in Self.layouts where Self.repacks(t, into: rt) {
            var rng = SeededRNG(seed: 77)
            let blocks = 9, n = blocks * 256, size = t.typeSize
            let w = SimdTests.randomRow(t, blocks: blocks, misalign: 0, rng: &rng)
            let r = try repacked(w, t, blocks: blocks)
            XCTAssertNotEqual(r, w, "\(t.name): the quants moved")
            var s = w
            s.withUnsafeMutableBytes { p in
                for b in 0..<blocks { ck_repack_block_scalar(t.id, p.baseAddress! + b * size, p.baseAddress! + b * size) }
            }
            XCTAssertEqual(r, s, "\(t.name): repack = the plain-C definition")
            for b in 0..<blocks { XCTAssertEqual(Array(r[(b * size + kept.lowerBound)..<(b * size + kept.upperBound)]), Array(w[(b * size + kept.lowerBound)..<(b * size + kept.upperBound)]), "\(t.name): scales stay in place") }
            var a = [Float](repeating: 0, count: n), d = a
            w.withUnsafeBytes { Quant.dequantizeRow(t, $0.baseAddress!, &a, count: n) }
            r.withUnsafeBytes { Quant.dequantizeRow(rt, $0.baseAddress!, &d, count: n) }
            XCTAssertEqual(a, d, "\(t.name)")
            checked += 1
        }
        if checked == 0 { throw XCTSkip("no repacked kernels on this CPU") }
    }

    func testRepackedProductsEqualTheScalarTwin() throws {
        var checked = 0
        for (t, rt, _) in Self.layouts where Self.repacks(t, into: rt) {
            try checkProducts(t, rt)
            checked += 1
        }
        if checked == 0 { throw XCTSkip("no repacked kernels on this CPU") }
    }

    func checkProducts(_ t: GGMLType, _ rt: GGMLType) throws {
        var rng = SeededRNG(seed: 1207)
        for blocks in [1, 3, 8, 11] {
            let n = blocks * 256, rows = 37, rb = blocks * t.typeSize
            var w: [UInt8] = []
            for _ in 0..<rows { w += SimdTests.randomRow(t, blocks: blocks, misalign: 0, rng: &rng) }
            let r = try repacked(w, t, blocks: blocks * rows)
            let nt = 13, xb = blocks * 292
            var xq = [UInt8](repeating: 0, count: xb * nt)
            for k in 0..<nt {
                var x = (0..<n).map { _ in rng.gaussian() * 2 }
                x[k % n] = 0
                try xq.withUnsafeMutableBytes { try Quant.quantizeRow(.q8_K, x, $0.baseAddress! + k * xb, count: n) }
            }
            // reference: the scalar twin on the file's bytes
            var ref = [Float](repeating: 0, count: rows * nt)
            w.withUnsafeBytes { wp in xq.withUnsafeBytes { xp in
                for k in 0..<nt { for i in 0..<rows { ref[k * rows + i] = FamilyPlans.twin(t)(Int32(n), wp.baseAddress! + i * rb, xp.baseAddress! + k * xb) } }
            } }
            r.withUnsafeBytes { wp in xq.withUnsafeBytes { xp in
                // each family's plan (its packed single-row decode kernel included), with AMX on and off
                let families = [FamilyPlans.avx2, FamilyPlans.avx512].flatMap { f in [true, false].compactMap { FamilyPlans.plan(rt, f, amx: $0) } }
                let auto = KernelPlan(for: rt, options: EngineOptions())!.raw
                XCTAssertFalse(families.isEmpty)
                for i in 0..<rows {
                    for (name, f) in [("scalar twin", FamilyPlans.twin(rt)), ("dot", auto.pointee.dot!)] + families.map({ ("family dot", $0.pointee.dot!) }) {
                        let v = f(Int32(n), wp.baseAddress! + i * rb, xp.baseAddress! + xb)
                        XCTAssertEqual(v.bitPattern, ref[rows + i].bitPattern, "\(rt.name) \(name) blocks=\(blocks) row \(i)")
                    }
                    var o = [Float](repeating: 0, count: 4)
                    auto.pointee.dot4!(Int32(n), wp.baseAddress! + i * rb, xp.baseAddress!, xb, &o)
                    for k in 0..<4 { XCTAssertEqual(o[k].bitPattern, ref[k * rows + i].bitPattern, "\(rt.name) dot4 blocks=\(blocks) row \(i) t \(k)") }
                }
                for plan in families + [auto] {
                    for count in [1, 2, 3, 4, 5, 8, 9, 13] {
                        var y = [Float](repeating: .nan, count: rows * count)
                        ck_matmul_rows(plan, Int32(n), wp.baseAddress!, rb, 0, Int64(rows),
                                       xp.baseAddress!, xb, Int64(count), &y, Int64(rows))
                        for k in 0..<(rows * count) {
                            XCTAssertEqual(y[k].bitPattern, ref[k].bitPattern, "\(rt.name) matmul blocks=\(blocks) tokens=\(count) at \(k)")
                        }
                    }
                }
            } }
        }
    }
}
