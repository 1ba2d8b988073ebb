// Attention over a shared latent cache (CKernels/mla_attention*.c): every kernel this CPU runs (scalar twin, AVX2,
// AMX BF16 tiles) agrees with the scalar twin and with float64 softmax attention, for one token with any split of the keys into parts and for causal batches;
// odd head counts and widths, a lone last key, one key, and scores large enough that unscaled exponentials would
// overflow; keys in f32, in f16 (against float64 on the f16-rounded keys) and in q8_0 (against float64 on d · q of
// blocks made by Q8Reference, an independent float64 model of ggml's quantizer).
import XCTest
import CKernels
@testable import Kernels

final class MLAAttentionTests: XCTestCase {
    var rng = SeededRNG(seed: 4711)
    func randoms(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in rng.gaussian() * scale } }

    /// `keys` as the kernel reads them (f32, f16 bits, or q8_0 blocks) and as float64 math should see them (rounded
    /// to f16, d · q of the blocks, or as they are).
    struct Keys {
        let floats: [Float], bytes: [UInt8], type: Int32
        init(_ keys: [Float], type: Int32, stride: Int) {
            self.type = type
            switch type {
            case Int32(CK_KV_F16):
                let bits = keys.map { ck_fp32_to_fp16($0) }
                bytes = bits.withUnsafeBytes { Array($0) }
                floats = bits.map { ck_fp16_to_fp32($0) }
            case Int32(CK_KV_Q8_0):   // each row of `stride` numbers padded with zeros to whole blocks
                let whole = (stride + 31) / 32 * 32
                bytes = Swift.stride(from: 0, to: keys.count, by: stride).flatMap { r in
                    Q8Reference.quantize(Array(keys[r..<r + stride]) + [Float](repeating: 0, count: whole - stride))
                }
                let deq = Q8Reference.dequantize(bytes)
                floats = Swift.stride(from: 0, to: deq.count, by: whole).flatMap { deq[$0..<$0 + stride] }
            default:
                bytes = keys.withUnsafeBytes { Array($0) }
                floats = keys
            }
        }
        static let types = [Int32(CK_KV_F32), Int32(CK_KV_F16), Int32(CK_KV_Q8_0)]
        func with<R>(_ body: (UnsafeRawPointer, Int32) -> R) -> R { bytes.withUnsafeBytes { body($0.baseAddress!, type) } }
    }

    /// The kernels this CPU can run (the others would fall back to a narrower one).
    static let kernels: [Int32] = {
        let f = ck_cpu_features()
        return [Int32(CK_MLA_SCALAR)] + (f & UInt32(CK_AVX2) != 0 ? [Int32(CK_MLA_AVX2)] : [])
            + (f & UInt32(CK_AMX_BF16) != 0 ? [Int32(CK_MLA_AMX)] : [])
    }()
    static let scalar = Int32(CK_MLA_SCALAR)
    func name(_ k: Int32) -> String { String(cString: ck_mla_kernel_name(k)) }

    /// out (nh, vw) from `parts` parts through ck_mla_merge, with `kernel`.
    func attend(_ q: [Float], nh: Int, kw: Int, vw: Int, _ keys: Keys, stride: Int, len: Int, scale: Float,
                parts: Int, kernel: Int32) -> [Float] {
        var o = [Float](repeating: .nan, count: parts * nh * vw), ml = [Float](repeating: .nan, count: parts * 2 * nh)
        var s = [Float](repeating: .nan, count: nh * 64), out = [Float](repeating: .nan, count: nh * vw)
        let blocks = (len + 63) / 64
        for p in 0..<parts {
            let j0 = min(len, p * blocks / parts * 64), j1 = min(len, (p + 1) * blocks / parts * 64)
            o.withUnsafeMutableBufferPointer { op in ml.withUnsafeMutableBufferPointer { mp in keys.with { k, half in
                ck_mla_part(kernel, q, Int32(nh), Int32(nh), Int32(kw), Int32(vw), k, half, Int64(stride), Int64(len), Int64(j0), Int64(j1), scale,
                  op.baseAddress! + p * nh * vw, mp.baseAddress! + p * 2 * nh, &s)
            } } }
        }
        ck_mla_merge(Int32(nh), Int32(vw), Int32(parts), o, ml, &out)
        return out
    }

    /// float64 softmax(scale · q[h]·k_j) · k_j[0 ..< vw] over keys j < len + h / per.
    func reference(_ q: [Float], nh: Int, per: Int? = nil, kw: Int, vw: Int, _ keys: [Float], stride: Int, len len0: Int,
                   scale: Float) -> [Double] {
        var out = [Double](repeating: 0, count: nh * vw)
        for h in 0..<nh {
            let len = len0 + h / (per ?? nh)
            let sc = (0..<len).map { j in Double(scale) * (0..<kw).reduce(0.0) { $0 + Double(q[h * kw + $1]) * Double(keys[j * stride + $1]) } }
            let m = sc.max()!, e = sc.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
            for j in 0..<len { for d in 0..<vw { out[h * vw + d] += e[j] / z * Double(keys[j * stride + d]) } }
        }
        return out
    }

    func check(nh: Int, kw: Int, vw: Int, stride: Int, lens: [Int], spread: Float = 1, tolerance: Double = 2e-5) {
        let scale = 1 / Float(kw).squareRoot()
        for len in lens {
            let q = randoms(nh * kw, scale: spread), raw = randoms(len * stride)
            for type in Keys.types {
            let keys = Keys(raw, type: type, stride: stride)
            let ref = reference(q, nh: nh, kw: kw, vw: vw, keys.floats, stride: stride, len: len, scale: scale)
            let twin = attend(q, nh: nh, kw: kw, vw: vw, keys, stride: stride, len: len, scale: scale, parts: 1, kernel: Self.scalar)
            for parts in [1, 2, 3] where parts <= (len + 63) / 64 {
                for kernel in Self.kernels {
                    let out = attend(q, nh: nh, kw: kw, vw: vw, keys, stride: stride, len: len, scale: scale, parts: parts, kernel: kernel)
                    for i in 0..<nh * vw {
                        let tol = tolerance * max(1, abs(ref[i]))
                        XCTAssertEqual(Double(out[i]), ref[i], accuracy: tol, "\(name(kernel)) type \(type) nh \(nh) kw \(kw) len \(len) parts \(parts) [\(i)]")
                        XCTAssertEqual(out[i], twin[i], accuracy: Float(tol), "\(name(kernel)) vs twin type \(type) nh \(nh) len \(len) parts \(parts) [\(i)]")
                    }
                }
            }
            }
        }
    }

    /// A batch: rows are tokens × heads, token t sees keys 0 ..< len0 + t; the kernel against float64 and its twin.
    func checkBatch(tokens: Int, per: Int, kw: Int, vw: Int, len0: Int) {
        let rows = tokens * per, stride = kw, len = len0 + tokens - 1, scale = 1 / Float(kw).squareRoot()
        let q = randoms(rows * kw), raw = randoms(len * stride)
        for type in Keys.types {
        let keys = Keys(raw, type: type, stride: stride)
        let ref = reference(q, nh: rows, per: per, kw: kw, vw: vw, keys.floats, stride: stride, len: len0, scale: scale)
        for kernel in Self.kernels {
            var o = [Float](repeating: .nan, count: rows * vw), ml = [Float](repeating: .nan, count: 2 * rows)
            var s = [Float](repeating: .nan, count: rows * 64), out = [Float](repeating: .nan, count: rows * vw)
            keys.with { k, h in
                ck_mla_part(kernel, q, Int32(rows), Int32(per), Int32(kw), Int32(vw), k, h, Int64(stride), Int64(len0), 0, Int64(len),
                            scale, &o, &ml, &s)
            }
            ck_mla_merge(Int32(rows), Int32(vw), 1, o, ml, &out)
            for i in 0..<rows * vw {
                XCTAssertEqual(Double(out[i]), ref[i], accuracy: 2e-5 * max(1, abs(ref[i])),
                               "\(name(kernel)) type \(type) tokens \(tokens) per \(per) len0 \(len0) [\(i)]")
            }
        }
        }
    }

    /// Causal batches: a first token with one key, rows whose last key falls inside a block or on its edge, a
    /// token group straddling groups of 5 rows (per 3), the GLM shape.
    func testCausalBatches() {
        checkBatch(tokens: 2, per: 20, kw: 576, vw: 512, len0: 1)
        checkBatch(tokens: 3, per: 20, kw: 576, vw: 512, len0: 62)
        checkBatch(tokens: 5, per: 3, kw: 64, vw: 32, len0: 127)
        checkBatch(tokens: 4, per: 7, kw: 24, vw: 16, len0: 10)
    }

    /// GLM-4.7-Flash's shape: 20 heads, keys of 512 latent + 64 rope, values the latent.
    func testGLMShapeMatchesTwinAndFloat64() {
        check(nh: 20, kw: 576, vw: 512, stride: 576, lens: [1, 2, 63, 64, 65, 130, 257])
    }

    /// Head counts that leave a partial group of 5, rows wider than the keys, widths without a SIMD path.
    func testOddShapes() {
        check(nh: 7, kw: 24, vw: 16, stride: 40, lens: [1, 5, 64, 129])
        check(nh: 3, kw: 64, vw: 32, stride: 64, lens: [3, 200])
        check(nh: 2, kw: 20, vw: 12, stride: 20, lens: [7, 70])  // scalar everywhere (kw % 8, vw % 16)
        // The AMX kernel's second tile of 16 rows carrying its rows' lo (17–24 rows, one token) or not (25)
        for nh in [17, 24, 25] { check(nh: nh, kw: 64, vw: 32, stride: 64, lens: [1, 65, 200]) }
    }

    /// Scores of several hundred: exp would overflow without subtracting the running maximum (a score's rounding
    /// error is larger there, hence the looser tolerance).
    func testLargeScoresStayFinite() {
        check(nh: 5, kw: 64, vw: 32, stride: 64, lens: [100, 150], spread: 100, tolerance: 1e-3)
    }

    /// The options choose the kernel: the scalar family the twin, the AVX2 family or AMX off no tiles, auto the widest
    /// this CPU has (a CPU without AVX2 or AMX-BF16 gets the next narrower one whatever is asked).
    func testKernelChoiceFollowsTheOptions() {
        let f = ck_cpu_features(), avx2 = f & UInt32(CK_AVX2) != 0, amx = f & UInt32(CK_AMX_BF16) != 0
        let simd = avx2 ? Int32(CK_MLA_AVX2) : Int32(CK_MLA_SCALAR)
        XCTAssertEqual(EngineOptions(kernels: .scalar).attentionKernel, Int32(CK_MLA_SCALAR))
        XCTAssertEqual(EngineOptions(kernels: .avx2).attentionKernel, simd)
        XCTAssertEqual(EngineOptions(amx: false).attentionKernel, simd)
        XCTAssertEqual(EngineOptions().attentionKernel, amx ? Int32(CK_MLA_AMX) : simd)
        XCTAssertEqual(EngineOptions(kernels: .avx512).attentionKernel, amx ? Int32(CK_MLA_AMX) : simd)
    }
}
