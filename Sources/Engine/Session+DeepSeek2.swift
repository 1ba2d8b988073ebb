// The deepseek2 block (GLM-4.7-Flash): MLA attention over a latent KV cache (absorbed; long prompt batches may expand
// it, Session+ExpandedAttention), then a dense or MoE FFN.
import Kernels
import Foundation

extension Session {
    /// One block on the n rows of scratch.x at positions pos0…, in place.
    func deepseek2Layer(_ L: DeepSeek2Layer, _ l: Int, n: Int, pos0: Int) {
        let c = config, s = scratch, e = c.embeddingLength, nh = c.headCount
        let kvr = c.kvLoraRank, rd = c.ropeDims, kw = kvr + rd, kl = c.keyLength, nope = c.nopeDims
        normRows(s.x, L.attnNorm, s.xn, n: n, width: e)

        // q (n, nHead, keyLen) = [nope | rope] per head, and the new cache rows' source kv (n, kvLora + rope),
        // from one quantization of xn
        s.input.set(s.xn, n: n, cols: e)
        product(L.kvA, s.input.quantized(for: L.kvA, pool: pool), s.kv)
        if let qA = L.qA, let qN = L.qANorm, let qB = L.qB {
            product(qA, s.input.quantized(for: qA, pool: pool), s.qa)     // (n, qLora)
            flush()
            normRows(s.qa, qN, s.qa, n: n, width: c.qLoraRank)
            linear(qB, s.qa, n: n, s.q)
        } else if let q = L.q {
            product(q, s.input.quantized(for: q, pool: pool), s.q)
            flush()
        }

        // new cache rows (n, kvLora + rope): [rmsnorm(latent) | rope(k_pe)], made in kv, stored as the cache holds them
        for t in 0..<n {
            let row = s.kv + t * kw
            Ops.rmsNorm(row, L.kvANorm.pointer, row, count: kvr, eps: c.rmsEps)
            rope.apply(row + kvr, cache: s.ropeCache + t * rd)
        }
        cache.storeKeys(l, pos0: pos0, s.kv, n: n)

        // queries' rope part roped in place: q (n, nHead, [nope | rope])
        for t in 0..<n {
            for h in 0..<nh { rope.apply(s.q + (t * nh + h) * kl + nope, cache: s.ropeCache + t * rd) }
        }
        if Session.expandsAttention(model, exactAttention: exactAttention, tokens: n), let kBT = L.kBT {
            expandedAttentionBatch(L, l, kBT: kBT, n: n, pos0: pos0)       // attn (n, nHead·valueLen)
        } else {
            absorbedAttention(L, l, n: n, pos0: pos0)
        }
        linear(L.wo, s.attn, n: n, s.y)
        addRows(s.y, into: s.x, count: n * e)

        normRows(s.x, L.ffnNorm, s.xn, n: n, width: e)
        s.input.set(s.xn, n: n, cols: e)
        if let d = L.dense { ffn(d, s.input, n: n, s.y) } else if let m = L.moe { moe(m, s.input, n: n, s.y) }
        addRows(s.y, into: s.x, count: n * e)
    }

