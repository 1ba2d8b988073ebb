// One decoded token's attention in deepseek2 blocks: all heads share the latent cache as their keys and values,
// so each thread's heads take two OpenBLAS sgemm calls (S = Q·Kᵀ, then softmax(S)·latent) that read the cache
// once, instead of one dot product and one weighted sum per (head, key).
import COpenBLAS
import Kernels

extension Session {
    /// OpenBLAS runs on the calling thread: the pool already splits the heads.
    private static let blasOnCallerThread: Void = { openblas_set_num_threads(1) }()

    /// heads (nHead, kvLora) = softmax(scale · qcat·Kᵀ) · latent for the token at `pos`; qcat (nHead, kvLora + rope),
    /// keys (ctx, kvLora + rope) holding rows 0 … pos.
    func latentAttentionOneToken(_ keys: UnsafePointer<Float>, pos: Int) {
        _ = Self.blasOnCallerThread
        let c = config, s = scratch, nh = c.headCount, kvr = c.kvLoraRank, kw = kvr + c.ropeDims
        let len = pos + 1, ctx = contextLength, scale = c.kqScale, parts = min(pool.threadCount, nh)
        pool.parallelFor(parts) { range in
            for part in range {
                let h0 = part * nh / parts, m = (part + 1) * nh / parts - h0
                let sc = s.scores + h0 * ctx                                  // (m, len), rows ctx apart
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(len), Int32(kw),
                            1, s.qcat + h0 * kw, Int32(kw), keys, Int32(kw), 0, sc, Int32(ctx))
                for i in 0..<m { Attention.softmax(sc + i * ctx, count: len, scale: scale) }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(kvr), Int32(len),
                            1, sc, Int32(ctx), keys, Int32(kw), 0, s.heads + h0 * kvr, Int32(kvr))
            }
        }
    }
}
