// Elementwise ops against float64 formulas (RMS norm, softmax, SiLU/SwiGLU, RoPE normal/neox with YaRN, dot, axpy).
import Foundation
import XCTest
import CKernels
import GGUF
@testable import Kernels

final class OpsTests: XCTestCase {
    var rng = SeededRNG(seed: 7)
    func randoms(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in rng.gaussian() * scale } }

    func testRmsNorm() {
        let n = 203, x = randoms(n, scale: 3), w = randoms(n)
        var out = [Float](repeating: 0, count: n), plain = out
        Ops.rmsNorm(x, w, &out, count: n, eps: 1e-5)
        Ops.rmsNorm(x, nil, &plain, count: n, eps: 1e-5)
        let ms = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
        let s = 1 / (ms + 1e-5).squareRoot()
        for i in 0..<n {
            XCTAssertEqual(Double(out[i]), Double(x[i]) * s * Double(w[i]), accuracy: 1e-5 * max(1, abs(Double(out[i]))))
            XCTAssertEqual(Double(plain[i]), Double(x[i]) * s, accuracy: 1e-5 * max(1, abs(Double(plain[i]))))
        }
    }

    func testSoftmaxSiluSwiglu() {
        let n = 77
        var x = randoms(n, scale: 4); let orig = x
        Ops.softmax(&x, count: n)
        let mx = Double(orig.max()!), den = orig.reduce(0.0) { $0 + Foundation.exp(Double($1) - mx) }
        for i in 0..<n { XCTAssertEqual(Double(x[i]), Foundation.exp(Double(orig[i]) - mx) / den, accuracy: 1e-7) }
        let g = randoms(n, scale: 3), u = randoms(n)
        var out = [Float](repeating: 0, count: n), s = g
        Ops.swiglu(gate: g, up: u, out: &out, count: n)
        Ops.silu(&s, count: n)
        for i in 0..<n {
            let sil = Double(g[i]) / (1 + Foundation.exp(-Double(g[i])))
            XCTAssertEqual(Double(s[i]), sil, accuracy: 1e-6 * max(1, abs(sil)))
            XCTAssertEqual(Double(out[i]), sil * Double(u[i]), accuracy: 1e-6 * max(1, abs(sil * Double(u[i]))))
        }
    }

    func testDotAxpy() {
        let n = 1001, a = randoms(n), b = randoms(n)
        let ref = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(Double(Ops.dot(a, b, count: n)), ref, accuracy: 1e-4)
        var y = b
        Ops.axpy(0.5, a, &y, count: n)
        for i in 0..<n { XCTAssertEqual(y[i], b[i] + 0.5 * a[i], accuracy: 1e-6) }
    }

    /// ggml_rope_ext in float64: θ_i = pos·base^(-2i/dims); YaRN: θ = θ_interp(1-ramp) + θ_extrap·ramp with
    /// ramp = (1 - clamp((i - lo)/max(0.001, hi - lo), 0, 1))·ext, magnitude attn·(1 + 0.1 ln(1/freqScale)).
    func ropeReference(_ x: [Float], dims: Int, pos: Int, base: Double, neox: Bool, freqScale: Double, ext: Double,
                       attn: Double, betaFast: Double, betaSlow: Double, orig: Int) -> [Double] {
        func corr(_ nRot: Double) -> Double { Double(dims) * Foundation.log(Double(orig) / (nRot * 2 * Double.pi)) / (2 * Foundation.log(base)) }
        let lo = max(0, Foundation.floor(corr(betaFast))), hi = min(Double(dims - 1), Foundation.ceil(corr(betaSlow)))
        var out = x.map(Double.init)
        for i in 0..<dims / 2 {
            let extrap = Double(pos) * Foundation.pow(base, -2.0 * Double(i) / Double(dims))
            let interp = freqScale * extrap
            var theta = interp, mscale = attn
            if ext != 0 {
                let y = (Double(i) - lo) / max(0.001, hi - lo)
                let ramp = (1 - min(1, max(0, y))) * ext
                theta = interp * (1 - ramp) + extrap * ramp
                mscale *= 1 + 0.1 * Foundation.log(1 / freqScale)
            }
            let (a, b) = neox ? (i, i + dims / 2) : (2 * i, 2 * i + 1)
            let x0 = Double(x[a]), x1 = Double(x[b])
            out[a] = (x0 * Foundation.cos(theta) - x1 * Foundation.sin(theta)) * mscale
            out[b] = (x0 * Foundation.sin(theta) + x1 * Foundation.cos(theta)) * mscale
        }
        return out
    }

    func testRope() {
        let dims = 64
        for (neox, pos, fs, ext, attn) in [(false, 0, 1.0, 0.0, 1.0), (false, 37, 1.0, 0.0, 1.0), (true, 1234, 1.0, 0.0, 1.0),
                                           (false, 5000, 0.25, 1.0, 1.0), (true, 70000, 0.025, 1.0, 0.9)] {
            let x = randoms(dims)
            var y = x
            Ops.rope(&y, dims: dims, pos: pos, base: 10000, neox: neox, freqScale: Float(fs), extFactor: Float(ext),
                     attnFactor: Float(attn), betaFast: 32, betaSlow: 1, origContext: 4096)
            let ref = ropeReference(x, dims: dims, pos: pos, base: 10000, neox: neox, freqScale: fs, ext: ext, attn: attn,
                                    betaFast: 32, betaSlow: 1, orig: 4096)
            // float32 θ (ggml multiplies θ by base^(-2/dims) repeatedly): |Δθ| ≲ 40 ulp of pos
            let tol = 1e-4 + Double(pos) * 40 * Double(Float.ulpOfOne) * 4
            for i in 0..<dims { XCTAssertEqual(Double(y[i]), ref[i], accuracy: tol, "neox \(neox) pos \(pos) i \(i)") }
        }
        // multi-head apply equals single-vector rope
        let heads = 3, stride = 80
        var xs = randoms(heads * stride); let orig = xs
        var cache = [Float](repeating: 0, count: dims)
        Ops.ropeCache(&cache, dims: dims, pos: 99, base: 1e6)
        Ops.ropeApply(&xs, dims: dims, heads: heads, stride: stride, cache: cache, neox: false)
        for h in 0..<heads {
            var one = Array(orig[h * stride..<h * stride + dims])
            Ops.rope(&one, dims: dims, pos: 99, base: 1e6, neox: false)
            XCTAssertEqual(Array(xs[h * stride..<h * stride + dims]), one)
            XCTAssertEqual(Array(xs[h * stride + dims..<(h + 1) * stride]), Array(orig[h * stride + dims..<(h + 1) * stride]))
        }
    }
}

