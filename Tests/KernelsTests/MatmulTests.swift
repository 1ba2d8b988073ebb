// matmul (n tokens), pre-quantized activations reused across matrices, and expert slices agree with matvec.
import XCTest
import GGUF
@testable import Kernels

final class MatmulTests: XCTestCase {
    func testMatmulRowsEqualMatvecAndReuse() throws {
        let m = try Goldens.manifest()
        let pool = ThreadPool(threads: 2)
        var rng = SeededRNG(seed: 11)
        let n = 5
        let xs = (0..<n * m.cols).map { _ in rng.gaussian() }
        let buf = ActivationBuffer()
        for name in m.types {
            let t = try XCTUnwrap(GGMLType.named(name))
            let raw = try Goldens.bytes("\(name).w.bin")
            try raw.withUnsafeBytes { rb in
                let w = try WeightMatrix(type: t, rows: m.rows, cols: m.cols, data: rb.baseAddress!)
                var yAll = [Float](repeating: .nan, count: n * m.rows), yPre = yAll
                matmul(w, xs, n: n, &yAll, pool: pool)
                let q = try buf.quantize(xs, n: n, cols: m.cols, for: t, pool: pool)
                matmul(w, q, &yPre, pool: nil)
                XCTAssertEqual(yAll, yPre, name)
                for i in 0..<n {
                    var y1 = [Float](repeating: .nan, count: m.rows)
                    xs.withUnsafeBufferPointer { matvec(w, $0.baseAddress! + i * m.cols, &y1, pool: nil) }
                    XCTAssertEqual(Array(yAll[i * m.rows..<(i + 1) * m.rows]), y1, "\(name) token \(i)")
                }
                // two halves as expert slices
                let half = m.rows / 2
                var ys = [Float](repeating: .nan, count: m.rows)
                ys.withUnsafeMutableBufferPointer { yb in
                    matvec(w.slice(0, rowsPer: half), xs, yb.baseAddress!, pool: pool)
                    matvec(w.slice(1, rowsPer: half), xs, yb.baseAddress! + half, pool: pool)
                }
                XCTAssertEqual(ys, Array(yAll[0..<m.rows]), name)
            }
        }
        XCTAssertThrowsError(try buf.quantize(xs, n: 1, cols: 100, for: .q4_K))
        XCTAssertThrowsError(try buf.quantize(xs, n: 1, cols: 256, for: .iq1_m)) { XCTAssertEqual($0 as? KernelError, .unsupportedType(.iq1_m)) }
    }
}

final class MatvecBatchTests: XCTestCase {
    /// A batch of products over different types and activations equals the products run one by one.
    func testMatvecsEqualsSeparateCalls() throws {
        let m = try Goldens.manifest()
        let pool = ThreadPool(threads: 2)
        var rng = SeededRNG(seed: 5)
        let xs = (0..<2 * m.cols).map { _ in rng.gaussian() }
        let names = ["Q4_K", "Q6_K", "Q8_0", "Q5_0", "BF16"]
        // weights copied to memory the matrices may point into for the whole test
        let raws = try names.map { name -> UnsafeMutableRawBufferPointer in
            let b = try Goldens.bytes("\(name).w.bin")
            let p = UnsafeMutableRawBufferPointer.allocate(byteCount: b.count, alignment: 64)
            p.copyBytes(from: b)
            return p
        }
        defer { raws.forEach { $0.deallocate() } }
        let bufs = names.map { _ in ActivationBuffer() }
        var ys = [Float](repeating: .nan, count: names.count * m.rows), ref = ys
        try ys.withUnsafeMutableBufferPointer { yb in
            var jobs: [MatvecJob] = []
            for (k, name) in names.enumerated() {
                let t = try XCTUnwrap(GGMLType.named(name))
                let w = try WeightMatrix(type: t, rows: m.rows, cols: m.cols, data: UnsafeRawPointer(raws[k].baseAddress!))
                let q = try bufs[k].quantize(xs, n: 2, cols: m.cols, for: t)
                jobs.append(MatvecJob(w, q, row: k % 2, yb.baseAddress! + k * m.rows))
                ref.withUnsafeMutableBufferPointer { rb in
                    xs.withUnsafeBufferPointer { matvec(w, $0.baseAddress! + (k % 2) * m.cols, rb.baseAddress! + k * m.rows, pool: nil) }
                }
            }
            jobs.withUnsafeBufferPointer { matvecs($0, pool: pool) }
        }
        XCTAssertEqual(ys, ref)
    }
}
