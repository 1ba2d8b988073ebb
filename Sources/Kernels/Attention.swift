// Attention arithmetic in the exact float order of llama.cpp's x86 AVX-512 CPU build (non-flash path): K·q as
// ggml_vec_dot_f32, softmax with ggml_v_expf and 16-lane block sums in double, and the weighted sum of values
// as ggml_vec_dot_f32 (one query token) or tinyBLAS sgemm (a batch). Bit-for-bit agreement matters because
// small models amplify a 1-ulp difference into a different greedy token. C kernels: CKernels/attention.c.
import CKernels

public enum Attention {
    /// out(count)[j] = keys[j·stride ..< j·stride + width] · q.
    public static func scores(_ keys: UnsafePointer<Float>, stride: Int, count: Int, _ q: UnsafePointer<Float>, width: Int,
                              _ out: UnsafeMutablePointer<Float>) {
        ck_attn_scores(keys, Int64(stride), Int64(count), q, Int64(width), out)
    }

    /// In place over x(count): softmax(scale · x).
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int, scale: Float) {
        ck_attn_softmax(x, Int64(count), scale)
    }

    /// Rows of scratch `weightedSum` needs per call, for `width` outputs.
    public static func accumulatorCount(width: Int) -> Int { 64 * width }

    /// out(width)[d] = Σ_{j<count} p[j] · v[j·stride + d]; single: the query is one token (vec_dot order), else a
    /// batch row (tinyBLAS order). acc: accumulatorCount(width) floats of scratch.
    public static func weightedSum(_ p: UnsafePointer<Float>, count: Int, _ v: UnsafePointer<Float>, stride: Int, width: Int,
                                   _ out: UnsafeMutablePointer<Float>, acc: UnsafeMutablePointer<Float>, single: Bool) {
        ck_attn_wsum(p, Int64(count), v, Int64(stride), Int64(width), out, acc, single ? 1 : 0)
    }
}