    /// attn (n, nHead·valueLen) in the absorbed form: queries through k_b, attention over the latent cache, v_b after.
    func absorbedAttention(_ L: DeepSeek2Layer, _ l: Int, n: Int, pos0: Int) {
        let c = config, s = scratch, nh = c.headCount, kvr = c.kvLoraRank, rd = c.ropeDims, kw = kvr + rd, kl = c.keyLength
        let nope = c.nopeDims, vl = c.valueLength
        precondition(n <= s.absorbedRows, "an absorbed batch of \(n) tokens in scratch for \(s.absorbedRows)")
        // absorbed queries qcat (n, nHead, kvLora + rope) = [k_b[h] · q_nope | rope(q_pe)]; gin (n, nHead, nope)
        for t in 0..<n {
            for h in 0..<nh {
                let qh = s.q + (t * nh + h) * kl
                (s.qcat + (t * nh + h) * kw + kvr).update(from: qh + nope, count: rd)
                (s.gin + (t * nh + h) * nope).update(from: qh, count: nope)
            }
        }
        perHead(L.kB, s.gin, n: n, cols: nope, rowsPer: kvr, s.qcat, headStride: kw)

        // attention per head over the cache: heads (n, nHead, kvLora) = softmax(scale · qcat·Kᵀ) · latent
        if exactAttention {
            let keys = cache.keys(l)                          // (ctx, kvLora + rope)
            var attention = ExactAttention(q: s.qcat, qTokenStride: nh * kw, qHeadStride: kw, keys: keys, values: keys, kvStride: kw,
                                           kvHeadOffset: 0, headsPerKV: nh, width: kw, valueWidth: kvr, out: s.heads,
                                           outTokenStride: nh * kvr, scores: s.scores, acc: s.vacc, ctx: contextLength,
                                           accWidth: max(kvr, vl), n: n, pos0: pos0, scale: c.kqScale)
            attention.run(heads: nh, pool: pool)
        } else {
            let keys = UnsafeRawPointer(cache.keyBytes(l))
            if n == 1 { latentAttentionOneToken(keys, pos: pos0) } else { latentAttentionBatch(keys, n: n, pos0: pos0) }
        }

        // per head value up-projection: attn (n, nHead·valueLen) = v_b[h] · heads[h]
        perHead(L.vB, s.heads, n: n, cols: kvr, rowsPer: vl, s.attn, headStride: vl)
    }

    /// y[t, h] = w[h] · x[t, h] for every token t and head h, with x (n, nHead, cols) quantized once and w[h] the
    /// h-th block of rowsPer rows; head h of token t is written at y + (t·nHead + h)·headStride.
    private func perHead(_ w: WeightMatrix, _ x: UnsafePointer<Float>, n: Int, cols: Int, rowsPer: Int,
                         _ y: UnsafeMutablePointer<Float>, headStride: Int) {
        let nh = config.headCount
        scratch.input.set(x, n: n * nh, cols: cols)
        let q = scratch.input.quantized(for: w, pool: pool)
        for h in 0..<nh {
            product(w.slice(h, rowsPer: rowsPer), q.every(nh, from: h, count: n), y + h * headStride, ldy: nh * headStride)
        }
        flush()
    }

