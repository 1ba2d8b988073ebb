// deepseek2 prompt attention in the expanded form (EngineOptions.PromptAttention): a chunk of keys at a time, the batch
// expands the latent cache into every head's keys (k_b transposed · latent: the nope part) and values (v_b · latent)
// with the weight kernels, and each head attends over them as standard attention (CKernels/mla_expanded.c):
// 512 products per head and key instead of the absorbed form's 1,088, for 4.6 M per key of expansion shared by all
// the batch's tokens, and no v_b product afterwards. The rope part of the keys is shared by the heads and read from
// the cache. Tiles of 16 query tokens of one head run on the threads, each keeping its running output over the chunks.
import CKernels
import Kernels

/// One chunk of keys against the tiles that see some of it; task = head · active + (tile − firstTile).
private struct ExpandedChunk {
    let kernel: Int32
    let xq, xo, xml: UnsafeMutablePointer<Float>   // Scratch's, (nHead, tiles, …)
    let xk, xv, rope: UnsafePointer<Float>          // (count, ldk) keys [head 0 | head 1 | …], (count, ldv) values, (count, dr)
    let tiles: Int, firstTile: Int, dn: Int, dr: Int, dv: Int, ldk: Int, ldv: Int
    let chunk0: Int, count: Int                     // keys chunk0 ..< chunk0 + count
    let pos0: Int, scale: Float
    var active: Int { tiles - firstTile }

    func run(_ task: Int) {
        let h = task / active, tile = firstTile + task % active, i = h * tiles + tile, t = Int(CK_XATTN_TILE)
        ck_xattn_tile(kernel, xq + i * (dn + dr) * t, Int32(dn), Int32(dr), xk + h * dn, Int64(ldk), rope, Int64(dr),
                      xv + h * dv, Int64(ldv), Int32(dv), Int64(count), Int64(pos0 + tile * t + 1 - chunk0), scale,
                      xo + i * dv * t, xml + i * 2 * t, threadScratchFloats(t * Int(CK_XATTN_BLOCK)))
    }
}

extension Session {
    /// Whether a batch of `tokens` attends in the expanded form: the options choose it and the model kept k_b
    /// transposed for it; never with exact attention. Sizes the scratch and picks each batch's path.
    static func expandsAttention(_ model: Model, exactAttention: Bool, tokens: Int) -> Bool {
        !exactAttention && model.expandedKeyType != nil && model.options.expandsPromptAttention(tokens: tokens)
    }

    /// attn (n, nHead·valueLen) for the n tokens at pos0… of layer l, causal; q (n, nHead, nope + rope) roped, and the
    /// batch's rows already in the cache.
    func expandedAttentionBatch(_ L: DeepSeek2Layer, _ l: Int, kBT: WeightMatrix, n: Int, pos0: Int) {
        let c = config, s = scratch, nh = c.headCount, kvr = c.kvLoraRank, dn = c.nopeDims, dr = c.ropeDims
        let kl = c.keyLength, dv = c.valueLength, t = Int(CK_XATTN_TILE), tiles = (n + t - 1) / t
        let chunk = Scratch.expandedChunk, ldk = s.expandedKeyStride, ldv = s.expandedValueStride
        for h in 0..<nh {
            for tile in 0..<tiles {
                let i = h * tiles + tile
                ck_xattn_pack(s.q + (tile * t * nh + h) * kl, Int64(nh * kl), Int32(min(t, n - tile * t)), Int32(kl), s.xq + i * kl * t)
                ck_xattn_start(s.xo + i * dv * t, s.xml + i * 2 * t, Int32(dv))
            }
        }
        let rope = s.xlat + chunk * kvr
        for chunk0 in stride(from: 0, to: pos0 + n, by: chunk) {
            let count = min(chunk, pos0 + n - chunk0)
            cache.keyRows(l, from: chunk0, count: count, split: kvr, s.xlat, rope)
            s.input.set(s.xlat, n: count, cols: kvr)
            product(kBT, s.input.quantized(for: kBT, pool: pool), s.xk, ldy: ldk)
            product(L.vB, s.input.quantized(for: L.vB, pool: pool), s.xv, ldy: ldv)
            // the first tile whose last token sees key chunk0
            var task = ExpandedChunk(kernel: attentionKernel, xq: s.xq, xo: s.xo, xml: s.xml, xk: s.xk, xv: s.xv, rope: rope,
                                     tiles: tiles, firstTile: max(0, (chunk0 - pos0) / t), dn: dn, dr: dr, dv: dv, ldk: ldk,
                                     ldv: ldv, chunk0: chunk0, count: count, pos0: pos0, scale: c.kqScale)
            pool.run(nh * task.active, &task) { p, b, e in
                let task = p!.assumingMemoryBound(to: ExpandedChunk.self).pointee
                for i in Int(b)..<Int(e) { task.run(i) }
            }
        }
        for h in 0..<nh {
            for tile in 0..<tiles {
                let i = h * tiles + tile
                ck_xattn_finish(s.xo + i * dv * t, s.xml + i * 2 * t, Int32(dv), Int32(min(t, n - tile * t)),
                                s.attn + (tile * t * nh + h) * dv, Int64(nh * dv))
            }
        }
    }
}
