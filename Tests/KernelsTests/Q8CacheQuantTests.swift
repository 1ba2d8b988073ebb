// The q8_0 KV cache's row quantizer (ck_quantize_row for Q8_0, SIMD and scalar twin) against Q8Reference, an
// independent float64 model of ggml's x86 quantize_row_q8_0: byte for byte on seeded random rows, zero blocks and
// exact rounding ties; and dequantized rows within half a step of the input.
import XCTest
import CKernels
@testable import Kernels

/// ggml's q8_0 rule (ggml-cpu x86 quantize_row_q8_0, which llama.cpp applies to q8_0 KV rows) in float64 steps
/// rounded to f32 where ggml rounds: per block of 32, amax = max |x|, d = f32(amax / 127) stored as f16,
/// id = f32(127 / amax) (0 for an all-zero block), q = round-half-to-even(f32(x · id)). A block is 34 bytes:
/// d's f16 bits (little-endian), then 32 int8.
enum Q8Reference {
    static func quantize(_ x: [Float]) -> [UInt8] {
        precondition(x.count % 32 == 0)
        var out: [UInt8] = []
        out.reserveCapacity(x.count / 32 * 34)
        for b in stride(from: 0, to: x.count, by: 32) {
            let block = x[b..<b + 32]
            let amax = block.map { abs(Double($0)) }.max()!
            let d = Float(amax / 127), id = amax == 0 ? Float(0) : Float(127 / amax)
            let h = Float16(d).bitPattern
            out += [UInt8(h & 0xFF), UInt8(h >> 8)]
            for v in block {
                let scaled = Double(Float(Double(v) * Double(id)))      // x · id rounded to f32, as ggml multiplies
                out.append(UInt8(bitPattern: Int8(scaled.rounded(.toNearestOrEven))))
            }
        }
        return out
    }

    /// d · q of every number, in f32 (exact: an f16 scale times an int8).
    static func dequantize(_ bytes: [UInt8]) -> [Float] {
        var out: [Float] = []
        for b in stride(from: 0, to: bytes.count, by: 34) {
            let d = Float(Float16(bitPattern: UInt16(bytes[b]) | UInt16(bytes[b + 1]) << 8))
            for i in 0..<32 { out.append(d * Float(Int8(bitPattern: bytes[b + 2 + i]))) }
        }
        return out
    }
}

final class Q8CacheQuantTests: XCTestCase {
    /// The kernel's bytes for `x` with the SIMD quantizer or the scalar twin.
    func quantize(_ x: [Float], scalar: Bool) throws -> [UInt8] {
        if scalar { EngineOptions(kernels: .scalar).applyToElementwiseKernels() }
        defer { EngineOptions().applyToElementwiseKernels() }
        var out = [UInt8](repeating: 0xAA, count: x.count / 32 * 34)
        try out.withUnsafeMutableBytes { try Quant.quantizeRow(.q8_0, x, $0.baseAddress!, count: x.count) }
        return out
    }

    /// Rows as the cache gets them: GLM's 576 numbers (latent of unit scale after its norm, rope keys larger), a
    /// zero block, a block of exact ties (amax 127 makes id 1: ±2.5 → ±2, 3.5 → 4), a lone outlier, tiny values.
    func rows() -> [[Float]] {
        var rng = SeededRNG(seed: 8080)
        var rows = (0..<20).map { r in (0..<576).map { i in rng.gaussian() * (i < 512 ? 1 : Float(1 + r)) } }
        var ties = [Float](repeating: 0, count: 32)
        ties[0] = 127; ties[1] = 2.5; ties[2] = -2.5; ties[3] = 3.5; ties[4] = -0.5; ties[5] = 0.5; ties[6] = 1.5; ties[7] = -126.5
        var outlier = (0..<32).map { _ in rng.gaussian() * 1e-3 }
        outlier[17] = 40
        rows.append([Float](repeating: 0, count: 32) + ties + outlier + (0..<32).map { _ in rng.gaussian() * 1e-6 })
        return rows
    }

    func testQuantizerMatchesFloat64ReferenceByteForByte() throws {
        for (n, x) in rows().enumerated() {
            let want = Q8Reference.quantize(x)
            XCTAssertEqual(try quantize(x, scalar: false), want, "SIMD, row \(n)")
            XCTAssertEqual(try quantize(x, scalar: true), want, "scalar twin, row \(n)")
        }
        // The tie rule spelled out: half to even, as _mm256_round_ps(…, _MM_ROUND_NEAREST).
        let ties = rows().last!, q = try quantize(ties, scalar: false)
        XCTAssertEqual(Array(q[34 + 2..<34 + 10]).map { Int8(bitPattern: $0) }, [127, 2, -2, 4, 0, 0, 2, -126])
        XCTAssertEqual(Array(q[0..<34]), [UInt8](repeating: 0, count: 34), "an all-zero block is d = 0, q = 0")
    }

    /// Dequantized, every number is within half a step of the input: d / 2 plus what storing d as f16 moves 127 steps.
    func testDequantizedRowsStayWithinHalfAStep() throws {
        for x in rows() {
            let back = Q8Reference.dequantize(try quantize(x, scalar: false))
            for b in stride(from: 0, to: x.count, by: 32) {
                let d = x[b..<b + 32].map { abs(Double($0)) }.max()! / 127, stored = Double(Float16(Float(d)))
                for i in b..<b + 32 {
                    XCTAssertEqual(Double(back[i]), Double(x[i]), accuracy: d / 2 + 127 * abs(stored - d) + 1e-12 * d, "[\(i)]")
                }
            }
        }
    }
}
