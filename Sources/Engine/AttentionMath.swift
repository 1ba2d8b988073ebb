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

    /// ggml_v_expf (AVX-512 variant), lane by lane.
    @inline(__always) static func expf(_ x: Float) -> Float {
        let r: Float = 0x1.8p23
        let z = r.addingProduct(x, 0x1.715476p+0)
        let n = z - r
        let b = x.addingProduct(-n, 0x1.62e4p-1).addingProduct(-n, 0x1.7f7d1cp-20)
        let u = b * b
        let p1 = Float(0x1.573e2ep-5).addingProduct(0x1.0e4020p-7, b)
        let p2 = Float(0x1.fffdb6p-2).addingProduct(0x1.555e66p-3, b)
        let p3 = Float(1).addingProduct(0x1.ffffecp-1, b)
        let j = p3.addingProduct(p2.addingProduct(p1, u), u)
        if abs(n) > 192 { return n <= 0 ? 0 : .infinity }
        return scalbnf(j, Int32(n))
    }

    /// ggml_vec_dot_f32: four 16-lane FMA accumulators over 64-element steps, reduced (s0+s2)+(s1+s3), tail in order.
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
        let np = n & ~63
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = 0
        while i < np {
            s0.addProduct(load16(x + i), load16(y + i))
            s1.addProduct(load16(x + i + 16), load16(y + i + 16))
            s2.addProduct(load16(x + i + 32), load16(y + i + 32))
            s3.addProduct(load16(x + i + 48), load16(y + i + 48))
            i += 64
        }
        var sum = reduce((s0 + s2) + (s1 + s3))
        while i < n { sum += x[i] * y[i]; i += 1 }
        return sum
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
    /// (lane j%16 of one accumulator). acc: (64, width) scratch.
    static func weightedSum(_ p: UnsafePointer<Float>, count n: Int, _ v: UnsafePointer<Float>, stride: Int, width: Int,
                            _ out: UnsafeMutablePointer<Float>, acc: UnsafeMutablePointer<Float>, single: Bool) {
        let groups = single ? 4 : 1
        acc.update(repeating: 0, count: groups * 16 * width)
        for j in 0..<n {
            let a = single ? (j >> 4) & 3 : 0
            let dst = acc + (a * 16 + (j & 15)) * width, row = v + j * stride, w = p[j]
            for d in 0..<width { dst[d] = dst[d].addingProduct(row[d], w) }
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
