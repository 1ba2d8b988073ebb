// Attention of deepseek2 blocks: all heads share the latent cache as their keys and values, so the kernel
// (CKernels/mla_attention*.c, chosen once per session) reads each block of keys once for many query rows. One
// token: its heads are the rows and the keys are split over the threads (flash-decoding), the cache read once per
// token. A batch: a few tokens × all heads per task, each token seeing the keys up to its own position. The float
// order differs from llama.cpp's (Session.exactAttention keeps it); logits agree to float rounding.
import CKernels
import Kernels

/// One part of the keys of the token's attention, for all heads.
private struct OneTokenAttention {
    let kernel: Int32                        // CK_MLA_*
    let qcat: UnsafePointer<Float>           // (nHead, kvLora + rope)
    let keys: UnsafeRawPointer               // (len, kvLora + rope), f32, f16 or q8_0
    let type: Int32                          // CK_KV_*
    let out: UnsafeMutablePointer<Float>     // (parts, nHead, kvLora)
    let stats: UnsafeMutablePointer<Float>   // (parts, 2, nHead)
    let scores: UnsafeMutablePointer<Float>  // (parts, nHead, 64)
    let nh: Int, kvr: Int, kw: Int, len: Int, parts: Int
    let scale: Float

    func run(part: Int) {
        let blocks = (len + 63) / 64
        let b0 = Session.decodePartStart(part, blocks: blocks, parts: parts)
        let b1 = Session.decodePartStart(part + 1, blocks: blocks, parts: parts)
        ck_mla_part(kernel, qcat, Int32(nh), Int32(nh), Int32(kw), Int32(kvr), keys, type, Int64(kw), Int64(len),
                    Int64(b0 * 64), Int64(min(len, b1 * 64)), scale, out + part * nh * kvr, stats + part * 2 * nh,
                    scores + part * nh * 64)
    }
}

/// `tokens` batch tokens × all heads as the rows of one task (the last tokens first: they see the most keys).
private struct BatchAttention {
    let kernel: Int32                        // CK_MLA_*
    let qcat: UnsafePointer<Float>           // (n, nHead, kvLora + rope)
    let keys: UnsafeRawPointer               // (pos0 + n, kvLora + rope), f32, f16 or q8_0
    let type: Int32                          // CK_KV_*
    let heads: UnsafeMutablePointer<Float>   // (n, nHead, kvLora)
    let nh: Int, kvr: Int, kw: Int, n: Int, pos0: Int, tokens: Int
    let scale: Float

    var tasks: Int { (n + tokens - 1) / tokens }

    func run(task: Int) {
        let t0 = (tasks - 1 - task) * tokens, m = min(tokens, n - t0), rows = m * nh
        let o = threadScratchFloats(rows * (kvr + 2 + 64)), stats = o + rows * kvr, s = stats + 2 * rows
        ck_mla_part(kernel, qcat + t0 * nh * kw, Int32(rows), Int32(nh), Int32(kw), Int32(kvr), keys, type, Int64(kw),
                    Int64(pos0 + t0 + 1), 0, Int64(pos0 + t0 + m), scale, o, stats, s)
        ck_mla_merge(Int32(rows), Int32(kvr), 1, o, stats, heads + t0 * nh * kvr)
    }
}

extension KVCache {
    /// The attention kernels' code for what the keys hold.
    var kernelType: Int32 {
        switch type {
        case .f32: Int32(CK_KV_F32)
        case .f16: Int32(CK_KV_F16)
        case .q8_0: Int32(CK_KV_Q8_0)
        }
    }
}

extension Session {
    /// heads (nHead, kvLora) = softmax(scale · qcat·Kᵀ) · latent for the token at `pos`; qcat (nHead, kvLora + rope),
    /// keys (ctx, kvLora + rope; f32, f16 or q8_0 as the cache holds them) holding rows 0 … pos. The keys are split over the
    /// threads, each read once for all heads.
    func latentAttentionOneToken(_ keys: UnsafeRawPointer, pos: Int) {
        let c = config, s = scratch, nh = c.headCount, kvr = c.kvLoraRank, len = pos + 1
        var task = OneTokenAttention(kernel: attentionKernel, qcat: s.qcat, keys: keys, type: cache.kernelType, out: s.partOut,
                                     stats: s.partStats, scores: s.partScores, nh: nh, kvr: kvr, kw: kvr + c.ropeDims, len: len,
                                     parts: Session.decodeParts(len: len, most: s.decodeParts, threads: pool.threadCount),
                                     scale: c.kqScale)
        pool.run(task.parts, &task) { t, b, e in
            let task = t!.assumingMemoryBound(to: OneTokenAttention.self).pointee
            for part in Int(b)..<Int(e) { task.run(part: part) }
        }
        ck_mla_merge(Int32(nh), Int32(kvr), Int32(task.parts), s.partOut, s.partStats, s.heads)
    }

    /// Parts a decoded token's `len` keys are split into: one per thread, more (up to `most`) once each can hold
    /// Scratch.blocksPerPart blocks of 64 keys, never more than there are blocks.
    static func decodeParts(len: Int, most: Int, threads: Int) -> Int {
        let blocks = (len + 63) / 64
        return max(1, min(most, blocks, max(threads, blocks / Scratch.blocksPerPart)))
    }

    /// The first block of part `part` of a decoded token's `blocks` blocks of 64 keys in `parts` parts (part == parts:
    /// blocks). The threads claim the parts in order as they finish, so the parts shrink along the order (sizes in
    /// proportion to parts, parts − 1, …, 1) and the last ones to finish are short: with one vCPU slowed for seconds
    /// (this VM's AMX phases), equal parts left the other waiting for up to a part's time. Equal parts where the
    /// smallest would hold under 2 blocks.
    static func decodePartStart(_ part: Int, blocks: Int, parts: Int) -> Int {
        let total = parts * (parts + 1) / 2
        guard blocks >= 2 * total else { return part * blocks / parts }
        let weight = part * parts - part * (part - 1) / 2  // parts + (parts − 1) + … for the `part` parts before it
        return weight * blocks / total
    }

    /// heads (n, nHead, kvLora) for n > 1 queries at pos0…, causal; per task a few tokens × all heads (the kernel's
    /// ck_mla_batch_tokens: 2 for the AVX2 kernel, 16 on AMX tiles).
    func latentAttentionBatch(_ keys: UnsafeRawPointer, n: Int, pos0: Int) {
        let c = config, s = scratch, nh = c.headCount, kvr = c.kvLoraRank
        var task = BatchAttention(kernel: attentionKernel, qcat: s.qcat, keys: keys, type: cache.kernelType, heads: s.heads,
                                  nh: nh, kvr: kvr, kw: kvr + c.ropeDims, n: n, pos0: pos0,
                                  tokens: Int(ck_mla_batch_tokens(attentionKernel)), scale: c.kqScale)
        pool.run(task.tasks, &task) { t, b, e in
            let task = t!.assumingMemoryBound(to: BatchAttention.self).pointee
            for i in Int(b)..<Int(e) { task.run(task: i) }
        }
    }
}
