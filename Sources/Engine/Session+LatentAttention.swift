// Attention of deepseek2 blocks as blocked sgemm: all heads share the latent cache as their keys and values, so a
// run of heads (one token) or a block of queries of one head (a batch) takes two OpenBLAS calls, S = Q·Kᵀ and
// softmax(S)·latent, instead of one dot product and one weighted sum per (query, head, key). The float order
// differs from llama.cpp's (Session.exactAttention keeps it); logits agree to float rounding.
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

/// One head's block of batch queries: S (m, keys) = Q·Kᵀ, causal softmax, O = S·latent; S in per-thread scratch.
private struct BatchAttention {
    let qcat: UnsafePointer<Float>           // (n, nHead, kvLora + rope)
    let keys: UnsafePointer<Float>           // (pos0 + n, kvLora + rope)
    let heads: UnsafeMutablePointer<Float>   // (n, nHead, kvLora)
    let nh: Int, kvr: Int, kw: Int, n: Int, pos0: Int, block: Int
    let scale: Float

    func run(task: Int) {
        let h = task % nh, t0 = (task / nh) * block, m = min(block, n - t0), keyCount = pos0 + t0 + m
        let sc = threadScratchFloats(m * keyCount)                            // (m, keyCount)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(keyCount), Int32(kw),
                    1, qcat + (t0 * nh + h) * kw, Int32(nh * kw), keys, Int32(kw), 0, sc, Int32(keyCount))
        for i in 0..<m {
            let row = sc + i * keyCount, len = pos0 + t0 + i + 1              // query t0 + i sees keys 0 ..< len
            Attention.softmax(row, count: len, scale: scale)
            (row + len).update(repeating: 0, count: keyCount - len)
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(kvr), Int32(keyCount),
                    1, sc, Int32(keyCount), keys, Int32(kw), 0, heads + (t0 * nh + h) * kvr, Int32(nh * kvr))
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

    /// heads (n, nHead, kvLora) for n > 1 queries at pos0…, causal, in blocks of 64 queries per head: S is (64, keys)
    /// per thread, never (n, n).
    func latentAttentionBatch(_ keys: UnsafePointer<Float>, n: Int, pos0: Int) {
        _ = Self.blasOnCallerThread
        let c = config, s = scratch, nh = c.headCount, kvr = c.kvLoraRank, block = 64
        var task = BatchAttention(qcat: s.qcat, keys: keys, heads: s.heads, nh: nh, kvr: kvr, kw: kvr + c.ropeDims,
                                  n: n, pos0: pos0, block: block, scale: c.kqScale)
        pool.run(nh * ((n + block - 1) / block), &task) { t, b, e in
            let task = t!.assumingMemoryBound(to: BatchAttention.self).pointee
            for i in Int(b)..<Int(e) { task.run(task: i) }
        }
    }
}
