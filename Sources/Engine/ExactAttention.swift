// Causal attention of n query tokens over the cache, every (token, head) in llama.cpp's exact float order
// (Kernels.Attention): the llama path, and deepseek2 batches. Heads are split over the pool without allocating.
import Kernels

struct ExactAttention {
    let q: UnsafePointer<Float>              // query of (token t, head h) at t·qTokenStride + h·qHeadStride
    let qTokenStride: Int, qHeadStride: Int
    let keys: UnsafePointer<Float>           // key j of KV head g at j·kvStride + g·kvHeadOffset (width)
    let values: UnsafePointer<Float>         // value j of KV head g at j·kvStride + g·kvHeadOffset (valueWidth)
    let kvStride: Int, kvHeadOffset: Int
    let headsPerKV: Int                      // query heads sharing one KV head
    let width: Int, valueWidth: Int
    let out: UnsafeMutablePointer<Float>     // output of (t, h) at t·outTokenStride + h·valueWidth
    let outTokenStride: Int
    let scores: UnsafeMutablePointer<Float>  // (nHead, ctx)
    let acc: UnsafeMutablePointer<Float>     // (nHead, accumulatorCount(accWidth))
    let ctx: Int, accWidth: Int
    let n: Int, pos0: Int, scale: Float

    /// All heads of all n tokens, heads split over the pool.
    mutating func run(heads: Int, pool: ThreadPool) {
        pool.run(heads, &self) { t, b, e in
            let a = t!.assumingMemoryBound(to: ExactAttention.self).pointee
            for h in Int(b)..<Int(e) { a.head(h) }
        }
    }

    private func head(_ h: Int) {
        let sc = scores + h * ctx, a = acc + h * Attention.accumulatorCount(width: accWidth)
        let off = (h / headsPerKV) * kvHeadOffset
        for t in 0..<n {
            let len = pos0 + t + 1
            Attention.scores(keys + off, stride: kvStride, count: len, q + t * qTokenStride + h * qHeadStride, width: width, sc)
            Attention.softmax(sc, count: len, scale: scale)
            Attention.weightedSum(sc, count: len, values + off, stride: kvStride, width: valueWidth,
                                  out + t * outTokenStride + h * valueWidth, acc: a, single: n == 1)
        }
    }
}
