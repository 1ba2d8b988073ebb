// Prefill of a MoE block: every expert runs once, as matmuls over the (already quantized) rows routed to it.
import Kernels

extension Session {
    /// Each expert's gate/up, SwiGLU and down on its rows; slotOut (n, nUsed, nEmbd) gets every slot's output.
    /// With many experts busy, threads take whole experts (`ExpertTask`): no parallel region per matrix, and the
    /// gathers, SwiGLUs and scatters between the matmuls run in parallel too. Same products either way (bit-exact).
    func routedBatch(_ m: MoEWeights, _ input: Activations, n: Int) {
        let s = scratch, threads = pool.threadCount
        let x = input.quantized(for: m.gateUp ?? m.gate!, pool: pool)
        let busy = groupSlotsByExpert(n: n)
        var task = ExpertTask(m: m, x: x, rows: s.rows, start: s.expertStart, order: s.expertOrder, slotOut: s.slotOut,
                              used: config.expertUsedCount, embd: config.embeddingLength, ff: config.expertFeedForwardLength)
        if threads > 1 && busy >= 4 * threads {
            pool.run(busy, &task) { c, b, e in c!.assumingMemoryBound(to: ExpertTask.self).pointee.run(Int(b)..<Int(e)) }
        } else {
            for i in 0..<busy { task.one(s.expertOrder[i], pool: pool) }
        }
    }

    /// Counting sort of the n·nUsed slots by expert (slot order kept within an expert) into rows/expertStart;
    /// expertOrder gets the experts with slots, most first (whole experts then balance over threads). Returns their count.
    private func groupSlotsByExpert(n: Int) -> Int {
        let s = scratch, ne = config.expertCount, slots = n * config.expertUsedCount
        for ex in 0...ne { s.expertStart[ex] = 0 }
        for r in 0..<slots { s.expertStart[s.slotE[r] + 1] += 1 }
        var busy = 0
        for ex in 0..<ne where s.expertStart[ex + 1] > 0 { s.expertOrder[busy] = ex; busy += 1 }
        var order = UnsafeMutableBufferPointer(start: s.expertOrder, count: busy)
        order.sort { a, b in
            let ca = s.expertStart[a + 1], cb = s.expertStart[b + 1]
            return ca != cb ? ca > cb : a < b
        }
        for ex in 0..<ne { s.expertStart[ex + 1] += s.expertStart[ex] }
        for r in 0..<slots {  // expertOrder is done with the counts; use expertStart[ex] as the fill cursor, then restore
            let ex = s.slotE[r]
            s.rows[s.expertStart[ex]] = r
            s.expertStart[ex] += 1
        }
        for ex in stride(from: ne, to: 0, by: -1) { s.expertStart[ex] = s.expertStart[ex - 1] }
        s.expertStart[0] = 0
        return busy
    }
}

/// Experts of one prefill MoE block, run whole by one thread each (from a pool task) or one after another with
/// row-parallel matmuls (`one(_:pool:)`). Working rows live in the running thread's scratch.
struct ExpertTask {
    let m: MoEWeights, x: QuantizedActivations
    let rows: UnsafeMutablePointer<Int>, start: UnsafeMutablePointer<Int>, order: UnsafeMutablePointer<Int>
    let slotOut: UnsafeMutablePointer<Float>
    let used: Int, embd: Int, ff: Int

    /// Experts order[range], each on this thread alone.
    func run(_ range: Range<Int>) { for i in range { one(order[i], pool: nil) } }

    /// Expert ex on its slots rows[start[ex]..<start[ex + 1]] (token = slot / nUsed): gate/up (cnt, 2·ff), SwiGLU
    /// (cnt, ff), down (cnt, nEmbd), each output row copied to its slot.
    func one(_ ex: Int, pool: ThreadPool?) {
        let first = start[ex], cnt = start[ex + 1] - first
        let dn = m.down.slice(ex, rowsPer: embd)
        let hBytes = QuantizedActivations.byteCount(n: cnt, cols: ff, for: dn.type)!
        // thread scratch, 64-byte pieces: gathered x | gate·up (cnt, 2·ff) | hidden (cnt, ff) | hidden quantized | out (cnt, nEmbd)
        func floats(_ bytes: Int) -> Int { (bytes + 63) / 64 * 16 }
        let gxF = floats(cnt * x.rowBytes), guF = floats(cnt * 2 * ff * 4), hF = floats(cnt * ff * 4), hqF = floats(hBytes)
        let base = threadScratchFloats(gxF + guF + hF + hqF + cnt * embd)
        let gu = base + gxF, h = gu + guF, hq = h + hF, out = hq + hqF
        let gx = x.gather(count: cnt, into: UnsafeMutableRawPointer(base)) { rows[first + $0] / used }
        if let fused = m.gateUp {
            matmulRows(fused.slice(ex, rowsPer: 2 * ff), gx, n: cnt, gu, ldy: 2 * ff, pool: pool)
            for i in 0..<cnt { Ops.swiglu(gate: gu + i * 2 * ff, up: gu + i * 2 * ff + ff, out: h + i * ff, count: ff) }
        } else if let g = m.gate, let u = m.up {
            matmulRows(g.slice(ex, rowsPer: ff), gx, n: cnt, gu, ldy: ff, pool: pool)
            matmulRows(u.slice(ex, rowsPer: ff), gx, n: cnt, gu + cnt * ff, ldy: ff, pool: pool)
            Ops.swiglu(gate: gu, up: gu + cnt * ff, out: h, count: cnt * ff)
        }
        let hx = QuantizedActivations.quantize(h, n: cnt, for: dn, into: UnsafeMutableRawPointer(hq), pool: pool)
        matmulRows(dn, hx, n: cnt, out, ldy: embd, pool: pool)
        for i in 0..<cnt { (slotOut + rows[first + i] * embd).update(from: out + i * embd, count: embd) }
    }
}
