// Working buffers of a session, sized once for a batch of `batch` tokens: the token loop never allocates.
import Kernels

final class Scratch {
    let batch: Int
    private let floats: UnsafeMutablePointer<Float>
    private let ints: UnsafeMutablePointer<Int>
    private let floatCount: Int, intCount: Int

    let x: UnsafeMutablePointer<Float>        // (B, nEmbd) residual stream
    let xn: UnsafeMutablePointer<Float>       // (B, nEmbd) normed input of a sub-block
    let y: UnsafeMutablePointer<Float>        // (B, nEmbd) sub-block output
    let q: UnsafeMutablePointer<Float>        // (B, nHead·keyLen) queries
    let qa: UnsafeMutablePointer<Float>       // (B, qLora) deepseek2 q_a output
    let kv: UnsafeMutablePointer<Float>       // deepseek2 (B, kvLora+rope) latent+rope key; llama (B, nKV·hd) K then (B, nKV·hd) V
    let qcat: UnsafeMutablePointer<Float>     // (A, nHead, kvLora+rope) deepseek2 absorbed queries
    let heads: UnsafeMutablePointer<Float>    // (A, nHead, max(kvLora, headDim)) attention outputs per head
    let attn: UnsafeMutablePointer<Float>     // (B, nHead·valueLen) attention output before wo
    let gin: UnsafeMutablePointer<Float>      // (A, nHead, nope) per-head input of k_b
    let ff1: UnsafeMutablePointer<Float>      // (ffnRows, 2·maxFF) gate (and up when fused)
    let ff2: UnsafeMutablePointer<Float>      // (ffnRows, maxFF) up
    let ff3: UnsafeMutablePointer<Float>      // (ffnRows, maxFF) swiglu
    /// Rows of ff1…ff3: min(B, ffnGroup), at least nUsed + 1 (a decoded token's experts and shared expert).
    let ffnRows: Int
    /// A batch's dense FFN runs on groups of this many rows: GLM's 10,240-wide first FFN would hold 160 KB a token in
    /// ff1…ff3, and re-reading its 35 MB of weights per group costs nothing next to a group's products.
    static let ffnGroup = 256
    /// The largest batch that attends in the absorbed form (A in the shapes above): below the expanded form's
    /// threshold when the session expands long batches, else the whole batch.
    let absorbedRows: Int
    let router: UnsafeMutablePointer<Float>   // (B, nExpert) router probs
    let select: UnsafeMutablePointer<Float>   // (B, nExpert) selection scores
    let slotW: UnsafeMutablePointer<Float>    // (B, nUsed) expert weights
    let slotOut: UnsafeMutablePointer<Float>  // (B, nUsed, nEmbd) expert outputs
    let slotE: UnsafeMutablePointer<Int>      // (B, nUsed) chosen experts
    let rows: UnsafeMutablePointer<Int>       // (B·nUsed) slots (token·nUsed + j) grouped by expert, in slot order
    let expertStart: UnsafeMutablePointer<Int> // (nExpert + 1) expert ex's slots are rows[expertStart[ex]..<expertStart[ex + 1]]
    let expertOrder: UnsafeMutablePointer<Int> // (nExpert) the experts with slots, most slots first
    let gy: UnsafeMutablePointer<Float>       // (B, nEmbd) one expert's (or the shared expert's) output
    let groupScore: UnsafeMutablePointer<Float> // (expert groups) per-token group scores
    let ropeCache: UnsafeMutablePointer<Float> // (B, ropeDims) cos/sin per position
    let scores: UnsafeMutablePointer<Float>   // (nHead, nCtx) attention probabilities per head (exact attention only)
    let vacc: UnsafeMutablePointer<Float>     // (nHead, 64, max(kvLora, headDim)) value-sum accumulators per head (same)
    let decodeParts: Int                      // most parts of the keys one decoded token's deepseek2 attention runs in
    /// Parts of a decoded token's keys per thread: the threads claim them as they finish, so that one running slower
    /// (a busy core, or a VM whose vCPUs change speed by 2× for seconds) holds up the token less.
    static let partsPerThread = 4
    /// Fewest blocks of 64 keys a part holds beyond one per thread: each part packs the queries again (~2–4 µs).
    static let blocksPerPart = 8
    let partOut: UnsafeMutablePointer<Float>  // (parts, nHead, kvLora) deepseek2 decode: unnormalized outputs per part
    let partStats: UnsafeMutablePointer<Float> // (parts, 2, nHead) their score maxima and exponential sums
    let partScores: UnsafeMutablePointer<Float> // (parts, nHead, 64) scores of one block of keys per part
    let logits: UnsafeMutablePointer<Float>   // (vocab) logits of the last token
    // deepseek2's expanded prompt attention (Session+ExpandedAttention; empty when the session never expands):
    let xq: UnsafeMutablePointer<Float>       // (nHead, tiles, nope + rope, 16) the batch's queries, transposed per tile of 16
    let xo: UnsafeMutablePointer<Float>       // (nHead, tiles, valueLen, 16) their running outputs, transposed
    let xml: UnsafeMutablePointer<Float>      // (nHead, tiles, 2, 16) their running score maxima and sums
    let xk: UnsafeMutablePointer<Float>       // (expandedChunk, expandedKeyStride) a chunk of keys' (nHead, nope) head keys
    let xv: UnsafeMutablePointer<Float>       // (expandedChunk, expandedValueStride) and their (nHead, valueLen) values
    let xlat: UnsafeMutablePointer<Float>     // (expandedChunk, kvLora) the chunk's latents in f32, then (expandedChunk, rope) its rope keys
    /// Keys a batch expands at a time (their per-head keys and values, 4.6 MB for GLM, stay in L3 while every query
    /// tile reads them).
    static let expandedChunk = 128
    /// Strides of a key's expanded keys and values (all heads): 16 floats more than they hold, so that a block's rows
    /// (a multiple of 1 KB apart otherwise) do not fall in the same few L1 sets.
    let expandedKeyStride: Int, expandedValueStride: Int
    let input = Activations()                 // quantized input of a sub-block (xn, qa, gin, heads, attn)
    let hidden = Activations()                // quantized FFN hidden rows (ff3)
    let sharedHidden = Activations()          // quantized shared-expert hidden row while decoding
    var queued: [MatvecJob] = []              // products waiting for one parallel region (decode)

