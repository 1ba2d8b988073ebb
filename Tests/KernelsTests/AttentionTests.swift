// Exact-order attention kernels: the dispatched (AVX2) versions give the same bits as their scalar twins, and
// both agree with float64 math; odd sizes, unaligned starts, exp under- and overflow.
import Foundation
import XCTest
import CKernels
@testable import Kernels

final class AttentionTests: XCTestCase {
    var rng = SeededRNG(seed: 2024)
    func randoms(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in rng.gaussian() * scale } }
    func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }

    func testDotMatchesTwinAndFloat64() {
        for n in [0, 1, 17, 63, 64, 65, 128, 576, 1001] {
            for off in [0, 1] {
                let x = randoms(n + off), y = randoms(n + off)
                let fast = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { ck_attn_dot(xp.baseAddress! + off, $0.baseAddress! + off, Int64(n)) } }
                let twin = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { ck_attn_dot_scalar(xp.baseAddress! + off, $0.baseAddress! + off, Int64(n)) } }
                XCTAssertEqual(fast.bitPattern, twin.bitPattern, "n \(n) off \(off)")
                let ref = (off..<n + off).reduce(0.0) { $0 + Double(x[$1]) * Double(y[$1]) }
                let mag = (off..<n + off).reduce(0.0) { $0 + abs(Double(x[$1]) * Double(y[$1])) }
                XCTAssertEqual(Double(fast), ref, accuracy: 1e-6 * mag + 1e-30, "n \(n)")
            }
        }
    }

    func testScoresAreRowDots() {
        let width = 576, stride = 600, count = 37
        let keys = randoms(stride * count), q = randoms(width)
        var out = [Float](repeating: 0, count: count), twin = out
        ck_attn_scores(keys, Int64(stride), Int64(count), q, Int64(width), &out)
        ck_attn_scores_scalar(keys, Int64(stride), Int64(count), q, Int64(width), &twin)
        XCTAssertEqual(bits(out), bits(twin))
        for j in 0..<count {
            let d = keys.withUnsafeBufferPointer { ck_attn_dot_scalar($0.baseAddress! + j * stride, q, Int64(width)) }
            XCTAssertEqual(out[j].bitPattern, d.bitPattern)
        }
    }

    func testSoftmaxMatchesTwinAndFloat64() {
        // spreads that keep every exp normal, push some below 2^-126 (subnormal results) and past -192·ln 2 (zero)
        for (n, spread) in [(1, Float(1)), (7, 3), (15, 1), (16, 5), (17, 2), (100, 30), (577, 60), (300, 110), (64, 400)] {
            for scale in [Float(0.0625), 1, 0.125] {
                let x = randoms(n, scale: spread / scale)
                var fast = x, twin = x
                ck_attn_softmax(&fast, Int64(n), scale)
                ck_attn_softmax_scalar(&twin, Int64(n), scale)
                XCTAssertEqual(bits(fast), bits(twin), "n \(n) spread \(spread) scale \(scale)")
                // the float steps before the exponential (scale, subtract the max) as the kernel does them, the rest in float64
                let s = x.map { $0 * scale }, m = s.max()!
                let e = s.map { Foundation.exp(Double($0 - m)) }, sum = e.reduce(0, +)
                for i in 0..<n { XCTAssertEqual(Double(fast[i]), e[i] / sum, accuracy: 2e-6 * max(e[i] / sum, 1e-30) + 1e-37, "n \(n) i \(i)") }
                XCTAssertEqual(fast.reduce(0.0) { $0 + Double($1) }, 1, accuracy: 1e-5)
            }
        }
    }

    func testWeightedSumMatchesTwinAndFloat64() {
        for single in [true, false] {
            for (n, width) in [(1, 512), (5, 64), (16, 13), (17, 512), (63, 64), (64, 64), (65, 512), (300, 72)] {
                let stride = width + 9
                let v = randoms(n * stride), p = randoms(n).map { abs($0) }
                var out = [Float](repeating: 0, count: width), twin = out
                var acc = [Float](repeating: .nan, count: Attention.accumulatorCount(width: width)), acc2 = acc
                ck_attn_wsum(p, Int64(n), v, Int64(stride), Int64(width), &out, &acc, single ? 1 : 0)
                ck_attn_wsum_scalar(p, Int64(n), v, Int64(stride), Int64(width), &twin, &acc2, single ? 1 : 0)
                XCTAssertEqual(bits(out), bits(twin), "n \(n) width \(width) single \(single)")
                for d in 0..<width {
                    let ref = (0..<n).reduce(0.0) { $0 + Double(p[$1]) * Double(v[$1 * stride + d]) }
                    let mag = (0..<n).reduce(0.0) { $0 + abs(Double(p[$1]) * Double(v[$1 * stride + d])) }
                    XCTAssertEqual(Double(out[d]), ref, accuracy: 1e-6 * mag + 1e-30)
                }
            }
        }
    }

    /// The two summation orders differ (lanes of 4·16 vs 16 accumulators), so at least one case must tell them apart.
    func testSingleAndBatchOrdersDiffer() {
        let n = 200, width = 64
        let v = randoms(n * width), p = randoms(n).map { abs($0) }
        var a = [Float](repeating: 0, count: width), b = a
        var acc = [Float](repeating: 0, count: Attention.accumulatorCount(width: width))
        ck_attn_wsum_scalar(p, Int64(n), v, Int64(width), Int64(width), &a, &acc, 1)
        ck_attn_wsum_scalar(p, Int64(n), v, Int64(width), Int64(width), &b, &acc, 0)
        XCTAssertNotEqual(bits(a), bits(b))
    }
}