    /// x += y elementwise.
    @inline(__always) func addRows(_ y: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = y[i] + x[i] }
    }

    /// Routed experts plus shared experts on the n rows of `input`: out(n, nEmbd).
    func moe(_ m: MoEWeights, _ input: Activations, n: Int, _ out: UnsafeMutablePointer<Float>) {
        let c = config, s = scratch, e = c.embeddingLength, k = c.expertUsedCount
        product(m.router, input.quantized(for: m.router, pool: pool), s.router)   // (n, nExpert) logits
        flush()
        for t in 0..<n { route(m, t) }
        if decoding { routedOneToken(m, input) } else { routedBatch(m, input, n: n) }

        // weighted sum in slot order, as llama.cpp adds the expert views
        for t in 0..<n {
            let o = out + t * e
            for j in 0..<k {
                let w = s.slotW[t * k + j], src = s.slotOut + (t * k + j) * e
                if j == 0 { for i in 0..<e { o[i] = src[i] * w } } else { for i in 0..<e { o[i] = o[i] + src[i] * w } }
            }
        }
        if let sh = m.shared {
            if !decoding { ffn(sh, input, n: n, s.gy) }            // while decoding it ran with the routed experts
            addRows(s.gy, into: out, count: n * e)
        }
    }

    /// Decode: gate and up of the chosen experts and the shared expert in one parallel region, their down
    /// projections in a second; slotOut (nUsed, nEmbd) and the shared expert's output in gy.
    private func routedOneToken(_ m: MoEWeights, _ input: Activations) {
        let c = config, s = scratch, e = c.embeddingLength, k = c.expertUsedCount, ff = c.expertFeedForwardLength
        let shFF = m.shared?.gate.rows ?? 0, sw = max(2 * ff, 2 * shFF)
        let sharedGate = s.ff1 + k * sw, sharedUp = sharedGate + shFF     // (shFF) each, after the k slots of ff1
        for j in 0..<k {
            let ex = s.slotE[j], slot = s.ff1 + j * sw                    // (2·ff) [gate | up]
            if let gu = m.gateUp {
                product(gu.slice(ex, rowsPer: 2 * ff), input.quantized(for: gu, pool: pool), slot)
            } else if let g = m.gate, let u = m.up {
                product(g.slice(ex, rowsPer: ff), input.quantized(for: g, pool: pool), slot)
                product(u.slice(ex, rowsPer: ff), input.quantized(for: u, pool: pool), slot + ff)
            }
        }
        if let sh = m.shared {
            product(sh.gate, input.quantized(for: sh.gate, pool: pool), sharedGate)
            product(sh.up, input.quantized(for: sh.up, pool: pool), sharedUp)
        }
        flush()
        for j in 0..<k { Ops.swiglu(gate: s.ff1 + j * sw, up: s.ff1 + j * sw + ff, out: s.ff3 + j * ff, count: ff) }
        s.hidden.set(s.ff3, n: k, cols: ff)                               // (k, ff)
        let h = s.hidden.quantized(for: m.down, pool: pool)
        for j in 0..<k { product(m.down.slice(s.slotE[j], rowsPer: e), h.every(1, from: j, count: 1), s.slotOut + j * e) }
        if let sh = m.shared {
            let hs = s.ff3 + k * ff                                       // (shFF)
            Ops.swiglu(gate: sharedGate, up: sharedUp, out: hs, count: shFF)
            s.sharedHidden.set(hs, n: 1, cols: shFF)
            product(sh.down, s.sharedHidden.quantized(for: sh.down, pool: pool), s.gy)
        }
        flush()
    }

    /// Chooses row t's experts into slotE/slotW from the router logits in scratch.router.
    private func route(_ m: MoEWeights, _ t: Int) {
        let c = config, s = scratch, ne = c.expertCount, k = c.expertUsedCount
        let p = s.router + t * ne, sel = s.select + t * ne
        switch c.gating {
        case .softmax: Ops.softmax(p, count: ne)
        case .sigmoid: for i in 0..<ne { p[i] = 1 / (1 + expf(-p[i])) }
        }
        if let b = m.selectionBias { for i in 0..<ne { sel[i] = p[i] + b[i] } } else { sel.update(from: p, count: ne) }
        let groups = c.expertGroupCount
        if groups > 1 {
            // keep the expertGroupUsedCount groups whose two best experts score highest
            let per = ne / groups
            for g in 0..<groups {
                var a = -Float.infinity, b = -Float.infinity
                for i in g * per..<(g + 1) * per {
                    let v = sel[i]
                    if v > a { b = a; a = v } else if v > b { b = v }
                }
                s.groupScore[g] = a + b
            }
            for _ in 0..<(groups - c.expertGroupUsedCount) {
                var worst = -1
                for g in 0..<groups where s.groupScore[g] != .infinity {
                    if worst < 0 || s.groupScore[g] < s.groupScore[worst] { worst = g }
                }
                guard worst >= 0 else { break }
                s.groupScore[worst] = .infinity
                for i in worst * per..<(worst + 1) * per { sel[i] = -.infinity }
            }
        }
        // top-k by selection score, highest first (ties: lower index)
        var sum: Float = 0
        for j in 0..<k {
            var best = -1
            for i in 0..<ne {
                var taken = false
                for q in 0..<j where s.slotE[t * k + q] == i { taken = true; break }
                if taken { continue }
                if best < 0 || sel[i] > sel[best] { best = i }
            }
            s.slotE[t * k + j] = best
            s.slotW[t * k + j] = p[best]
            sum += p[best]
        }
        if c.expertWeightsNorm {
            let d = max(sum, 6.103515625e-5)
            for j in 0..<k { s.slotW[t * k + j] /= d }
        }
        let ws = c.expertWeightsScale
        if ws != 0 && ws != 1 { for j in 0..<k { s.slotW[t * k + j] *= ws } }
    }
}
