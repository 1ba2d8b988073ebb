// The deepseek2 block (GLM-4.7-Flash): absorbed MLA attention over a latent KV cache, then a dense or MoE FFN.
import Kernels
import Foundation

extension Session {
    /// One block on the n rows of scratch.x at positions pos0…, in place.
    func deepseek2Layer(_ L: DeepSeek2Layer, _ l: Int, n: Int, pos0: Int) {
        let c = config, s = scratch, e = c.embeddingLength, nh = c.headCount
        let kvr = c.kvLoraRank, rd = c.ropeDims, kw = kvr + rd, kl = c.keyLength, nope = c.nopeDims, vl = c.valueLength
        normRows(s.x, L.attnNorm, s.xn, n: n, width: e)

        // q (n, nHead, keyLen) = [nope | rope] per head
        if let qA = L.qA, let qN = L.qANorm, let qB = L.qB {
            linear(qA, s.xn, n: n, s.qa)                      // (n, qLora)
            normRows(s.qa, qN, s.qa, n: n, width: c.qLoraRank)
            linear(qB, s.qa, n: n, s.q)
        } else if let q = L.q {
            linear(q, s.xn, n: n, s.q)
        }

        // new cache rows (n, kvLora + rope): [rmsnorm(latent) | rope(k_pe)]
        linear(L.kvA, s.xn, n: n, s.kv)
        let keys = cache.keys(l)                              // (ctx, kvLora + rope)
        for t in 0..<n {
            let src = s.kv + t * kw, dst = keys + (pos0 + t) * kw
            Ops.rmsNorm(src, L.kvANorm.pointer, dst, count: kvr, eps: c.rmsEps)
            (dst + kvr).update(from: src + kvr, count: rd)
            rope.apply(dst + kvr, cache: s.ropeCache + t * rd)
        }

        // absorbed queries qcat (n, nHead, kvLora + rope) = [k_b[h] · q_nope | rope(q_pe)]
        for t in 0..<n {
            for h in 0..<nh {
                let qh = s.q + (t * nh + h) * kl
                rope.apply(qh + nope, cache: s.ropeCache + t * rd)
                (s.qcat + (t * nh + h) * kw + kvr).update(from: qh + nope, count: rd)
            }
        }
        for h in 0..<nh {
            for t in 0..<n { (s.gin + t * nope).update(from: s.q + (t * nh + h) * kl, count: nope) }
            linear(L.kB.slice(h, rowsPer: kvr), s.gin, n: n, s.gout)   // (n, kvLora)
            for t in 0..<n { (s.qcat + (t * nh + h) * kw).update(from: s.gout + t * kvr, count: kvr) }
        }

        // attention per head over the cache: heads (n, nHead, kvLora) = softmax(scale · qcat·Kᵀ) · latent
        let scale = c.kqScale, ctx = contextLength, single = n == 1, headW = max(kvr, vl)
        pool.parallelFor(nh) { range in
            for h in range {
                let sc = s.scores + h * ctx, acc = s.vacc + h * 65 * headW
                for t in 0..<n {
                    let len = pos0 + t + 1
                    let qv = UnsafePointer(s.qcat + (t * nh + h) * kw)
                    for j in 0..<len { sc[j] = AttentionMath.dot(keys + j * kw, qv, count: kw) }
                    AttentionMath.softmax(sc, count: len, scale: scale)
                    AttentionMath.weightedSum(sc, count: len, keys, stride: kw, width: kvr,
                                              s.heads + (t * nh + h) * kvr, acc: acc, single: single)
                }
            }
        }

        // per head value up-projection: attn (n, nHead·valueLen) = v_b[h] · heads[h]
        for h in 0..<nh {
            for t in 0..<n { (s.gin + t * kvr).update(from: s.heads + (t * nh + h) * kvr, count: kvr) }
            linear(L.vB.slice(h, rowsPer: vl), s.gin, n: n, s.gout)    // (n, valueLen)
            for t in 0..<n { (s.attn + (t * nh + h) * vl).update(from: s.gout + t * vl, count: vl) }
        }
        linear(L.wo, s.attn, n: n, s.y)
        addRows(s.y, into: s.x, count: n * e)

        normRows(s.x, L.ffnNorm, s.xn, n: n, width: e)
        if let d = L.dense { ffn(d, s.xn, n: n, s.y) } else if let m = L.moe { moe(m, s.xn, n: n, s.y) }
        addRows(s.y, into: s.x, count: n * e)
    }

    /// x += y elementwise.
    @inline(__always) func addRows(_ y: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = y[i] + x[i] }
    }

    /// Routed experts plus shared experts on n rows: out(n, nEmbd).
    func moe(_ m: MoEWeights, _ x: UnsafePointer<Float>, n: Int, _ out: UnsafeMutablePointer<Float>) {
        let c = config, s = scratch, e = c.embeddingLength, ne = c.expertCount, k = c.expertUsedCount
        let ff = c.expertFeedForwardLength
        linear(m.router, x, n: n, s.router)                  // (n, nExpert) logits
        for t in 0..<n { route(m, t) }

        // each expert runs once on the rows routed to it
        for ex in 0..<ne {
            var cnt = 0
            for r in 0..<n * k where s.slotE[r] == ex { s.rows[cnt] = r; cnt += 1 }
            if cnt == 0 { continue }
            for i in 0..<cnt { (s.gx + i * e).update(from: x + (s.rows[i] / k) * e, count: e) }
            if let gu = m.gateUp {
                linear(gu.slice(ex, rowsPer: 2 * ff), s.gx, n: cnt, s.ff1)      // (cnt, 2·ff) [gate | up]
                for i in 0..<cnt { Ops.swiglu(gate: s.ff1 + i * 2 * ff, up: s.ff1 + i * 2 * ff + ff, out: s.ff3 + i * ff, count: ff) }
            } else if let g = m.gate, let u = m.up {
                linear(u.slice(ex, rowsPer: ff), s.gx, n: cnt, s.ff2)
                linear(g.slice(ex, rowsPer: ff), s.gx, n: cnt, s.ff1)
                Ops.swiglu(gate: s.ff1, up: s.ff2, out: s.ff3, count: cnt * ff)
            }
            linear(m.down.slice(ex, rowsPer: e), s.ff3, n: cnt, s.gy)         // (cnt, nEmbd)
            for i in 0..<cnt { (s.slotOut + s.rows[i] * e).update(from: s.gy + i * e, count: e) }
        }
        // weighted sum in slot order, as llama.cpp adds the expert views
        for t in 0..<n {
            let o = out + t * e
            for j in 0..<k {
                let w = s.slotW[t * k + j], src = s.slotOut + (t * k + j) * e
                if j == 0 { for i in 0..<e { o[i] = src[i] * w } } else { for i in 0..<e { o[i] = o[i] + src[i] * w } }
            }
        }
        if let sh = m.shared {
            ffn(sh, x, n: n, s.gy)
            addRows(s.gy, into: out, count: n * e)
        }
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
