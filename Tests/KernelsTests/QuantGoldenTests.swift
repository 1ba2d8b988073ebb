// Dequantization, activation quantization and matvec against gguf-py / numpy goldens (Tools/kernels/make_goldens.py).
import XCTest
import CKernels
import GGUF
@testable import Kernels

final class QuantGoldenTests: XCTestCase {
    /// Every supported type dequantizes exactly as gguf-py does (equal, or 1 ulp where the float order differs).
    func testDequantizeMatchesGGUFPy() throws {
        let m = try Goldens.manifest()
        XCTAssertEqual(Set(m.types), Set(Quant.supportedTypes.map(\.name)))
        for name in m.types {
            let t = try XCTUnwrap(GGMLType.named(name))
            let raw = try Goldens.bytes("\(name).w.bin"), ref = try Goldens.floats("\(name).deq.f32")
            var out = [Float](repeating: .nan, count: m.rows * m.cols)
            try raw.withUnsafeBytes { rb in
                let w = try WeightMatrix(type: t, rows: m.rows, cols: m.cols, data: rb.baseAddress!)
                XCTAssertEqual(w.rowBytes * m.rows, raw.count, name)
                out.withUnsafeMutableBufferPointer { o in for r in 0..<m.rows { w.dequantizeRow(r, into: o.baseAddress! + r * m.cols) } }
            }
            var exact = 0, oneUlp = 0
            for i in ref.indices {
                if out[i].bitPattern == ref[i].bitPattern || out[i] == ref[i] { exact += 1; continue }
                if abs(out[i] - ref[i]) <= ref[i].ulp { oneUlp += 1; continue }
                XCTFail("\(name)[\(i)]: \(out[i]) != gguf-py \(ref[i])"); break
            }
            XCTAssertEqual(exact + oneUlp, ref.count, name)
            XCTAssertGreaterThan(exact, ref.count * 9 / 10, "\(name): too many 1-ulp differences (\(oneUlp))")
        }
    }

    /// Q8_0 activations equal gguf-py's quantize(Q8_0) byte for byte; Q8_1 and Q8_K equal numpy ports of
    /// ggml's quantize_row_q8_1_ref / quantize_row_q8_K_ref (including an all-zero block).
    func testActivationQuantizationMatchesReference() throws {
        let m = try Goldens.manifest()
        let act = try Goldens.floats("act.f32")
        XCTAssertEqual(act.count, m.act_n)
        for (t, file) in [(GGMLType.q8_0, "act.q8_0.bin"), (.q8_1, "act.q8_1.bin"), (.q8_K, "act.q8_K.bin")] {
            let ref = try Goldens.bytes(file)
            XCTAssertEqual(ref.count, t.byteCount(elements: act.count), t.name)
            var out = [UInt8](repeating: 0xAA, count: ref.count)
            try out.withUnsafeMutableBytes { o in try Quant.quantizeRow(t, act, o.baseAddress!, count: act.count) }
            let firstDiff = zip(out, ref).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            XCTAssertNil(firstDiff, "\(t.name): first differing byte \(firstDiff ?? -1)")
        }
    }

    /// matvec equals (a) ggml's quantized-activation path computed in float64 to float rounding, and
    /// (b) exact float64 math on gguf-py's dequantized weights within the activation quantization bound:
    ///   |y - y64| ≤ Σ_j |W_j| e_j + 4e-6 Σ_j |W_j x_j|   with, per element j of activation block b,
    ///   Q8_0/Q8_1: e_j = amax_b (0.5/127 + 2⁻¹¹)  (rounding to a step of d = amax/127, d stored as f16),
    ///   plus for Q8_1 |m_b| · 32 amax_b · 2⁻¹¹ per block (the block sum s is stored as f16);
    ///   Q8_K: e_j = amax_b (0.5/127 + 1e-6)  (d stays f32);  F16: |x_j| 2⁻¹¹;  BF16: |x_j| 2⁻⁸;  F32: 0.
    func testMatvecMatchesReferences() throws {
        let m = try Goldens.manifest()
        let x = try Goldens.floats("x.f32")
        let pool = ThreadPool(threads: 3)
        defer { EngineOptions().applyToElementwiseKernels() }
        for name in m.types {
            let t = try XCTUnwrap(GGMLType.named(name))
            let raw = try Goldens.bytes("\(name).w.bin"), deq = try Goldens.floats("\(name).deq.f32")
            let yq = try Goldens.doubles("\(name).yq.f64"), y64 = try Goldens.doubles("\(name).y64.f64")
            let bound = Self.bounds(type: t, dotType: m.vec_dot[name]!, raw: raw, deq: deq, x: x, rows: m.rows, cols: m.cols)
            for scalar in [true, false] {
                let options = EngineOptions(kernels: scalar ? .scalar : .auto)
                options.applyToElementwiseKernels()
                for p in [nil, pool] {
                    var y = [Float](repeating: .nan, count: m.rows)
                    try raw.withUnsafeBytes { rb in
                        let w = try WeightMatrix(type: t, rows: m.rows, cols: m.cols, data: rb.baseAddress!, options: options)
                        matvec(w, x, &y, pool: p)
                    }
                    for r in 0..<m.rows {
                        XCTAssertEqual(Double(y[r]), yq[r], accuracy: bound.rounding[r], "\(name) row \(r) vs quantized path (scalar \(scalar))")
                        XCTAssertEqual(Double(y[r]), y64[r], accuracy: bound.total[r], "\(name) row \(r) vs exact math (scalar \(scalar))")
                    }
                }
            }
        }
    }