final class OpsSimdTests: XCTestCase {
    /// dot/axpy (f32 and with a f16/bf16 operand): dispatched kernels equal float64 math on the stored values
    /// and their scalar twins, for odd sizes and unaligned starts.
    func testDotAxpyAllPrecisions() {
        var rng = SeededRNG(seed: 99)
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 31, 100, 576, 1001] {
            for off in [0, 1] {
                let a = (0..<n + off).map { _ in rng.gaussian() }, b = (0..<n + off).map { _ in rng.gaussian() }
                let h = b.map { Float16($0).bitPattern }, bf = b.map { UInt16($0.bitPattern >> 16) }
                let hv = h.map { Double(Float(Float16(bitPattern: $0))) }, bv = bf.map { Double(Float(bitPattern: UInt32($0) << 16)) }
                let mag = zip(a, b).dropFirst(off).reduce(0.0) { $0 + Double(abs($1.0 * $1.1)) } * 1.01 + 1e-30
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in h.withUnsafeBufferPointer { hp in bf.withUnsafeBufferPointer { fp in
                    let A = ap.baseAddress! + off, B = bp.baseAddress! + off, H = hp.baseAddress! + off, F = fp.baseAddress! + off
                    var r32 = 0.0, r16 = 0.0, rbf = 0.0
                    for i in 0..<n { r32 += Double(A[i]) * Double(B[i]); r16 += Double(A[i]) * hv[i + off]; rbf += Double(A[i]) * bv[i + off] }
                    XCTAssertEqual(Double(Ops.dot(A, B, count: n)), r32, accuracy: 2e-6 * mag, "f32 n=\(n)")
                    XCTAssertEqual(Double(Ops.dot(A, H, type: .f16, count: n)), r16, accuracy: 2e-6 * mag, "f16 n=\(n)")
                    XCTAssertEqual(Double(Ops.dot(A, F, type: .bf16, count: n)), rbf, accuracy: 2e-6 * mag, "bf16 n=\(n)")
                    XCTAssertEqual(Double(ck_dot_f32_scalar(A, B, Int64(n))), r32, accuracy: 2e-6 * mag)
                    XCTAssertEqual(Double(ck_dot_half_scalar(A, H, Int64(n), GGMLType.f16.id)), r16, accuracy: 2e-6 * mag)
                    for (type, vals) in [(GGMLType.f16, hv), (.bf16, bv)] {
                        var y = Array(a[off...]), yScalar = y
                        let src = type == .f16 ? H : F
                        Ops.axpy(0.75, src, type: type, &y, count: n)
                        ck_axpy_half_scalar(0.75, src, &yScalar, Int64(n), type.id)
                        for i in 0..<n {
                            let want = Double(A[i]) + 0.75 * vals[i + off]
                            XCTAssertEqual(Double(y[i]), want, accuracy: 1e-6 * max(1, abs(want)), "\(type.name) axpy n=\(n)")
                            XCTAssertEqual(Double(yScalar[i]), want, accuracy: 1e-6 * max(1, abs(want)))
                        }
                    }
                } } } }
            }
        }
    }
}

final class SwigluSimdTests: XCTestCase {
    /// The dispatched SwiGLU gives its scalar twin's bits (ggml's v_expf on 8 lanes), exp under- and overflow included.
    func testSwigluMatchesTwin() {
        var rng = SeededRNG(seed: 5)
        for (n, spread) in [(1, Float(1)), (7, 4), (8, 4), (33, 10), (1000, 30), (257, 120), (64, 400)] {
            let g = (0..<n).map { _ in rng.gaussian() * spread }, u = (0..<n).map { _ in rng.gaussian() }
            var fast = [Float](repeating: 0, count: n), twin = fast
            ck_swiglu(g, u, &fast, Int64(n))
            ck_swiglu_scalar(g, u, &twin, Int64(n))
            XCTAssertEqual(fast.map(\.bitPattern), twin.map(\.bitPattern), "n \(n) spread \(spread)")
            for i in 0..<n {
                let ref = Double(g[i]) / (1 + Foundation.exp(-Double(g[i]))) * Double(u[i])
                XCTAssertEqual(Double(fast[i]), ref, accuracy: 1e-6 * abs(ref) + 1e-30)
            }
        }
    }
}