    /// `exactScores`: room for ExactAttention's per-head score rows (llama, or deepseek2 in exact mode); `absorbed`: the
    /// largest batch that attends in deepseek2's absorbed form (the whole batch unless long ones expand); `expanded`:
    /// room for deepseek2's expanded prompt attention.
    init(config c: ModelConfig, batch b: Int, context: Int, threads: Int, exactScores: Bool, absorbed: Int, expanded: Bool) {
        batch = b
        let a = min(b, max(1, absorbed))
        absorbedRows = a
        let scoreRows = exactScores ? c.headCount : 0
        decodeParts = c.kvLoraRank == 0 ? 0 : threads > 1 ? Scratch.partsPerThread * threads : 1
        let e = c.embeddingLength, nh = c.headCount
        let qWidth = nh * c.keyLength
        let kvWidth = c.arch == .llama ? 2 * c.headCountKV * c.keyLength : c.kvLoraRank + c.ropeDims
        let headW = max(c.kvLoraRank, c.valueLength)
        let maxFF = max(c.feedForwardLength, c.expertFeedForwardLength * max(1, c.expertSharedCount))
        let nE = max(c.expertCount, 1), nU = max(c.expertUsedCount, 1)
        let fb = max(min(b, Scratch.ffnGroup), nU + 1)
        ffnRows = fb
        let sizes = [e, e, e, qWidth, c.qLoraRank, kvWidth, nh * c.valueLength, nE, nE, nU, nU * e, e, c.ropeDims]
        let absorbedSizes = [nh * (c.kvLoraRank + c.ropeDims), nh * headW, nh * max(c.nopeDims, 1)]
        let tiles = expanded ? (b + 15) / 16 : 0, chunk = expanded ? Scratch.expandedChunk : 0
        expandedKeyStride = nh * c.nopeDims + 16; expandedValueStride = nh * c.valueLength + 16
        let xSizes = [nh * tiles * (c.nopeDims + c.ropeDims) * 16, nh * tiles * c.valueLength * 16, nh * tiles * 32,
                      chunk * expandedKeyStride, chunk * expandedValueStride, chunk * (c.kvLoraRank + c.ropeDims)]
        floatCount = xSizes.reduce(0) { $0 + $1 + 16 } + sizes.reduce(0) { $0 + b * $1 } + absorbedSizes.reduce(0) { $0 + a * $1 } + fb * 4 * maxFF + scoreRows * (context + Attention.accumulatorCount(width: headW)) + c.vocabSize + max(c.expertGroupCount, 1) + 16 * 32
            + decodeParts * nh * (c.kvLoraRank + 2 + 64) + 3 * 16
        intCount = 2 * b * nU + 2 * nE + 1
        let fbase = UnsafeMutablePointer<Float>.allocate(capacity: floatCount)
        fbase.initialize(repeating: 0, count: floatCount)
        let ibase = UnsafeMutablePointer<Int>.allocate(capacity: intCount)
        ibase.initialize(repeating: 0, count: intCount)
        floats = fbase; ints = ibase
        var fo = 0
        func take(_ n: Int) -> UnsafeMutablePointer<Float> { defer { fo += (n + 15) / 16 * 16 }; return fbase + fo }
        x = take(b * e); xn = take(b * e); y = take(b * e); q = take(b * qWidth); qa = take(b * c.qLoraRank)
        kv = take(b * kvWidth); qcat = take(a * absorbedSizes[0]); heads = take(a * absorbedSizes[1])
        attn = take(b * nh * c.valueLength); gin = take(a * absorbedSizes[2])
        ff1 = take(fb * 2 * maxFF); ff2 = take(fb * maxFF)
        ff3 = take(fb * maxFF); router = take(b * nE); select = take(b * nE); slotW = take(b * nU)
        slotOut = take(b * nU * e); gy = take(b * e)
        groupScore = take(max(c.expertGroupCount, 1)); ropeCache = take(b * c.ropeDims); scores = take(scoreRows * context); vacc = take(scoreRows * Attention.accumulatorCount(width: headW)); logits = take(c.vocabSize)
        partOut = take(decodeParts * nh * c.kvLoraRank); partStats = take(decodeParts * 2 * nh); partScores = take(decodeParts * nh * 64)
        xq = take(xSizes[0]); xo = take(xSizes[1]); xml = take(xSizes[2]); xk = take(xSizes[3]); xv = take(xSizes[4]); xlat = take(xSizes[5])
        precondition(fo <= floatCount)
        slotE = ibase; rows = ibase + b * nU; expertStart = rows + b * nU; expertOrder = expertStart + nE + 1
        queued.reserveCapacity(max(2 * nh, 2 * (nU + 1) + 2))
    }

    deinit { floats.deallocate(); ints.deallocate() }

    var bytes: Int { floatCount * 4 + intCount * 8 }
}