    /// matvec equals llama.cpp's own x86 kernels (ggml_vec_dot_*, called through ctypes by make_goldens.py):
    /// (a) on activations from ggml's reference quantizer (byte-identical to ours) within float rounding,
    ///     4e-6 Σ_j |W_j x_j| (the kernels differ only in summation order);
    /// (b) end to end with llama.cpp's runtime activation quantizer, which on x86 rounds Q8_0/Q8_1 with
    ///     127/amax and round-to-even instead of the reference 1/d and roundf: a quantized activation may then
    ///     differ by one step, so |Δ| ≤ Σ_j |W_j| amax_b/127 + 4e-6 Σ_j |W_j x_j| for those two types, and
    ///     rounding only for the others (their runtime quantizers equal the reference).
    func testMatvecMatchesLlamaCpp() throws {
        let m = try Goldens.manifest()
        let x = try Goldens.floats("x.f32")
        var worst = 0.0  // largest |Δ| against llama.cpp's vec_dot, in units of the rounding bound
        defer { print("matvec vs llama.cpp ggml_vec_dot: worst |Δ| = \(worst) of the 4e-6·Σ|W x| rounding bound") }
        for name in m.types {
            let t = try XCTUnwrap(GGMLType.named(name))
            let raw = try Goldens.bytes("\(name).w.bin"), deq = try Goldens.floats("\(name).deq.f32")
            let yl = try Goldens.doubles("\(name).yllama.f64"), yn = try Goldens.doubles("\(name).ynative.f64")
            let dotType = m.vec_dot[name]!
            let round = Self.bounds(type: t, dotType: dotType, raw: raw, deq: deq, x: x, rows: m.rows, cols: m.cols).rounding
            var y = [Float](repeating: .nan, count: m.rows)
            try raw.withUnsafeBytes { rb in
                matvec(try WeightMatrix(type: t, rows: m.rows, cols: m.cols, data: rb.baseAddress!), x, &y, pool: nil)
            }
            for r in 0..<m.rows {
                XCTAssertEqual(Double(y[r]), yl[r], accuracy: round[r], "\(name) row \(r) vs llama.cpp vec_dot")
                worst = max(worst, abs(Double(y[r]) - yl[r]) / round[r])
                var step = 0.0
                if dotType == "Q8_0" || dotType == "Q8_1" {
                    for b in stride(from: 0, to: m.cols, by: 32) {
                        let amax = Double(x[b..<b + 32].map { abs($0) }.max()!)
                        for j in b..<b + 32 { step += Double(abs(deq[r * m.cols + j])) * amax / 127 }
                    }
                }
                XCTAssertEqual(Double(y[r]), yn[r], accuracy: round[r] + step, "\(name) row \(r) vs llama.cpp end to end")
            }
        }
    }

    static func bounds(type t: GGMLType, dotType: String, raw: [UInt8], deq: [Float], x: [Float], rows: Int, cols: Int) -> (rounding: [Double], total: [Double]) {
        let blk = dotType == "Q8_K" ? 256 : 32
        var e = [Double](repeating: 0, count: cols)
        for b in stride(from: 0, to: cols, by: blk) {
            let amax = Double(x[b..<b + blk].map { abs($0) }.max()!)
            for j in b..<b + blk {
                switch dotType {
                case "Q8_0", "Q8_1": e[j] = amax * (0.5 / 127 + 1.0 / 2048)
                case "Q8_K": e[j] = amax * (0.5 / 127 + 1e-6)
                case "F16": e[j] = Double(abs(x[j])) / 2048
                case "BF16": e[j] = Double(abs(x[j])) / 256
                default: e[j] = 0
                }
            }
        }
        var rounding = [Double](repeating: 0, count: rows), total = rounding
        for r in 0..<rows {
            var s = 0.0, q = 0.0
            for j in 0..<cols { let w = Double(abs(deq[r * cols + j])); s += w * Double(abs(x[j])); q += w * e[j] }
            if dotType == "Q8_1" {  // min term m·s with s rounded to f16
                let bytesPerBlock = t.typeSize, nb = cols / 32
                for b in 0..<nb {
                    let off = (r * nb + b) * bytesPerBlock + 2
                    let mBits = UInt16(raw[off]) | UInt16(raw[off + 1]) << 8
                    let amax = Double(x[b * 32..<b * 32 + 32].map { abs($0) }.max()!)
                    q += Double(abs(Float(Float16(bitPattern: mBits)))) * 32 * amax / 2048
                }
            }
            rounding[r] = 4e-6 * s + 1e-30
            total[r] = q + 4e-6 * s + 1e-30
        }
        return (rounding, total)
    }

    /// C block structs have the byte sizes ggml (and the GGUF reader's table) give them.
    func testBlockLayouts() {
        for t in Quant.supportedTypes + [GGMLType.q8_1, .q8_K] {
            XCTAssertEqual(Int(ck_block_struct_size(t.id)), t.typeSize, t.name)
            XCTAssertEqual(Int(ck_block_elems(t.id)), t.blockSize, t.name)
        }
        XCTAssertEqual(Quant.vecDotType(.q4_K), .q8_K)
        XCTAssertEqual(Quant.vecDotType(.q5_1), .q8_1)
        XCTAssertEqual(Quant.vecDotType(.iq4_nl), .q8_0)
        XCTAssertEqual(Quant.vecDotType(.bf16), .bf16)
        XCTAssertNil(Quant.vecDotType(.iq2_xs))
    }
}
