// Elementwise float ops on caller buffers (RMS norm, softmax, SiLU, SwiGLU, RoPE, dot, axpy), as ggml computes them.
import CKernels
import GGUF

public enum Ops {
    /// out[i] = x[i] as IEEE f16 (round to nearest even, as ggml): the F16 case of ck_quantize_row.
    public static func toHalf(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt16>, count: Int) {
        let rc = ck_quantize_row(GGMLType.f16.id, x, out, Int64(count))
        precondition(rc == 0, "Ops.toHalf: \(count) numbers")
    }
    /// out(count) = x / sqrt(mean(x²) + eps) (× weight when given), sum of squares in double as ggml.
    public static func rmsNorm(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>, count: Int, eps: Float) {
        ck_rms_norm(x, weight, out, Int64(count), eps)
    }
    /// In-place softmax over count numbers.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) { ck_softmax(x, Int64(count)) }
    /// In-place x / (1 + e^-x).
    public static func silu(_ x: UnsafeMutablePointer<Float>, count: Int) { ck_silu(x, Int64(count)) }
    /// out = silu(gate) * up.
    public static func swiglu(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        ck_swiglu(gate, up, out, Int64(count))
    }

    /// RoPE on `dims` numbers at position pos: "normal" (ggml mode 0: adjacent pairs (2i,2i+1)) or "neox"
    /// (pairs (i, i+dims/2)); YaRN parameters as ggml_rope_ext takes them.
    public static func rope(_ x: UnsafeMutablePointer<Float>, dims: Int, pos: Int, base: Float, neox: Bool, freqScale: Float = 1,
                            extFactor: Float = 0, attnFactor: Float = 1, betaFast: Float = 32, betaSlow: Float = 1, origContext: Int = 0) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: dims) { cache in
            ropeCache(cache.baseAddress!, dims: dims, pos: pos, base: base, freqScale: freqScale, extFactor: extFactor,
                      attnFactor: attnFactor, betaFast: betaFast, betaSlow: betaSlow, origContext: origContext)
            ropeApply(x, dims: dims, heads: 1, stride: dims, cache: cache.baseAddress!, neox: neox)
        }
    }

    /// cache(dims) = (cos θ, sin θ) pairs for position pos (scaled by the YaRN magnitude), reusable across heads.
    public static func ropeCache(_ cache: UnsafeMutablePointer<Float>, dims: Int, pos: Int, base: Float, freqScale: Float = 1,
                                 extFactor: Float = 0, attnFactor: Float = 1, betaFast: Float = 32, betaSlow: Float = 1, origContext: Int = 0) {
        ck_rope_cache(cache, Int32(dims), Float(pos), base, freqScale, extFactor, attnFactor, betaFast, betaSlow, Int32(origContext))
    }

    /// Rotates the first `dims` numbers of `heads` vectors that are `stride` floats apart, using a ropeCache.
    public static func ropeApply(_ x: UnsafeMutablePointer<Float>, dims: Int, heads: Int, stride: Int, cache: UnsafePointer<Float>, neox: Bool) {
        ck_rope_apply(x, Int32(dims), Int32(heads), Int64(stride), cache, neox ? 1 : 0)
    }

    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float { ck_dot_f32(a, b, Int64(count)) }

    /// y += a*x.
    public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) { ck_axpy(a, x, y, Int64(count)) }

    /// a · b with b(count) stored as f16 or bf16 (`type` .f16 or .bf16), e.g. a query against a half-precision key.
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<UInt16>, type: GGMLType, count: Int) -> Float {
        precondition(type == .f16 || type == .bf16, "Ops.dot: half type must be F16 or BF16, not \(type.name)")
        return ck_dot_half(a, b, Int64(count), type.id)
    }

    /// y += a*x with x(count) stored as f16 or bf16, e.g. accumulating a half-precision value row.
    public static func axpy(_ a: Float, _ x: UnsafePointer<UInt16>, type: GGMLType, _ y: UnsafeMutablePointer<Float>, count: Int) {
        precondition(type == .f16 || type == .bf16, "Ops.axpy: half type must be F16 or BF16, not \(type.name)")
        ck_axpy_half(a, x, y, Int64(count), type.id)
    }
}
