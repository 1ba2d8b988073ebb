// Attention arithmetic in the exact float order of llama.cpp's x86 AVX-512 CPU build (non-flash path):
// K·q as ggml_vec_dot_f32, softmax with ggml_v_expf and 16-lane block sums in double, and the weighted sum
// of values as ggml_vec_dot_f32 (one token) or tinyBLAS sgemm (a batch). Bit-for-bit agreement matters
// because small models amplify a 1-ulp difference into a different greedy token.
import Foundation

enum AttentionMath {
    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// _mm512_reduce_add_ps: (hi8 + lo8), then (hi4 + lo4), then (t0 + t2) + (t1 + t3).
    @inline(__always) static func reduce(_ v: SIMD16<Float>) -> Float {
        let t3 = v.highHalf + v.lowHalf
        let t6 = t3.highHalf + t3.lowHalf
        return (t6[0] + t6[2]) + (t6[1] + t6[3])
    }

    /// Fused a·b + c without an FMA instruction at the x86-64 baseline (where `addingProduct` is a libm call):
    /// the product is exact in Double and the Double sum correctly rounded, so rounding it to Float gives the
    /// fused result unless it sits exactly on a Float halfway point or below the normal range — then 1, and the
    /// caller recomputes with `addingProduct`.
    @inline(__always) static func fmaParts(_ a: Float, _ b: Float, _ c: Float) -> (Float, UInt64) {
        let t = Double(a) * Double(b) + Double(c)
        let mid: UInt64 = (t.bitPattern & 0x1FFF_FFFF) == 0x1000_0000 ? 1 : 0
        let tiny: UInt64 = (t != 0 && abs(t) < 1.1754943508222875e-38) ? 1 : 0
        return (Float(t), mid | tiny)
    }

    @inline(__always) static func fma(_ a: Float, _ b: Float, _ c: Float) -> Float {
        let (r, bad) = fmaParts(a, b, c)
        return bad == 0 ? r : c.addingProduct(a, b)
    }

    /// dst[i] = fma(x[i], y[i], dst[i]) for i < n (y nil: the scalar w), exactly; `save` (n) holds a copy for the rare redo.
    @inline(__always) static func fmaRow(_ dst: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>?,
                                         _ w: Float, count n: Int, save: UnsafeMutablePointer<Float>) {
        save.update(from: dst, count: n)
        var bad: UInt64 = 0
        if let y {
            for i in 0..<n { let (r, b) = fmaParts(x[i], y[i], dst[i]); dst[i] = r; bad |= b }
            if bad != 0 { for i in 0..<n { dst[i] = save[i].addingProduct(x[i], y[i]) } }
        } else {
            for i in 0..<n { let (r, b) = fmaParts(x[i], w, dst[i]); dst[i] = r; bad |= b }
            if bad != 0 { for i in 0..<n { dst[i] = save[i].addingProduct(x[i], w) } }
        }
    }

    /// ggml_v_expf (AVX-512 variant), lane by lane.
    @inline(__always) static func expf(_ x: Float) -> Float {
        let r: Float = 0x1.8p23
        let z = fma(x, 0x1.715476p+0, r)
        let n = z - r
        let b = fma(-n, 0x1.7f7d1cp-20, fma(-n, 0x1.62e4p-1, x))
        let u = b * b
        let p1 = fma(0x1.0e4020p-7, b, 0x1.573e2ep-5)
        let p2 = fma(0x1.555e66p-3, b, 0x1.fffdb6p-2)
        let p3 = fma(0x1.ffffecp-1, b, 1)
        let j = fma(fma(p1, u, p2), u, p3)
        if abs(n) > 192 { return n <= 0 ? 0 : .infinity }
        return scalbnf(j, Int32(n))
    }

    /// ggml_vec_dot_f32: four 16-lane FMA accumulators over 64-element steps, reduced (s0+s2)+(s1+s3), tail in order.
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
        let np = n & ~63
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 128) { buf in
            let acc = buf.baseAddress!, save = acc + 64       // acc[16k + l]: lane l of accumulator k
            acc.update(repeating: 0, count: 64)
            var i = 0
            while i < np { fmaRow(acc, x + i, y + i, 0, count: 64, save: save); i += 64 }
            let s0 = load16(acc), s1 = load16(acc + 16), s2 = load16(acc + 32), s3 = load16(acc + 48)
            var sum = reduce((s0 + s2) + (s1 + s3))
            while i < n { sum += x[i] * y[i]; i += 1 }
            return sum
        }
    }

    /// In-place soft_max_ext over x(count): x·scale, max, ggml_v_expf, sums of aligned 16-lane blocks in double.
    static func softmax(_ x: UnsafeMutablePointer<Float>, count n: Int, scale: Float) {
        var m = -Float.infinity
        for i in 0..<n { x[i] *= scale; m = max(m, x[i]) }
        var sum = 0.0
        var i = 0
        while i < n {
            var block = SIMD16<Float>()
            for lane in 0..<min(16, n - i) {
                let v = expf(x[i + lane] - m)
                x[i + lane] = v
                block[lane] = v
            }
            sum += Double(reduce(block))
            i += 16
        }
        let inv = Float(1.0 / sum)
        for i in 0..<n { x[i] *= inv }
    }

    /// out(width)[d] = Σ_j p[j] · v[j·stride + d] for j < count, summed as llama.cpp multiplies transposed V by the
    /// probabilities: one token → ggml_vec_dot_f32 (lane j%16 of accumulator (j/16)%4); a batch → tinyBLAS
    /// (lane j%16 of one accumulator). acc: (65, width) scratch.
    static func weightedSum(_ p: UnsafePointer<Float>, count n: Int, _ v: UnsafePointer<Float>, stride: Int, width: Int,
                            _ out: UnsafeMutablePointer<Float>, acc: UnsafeMutablePointer<Float>, single: Bool) {
        let groups = single ? 4 : 1
        acc.update(repeating: 0, count: groups * 16 * width)
        let save = acc + 64 * width
        for j in 0..<n {
            let a = single ? (j >> 4) & 3 : 0
            fmaRow(acc + (a * 16 + (j & 15)) * width, v + j * stride, nil, p[j], count: width, save: save)
        }
        for d in 0..<width {
            var s = SIMD16<Float>()
            if single {
                var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
                for l in 0..<16 {
                    s0[l] = acc[l * width + d]; s1[l] = acc[(16 + l) * width + d]
                    s2[l] = acc[(32 + l) * width + d]; s3[l] = acc[(48 + l) * width + d]
                }
                s = (s0 + s2) + (s1 + s3)
            } else {
                for l in 0..<16 { s[l] = acc[l * width + d] }
            }
            out[d] = reduce(s)
        }
    }
}
