// Prompt attention with per-head keys and values (CKernels/mla_expanded.c): the AVX2 kernel gives its scalar twin's
// bits, and both agree with float64 softmax attention, for tiles of 1…16 query rows, causal limits that cut blocks
// anywhere (lanes that see none of a call's keys among them), keys split over several calls as a batch's chunks are,
// GLM's widths and odd ones, and scores large enough that unscaled exponentials would overflow.
import XCTest
import CKernels
@testable import Kernels

final class ExpandedAttentionTests: XCTestCase {
    var rng = SeededRNG(seed: 90210)
    func randoms(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in rng.gaussian() * scale } }

    struct Shape { let dn: Int, dr: Int, dv: Int, ldk: Int, ldr: Int, ldv: Int }
    static let shapes = [Shape(dn: 192, dr: 64, dv: 256, ldk: 208, ldr: 64, ldv: 272),  // GLM-4.7-Flash
                         Shape(dn: 32, dr: 16, dv: 16, ldk: 48, ldr: 16, ldv: 32),      // the test fixtures
                         Shape(dn: 7, dr: 3, dv: 11, ldk: 9, ldr: 5, ldv: 13)]          // nothing a multiple of 8 or 6

    /// A tile's inputs: nq query rows (dn + dr) and nk keys and values.
    struct Problem {
        let s: Shape, nq: Int, nk: Int, vis: Int, scale: Float
        let q: [Float], kn: [Float], kr: [Float], v: [Float]
    }

    func problem(_ s: Shape, nq: Int, nk: Int, vis: Int, spread: Float = 1) -> Problem {
        Problem(s: s, nq: nq, nk: nk, vis: vis, scale: 1 / Float(s.dn + s.dr).squareRoot(), q: randoms(nq * (s.dn + s.dr), scale: spread),
                kn: randoms(nk * s.ldk), kr: randoms(nk * s.ldr), v: randoms(nk * s.ldv))
    }

    /// out (nq, dv) from `kernel`, the keys in calls of the given sizes (the last call takes the rest).
    func run(_ p: Problem, kernel: Int32, calls: [Int] = []) -> [Float] {
        let s = p.s, w = s.dn + s.dr, tile = Int(CK_XATTN_TILE)
        var qt = [Float](repeating: .nan, count: w * tile), ot = [Float](repeating: .nan, count: s.dv * tile)
        var ml = [Float](repeating: .nan, count: 2 * tile), scratch = [Float](repeating: .nan, count: tile * Int(CK_XATTN_BLOCK))
        var out = [Float](repeating: .nan, count: p.nq * s.dv)
        ck_xattn_pack(p.q, Int64(w), Int32(p.nq), Int32(w), &qt)
        ck_xattn_start(&ot, &ml, Int32(s.dv))
        var j0 = 0
        for size in calls + [p.nk] where j0 < p.nk {
            let n = min(size, p.nk - j0)
            p.kn.withUnsafeBufferPointer { kn in p.kr.withUnsafeBufferPointer { kr in p.v.withUnsafeBufferPointer { v in
                ck_xattn_tile(kernel, qt, Int32(s.dn), Int32(s.dr), kn.baseAddress! + j0 * s.ldk, Int64(s.ldk),
                              kr.baseAddress! + j0 * s.ldr, Int64(s.ldr), v.baseAddress! + j0 * s.ldv, Int64(s.ldv), Int32(s.dv),
                              Int64(n), Int64(p.vis - j0), p.scale, &ot, &ml, &scratch)
            } } }
            j0 += n
        }
        ck_xattn_finish(ot, ml, Int32(s.dv), Int32(p.nq), &out, Int64(s.dv))
        return out
    }

    /// The same in float64: row t sees keys j < min(nk, vis + t).
    func reference(_ p: Problem) -> [Double] {
        let s = p.s, w = s.dn + s.dr
        var out = [Double](repeating: 0, count: p.nq * s.dv)
        for t in 0..<p.nq {
            let seen = min(p.nk, p.vis + t)
            var sc = (0..<seen).map { j -> Double in
                var a = 0.0
                for d in 0..<s.dn { a += Double(p.q[t * w + d]) * Double(p.kn[j * s.ldk + d]) }
                for d in 0..<s.dr { a += Double(p.q[t * w + s.dn + d]) * Double(p.kr[j * s.ldr + d]) }
                return a * Double(p.scale)
            }
            let m = sc.max()!
            sc = sc.map { Foundation.exp($0 - m) }
            let z = sc.reduce(0, +)
            for d in 0..<s.dv {
                var o = 0.0
                for j in 0..<seen { o += sc[j] * Double(p.v[j * s.ldv + d]) }
                out[t * s.dv + d] = o / z
            }
        }
        return out
    }

    /// tol: scores of ±100 and more (testLargeScores) carry their f32 rounding into the exponentials.
    func check(_ p: Problem, calls: [Int] = [], tol: Double = 2e-5, _ what: String) {
        let ref = reference(p), scalar = run(p, kernel: Int32(CK_MLA_SCALAR), calls: calls)
        let err = zip(ref, scalar).map { abs($0 - Double($1)) }.max()!
        XCTAssertLessThan(err, tol, "\(what): scalar twin against float64")
        guard ck_cpu_features() & UInt32(CK_AVX2) != 0 else { return }
        let simd = run(p, kernel: Int32(CK_MLA_AVX2), calls: calls)
        XCTAssertEqual(simd.map(\.bitPattern), scalar.map(\.bitPattern), "\(what): AVX2 against the scalar twin, bit for bit")
    }

    func testWholeTilesAgainstTwinAndFloat64() {
        for s in Self.shapes {
            for nk in [1, 5, 6, 47, 48, 49, 200] {
                check(problem(s, nq: 16, nk: nk, vis: nk), "dn \(s.dn), \(nk) keys all seen")
            }
        }
    }

    /// Causal limits: vis cuts inside a block, at its edges, at the first key (each lane sees one more), and tiles of
    /// fewer than 16 rows.
    func testCausalLimitsAndPartialTiles() {
        for s in Self.shapes {
            for (nq, nk, vis) in [(16, 100, 90), (16, 100, 48), (16, 64, 49), (9, 30, 1), (1, 20, 20), (3, 60, 58)] {
                check(problem(s, nq: nq, nk: nk, vis: vis), "dn \(s.dn): \(nq) rows, \(nk) keys, vis \(vis)")
            }
        }
    }

    /// A batch's keys arrive in chunks: the running max, sum and output carry over between calls, including calls whose
    /// keys some lanes do not see at all.
    func testKeysInSeveralCalls() {
        for s in Self.shapes {
            check(problem(s, nq: 16, nk: 300, vis: 290), calls: [128, 128], "dn \(s.dn): 3 calls")
            check(problem(s, nq: 16, nk: 130, vis: 120), calls: [7, 50, 1], "dn \(s.dn): 4 uneven calls")
            check(problem(s, nq: 12, nk: 70, vis: 60), calls: [64], "dn \(s.dn): the last call seen by a few lanes")
        }
    }

    /// Scores in the hundreds: exp(score) alone would overflow f32; the running max keeps every term ≤ 1.
    func testLargeScores() {
        for s in Self.shapes.prefix(2) {
            check(problem(s, nq: 16, nk: 120, vis: 110, spread: 40), calls: [50], tol: 2e-4, "dn \(s.dn): large scores")
        }
    }
}
