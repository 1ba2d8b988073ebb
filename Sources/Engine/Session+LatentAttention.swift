// One decoded token's attention in deepseek2 blocks: all heads share the latent cache as their keys and values,
// so each thread's heads take two OpenBLAS sgemm calls (S = Q·Kᵀ, then softmax(S)·latent) that read the cache
// once, instead of one dot product and one weighted sum per (head, key).
import COpenBLAS
import Kernels

/// What one part (a run of heads) of the token's attention needs.
private struct OneTokenAttention {
    let qcat: UnsafePointer<Float>           // (nHead, kvLora + rope)
    let keys: UnsafePointer<Float>           // (len, kvLora + rope)
    let scores: UnsafeMutablePointer<Float>  // (nHead, ctx)
    let heads: UnsafeMutablePointer<Float>   // (nHead, kvLora)
    let nh: Int, kvr: Int, kw: Int, len: Int, ctx: Int, parts: Int
    let scale: Float

    func run(part: Int) {
        let h0 = part * nh / parts, m = (part + 1) * nh / parts - h0
        let sc = scores + h0 * ctx                                        // (m, len), rows ctx apart
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(len), Int32(kw),
                    1, qcat + h0 * kw, Int32(kw), keys, Int32(kw), 0, sc, Int32(ctx))
        for i in 0..<m { Attention.softmax(sc + i * ctx, count: len, scale: scale) }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(kvr), Int32(len),
                    1, sc, Int32(ctx), keys, Int32(kw), 0, heads + h0 * kvr, Int32(kvr))
    }
}

extension Session {
    /// OpenBLAS runs on the calling thread: the pool already splits the heads.
    private static let blasOnCallerThread: Void = { openblas_set_num_threads(1) }()

    /// heads (nHead, kvLora) = softmax(scale · qcat·Kᵀ) · latent for the token at `pos`; qcat (nHead, kvLora + rope),
    /// keys (ctx, kvLora + rope) holding rows 0 … pos.
    func latentAttentionOneToken(_ keys: UnsafePointer<Float>, pos: Int) {
        _ = Self.blasOnCallerThread
        let c = config, s = scratch, nh = c.headCount, kvr = c.kvLoraRank
        var task = OneTokenAttention(qcat: s.qcat, keys: keys, scores: s.scores, heads: s.heads, nh: nh, kvr: kvr,
                                     kw: kvr + c.ropeDims, len: pos + 1, ctx: contextLength,
                                     parts: min(pool.threadCount, nh), scale: c.kqScale)
        pool.run(task.parts, &task) { t, b, e in
            let task = t!.assumingMemoryBound(to: OneTokenAttention.self).pointee
            for part in Int(b)..<Int(e) { task.run(part: part) }
        }
    }
}
