// The llama block: grouped-query attention with RoPE over a K/V cache, then a SwiGLU FFN.
import Kernels

extension Session {
    /// One block on the n rows of scratch.x at positions pos0…, in place.
    func llamaLayer(_ L: LlamaLayer, _ l: Int, n: Int, pos0: Int) {
        let c = config, s = scratch, e = c.embeddingLength, nh = c.headCount, nkvh = c.headCountKV
        let hd = c.keyLength, nq = nh * hd, nkv = nkvh * hd, rd = c.ropeDims
        normRows(s.x, L.attnNorm, s.xn, n: n, width: e)

        let kNew = s.kv, vNew = s.kv + s.batch * nkv        // (n, nKV·hd) each
        linear(L.wq, s.xn, n: n, s.q)                         // (n, nHead·hd)
        linear(L.wk, s.xn, n: n, kNew)
        linear(L.wv, s.xn, n: n, vNew)
        let keys = cache.keys(l), values = cache.values(l)    // (ctx, nKV·hd) each
        for t in 0..<n {
            let rc = s.ropeCache + t * rd
            for h in 0..<nh { rope.apply(s.q + t * nq + h * hd, cache: rc) }
            for g in 0..<nkvh { rope.apply(kNew + t * nkv + g * hd, cache: rc) }
            (keys + (pos0 + t) * nkv).update(from: kNew + t * nkv, count: nkv)
            (values + (pos0 + t) * nkv).update(from: vNew + t * nkv, count: nkv)
        }

        // heads (n, nHead·hd) = softmax(scale · q·Kᵀ) · V, head h reading KV head h / (nHead / nKV)
        var attention = ExactAttention(q: s.q, qTokenStride: nq, qHeadStride: hd, keys: keys, values: values, kvStride: nkv,
                                       kvHeadOffset: hd, headsPerKV: nh / nkvh, width: hd, valueWidth: hd, out: s.heads,
                                       outTokenStride: nq, scores: s.scores, acc: s.vacc, ctx: contextLength,
                                       accWidth: max(c.kvLoraRank, c.valueLength), n: n, pos0: pos0, scale: c.kqScale)
        attention.run(heads: nh, pool: pool)
        linear(L.wo, s.heads, n: n, s.y)
        if let b = L.woBias { for t in 0..<n { for i in 0..<e { s.y[t * e + i] += b[i] } } }
        addRows(s.y, into: s.x, count: n * e)

        normRows(s.x, L.ffnNorm, s.xn, n: n, width: e)
        s.input.set(s.xn, n: n, cols: e)
        ffn(L.ffn, s.input, n: n, s.y)
        addRows(s.y, into: s.x, count: n * e)
    }
}
