// Basic behaviour of the kernel API: thread pool coverage, F32/Q8_0 matvec against float64 math, errors.
import XCTest
import GGUF
@testable import Kernels

final class SmokeTests: XCTestCase {
    func testParallelForCoversRangeOnce() {
        let pool = ThreadPool(threads: 3)
        for n in [1, 2, 3, 7, 100, 1001] {
            var hits = [Int](repeating: 0, count: n)
            hits.withUnsafeMutableBufferPointer { h in
                let p = h.baseAddress!
                pool.parallelFor(n) { r in for i in r { p[i] += 1 } }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: n), "n=\(n)")
        }
    }

    func testF32MatvecEqualsDoubleDot() throws {
        let rows = 5, cols = 37
        var w = [Float](repeating: 0, count: rows * cols), x = [Float](repeating: 0, count: cols)
        var g = SystemRandomNumberGenerator()
        for i in w.indices { w[i] = Float.random(in: -1...1, using: &g) }
        for i in x.indices { x[i] = Float.random(in: -1...1, using: &g) }
        var y = [Float](repeating: 0, count: rows)
        let pool = ThreadPool(threads: 2)
        try w.withUnsafeBytes { wb in
            let m = try WeightMatrix(type: .f32, rows: rows, cols: cols, data: wb.baseAddress!)
            matvec(m, x, &y, pool: pool)
        }
        for r in 0..<rows {
            var s = 0.0
            for c in 0..<cols { s += Double(w[r * cols + c]) * Double(x[c]) }
            XCTAssertEqual(Double(y[r]), s, accuracy: 1e-5)
        }
    }

    func testUnsupportedTypeIsNamed() {
        let bytes = [UInt8](repeating: 0, count: 1024)
        try? bytes.withUnsafeBytes { b in
            XCTAssertThrowsError(try WeightMatrix(type: .iq2_xxs, rows: 1, cols: 256, data: b.baseAddress!)) { e in
                XCTAssertEqual(e as? KernelError, .unsupportedType(.iq2_xxs))
                XCTAssertTrue("\(e)".contains("IQ2_XXS"))
            }
            XCTAssertThrowsError(try WeightMatrix(type: .q4_K, rows: 1, cols: 100, data: b.baseAddress!))
        }
    }
}
