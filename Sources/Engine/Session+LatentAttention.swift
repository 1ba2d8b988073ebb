// Attention of deepseek2 blocks: all heads share the latent cache as their keys and values. One token: flash-decoding
// over parts of the keys (CKernels/mla_decode.c), the cache read once per token. A batch: blocked sgemm, a block of
// queries of one head takes two OpenBLAS calls, S = Q·Kᵀ and softmax(S)·latent. The float order differs from
// llama.cpp's (Session.exactAttention keeps it); logits agree to float rounding.
import CKernels
import COpenBLAS
import Kernels

/// One part of the keys of the token's attention, for all heads (CKernels/mla_decode.c).
private struct OneTokenAttention {
    let qcat: UnsafePointer<Float>           // (nHead, kvLora + rope)
    let keys: UnsafePointer<Float>           // (len, kvLora + rope)
    let out: UnsafeMutablePointer<Float>     // (parts, nHead, kvLora)
    let stats: UnsafeMutablePointer<Float>   // (parts, 2, nHead)
    let scores: UnsafeMutablePointer<Float>  // (parts, nHead, 64)
    let nh: Int, kvr: Int, kw: Int, len: Int, parts: Int
    let scale: Float

    func run(part: Int) {
        let blocks = (len + 63) / 64, b0 = part * blocks / parts, b1 = (part + 1) * blocks / parts
        ck_mla_decode_part(qcat, Int32(nh), Int32(kw), Int32(kvr), keys, Int64(kw), Int64(b0 * 64), Int64(min(len, b1 * 64)),
                           scale, out + part * nh * kvr, stats + part * 2 * nh, scores + part * nh * 64)
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
    /// keys (ctx, kvLora + rope) holding rows 0 … pos. The keys are split over the threads, each read once for all heads.
    func latentAttentionOneToken(_ keys: UnsafePointer<Float>, pos: Int) {
        let c = config, s = scratch, nh = c.headCount, kvr = c.kvLoraRank, len = pos + 1
        var task = OneTokenAttention(qcat: s.qcat, keys: keys, out: s.partOut, stats: s.partStats, scores: s.partScores,
                                     nh: nh, kvr: kvr, kw: kvr + c.ropeDims, len: len,
                                     parts: min(s.decodeParts, (len + 63) / 64), scale: c.kqScale)
        pool.run(task.parts, &task) { t, b, e in
            let task = t!.assumingMemoryBound(to: OneTokenAttention.self).pointee
            for part in Int(b)..<Int(e) { task.run(part: part) }
        }
        ck_mla_merge(Int32(nh), Int32(kvr), Int32(task.parts), s.partOut, s.partStats, s.heads)
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
