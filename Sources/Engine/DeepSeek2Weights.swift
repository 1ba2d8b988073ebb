// Weights of a deepseek2 (GLM-4.7-Flash, DeepSeek-V2) model, bound once at load with every shape checked.
import GGUF
import Kernels

struct FFNWeights {
    let gate: WeightMatrix   // (nFF, nEmbd)
    let up: WeightMatrix     // (nFF, nEmbd)
    let down: WeightMatrix   // (nEmbd, nFF)

    init(_ b: TensorBinder, prefix: String, embd: Int, ff: Int, suffix: String = "") throws {
        gate = try b.matrix("\(prefix).ffn_gate\(suffix).weight", cols: embd, rows: ff)
        up = try b.matrix("\(prefix).ffn_up\(suffix).weight", cols: embd, rows: ff)
        down = try b.matrix("\(prefix).ffn_down\(suffix).weight", cols: ff, rows: embd)
    }
}

struct MoEWeights {
    let router: WeightMatrix        // (nExpert, nEmbd)
    let selectionBias: FloatVector? // (nExpert) exp_probs_b, added for selection only
    /// Per expert e: gate rows [0, nFF) and up rows [nFF, 2·nFF) of slice(e, rowsPer: 2·nFF) when fused,
    /// else separate stacks sliced with rowsPer: nFF.
    let gate: WeightMatrix?, up: WeightMatrix?, gateUp: WeightMatrix?
    let down: WeightMatrix          // (nExpert·nEmbd, nFF): slice(e, rowsPer: nEmbd)
    let shared: FFNWeights?         // shared experts (one FFN of width nFF·nShared)
}

struct DeepSeek2Layer {
    let attnNorm: FloatVector              // (nEmbd)
    let qA: WeightMatrix?                  // (qLora, nEmbd)
    let qANorm: FloatVector?               // (qLora)
    let qB: WeightMatrix?                  // (nHead·keyLen, qLora)
    let q: WeightMatrix?                   // (nHead·keyLen, nEmbd) when there is no q_lora
    let kvA: WeightMatrix                  // (kvLora + rope, nEmbd)
    let kvANorm: FloatVector               // (kvLora)
    let kB: WeightMatrix                   // (nHead·kvLora, nope): slice(h, rowsPer: kvLora)
    let kBT: WeightMatrix?                 // (nHead·nope, kvLora) k_b transposed (Self.transposedType), for expanded prompt attention
    let vB: WeightMatrix                   // (nHead·valueLen, kvLora): slice(h, rowsPer: valueLen)
    let wo: WeightMatrix                   // (nEmbd, nHead·valueLen)
    let ffnNorm: FloatVector               // (nEmbd)
    let dense: FFNWeights?
    let moe: MoEWeights?
}

struct DeepSeek2Weights {
    let tokenEmbd: WeightMatrix            // (vocab, nEmbd)
    let outputNorm: FloatVector            // (nEmbd)
    let output: WeightMatrix               // (vocab, nEmbd); token_embd when tied
    let layers: [DeepSeek2Layer]
    let owned: [OwnedFloats]               // split attn_kv_b halves, k_b transposed

    init(_ b: TensorBinder, _ c: ModelConfig) throws {
        let e = c.embeddingLength, nh = c.headCount, kv = c.kvLoraRank, rope = c.ropeDims
        let nope = c.nopeDims, vl = c.valueLength, v = c.vocabSize
        tokenEmbd = try b.matrix("token_embd.weight", cols: e, rows: v, repack: !b.has("output.weight"))
        outputNorm = try b.vec("output_norm.weight", count: e)
        output = b.has("output.weight") ? try b.matrix("output.weight", cols: e, rows: v) : tokenEmbd
        var owned: [OwnedFloats] = []
        var layers: [DeepSeek2Layer] = []
        for i in 0..<c.blockCount {
            let p = "blk.\(i)"
            var qA: WeightMatrix?, qANorm: FloatVector?, qB: WeightMatrix?, q: WeightMatrix?
            if c.qLoraRank > 0 {
                qA = try b.matrix("\(p).attn_q_a.weight", cols: e, rows: c.qLoraRank)
                qANorm = try b.vec("\(p).attn_q_a_norm.weight", count: c.qLoraRank)
                qB = try b.matrix("\(p).attn_q_b.weight", cols: c.qLoraRank, rows: nh * c.keyLength)
            } else {
                q = try b.matrix("\(p).attn_q.weight", cols: e, rows: nh * c.keyLength)
            }
            let kB: WeightMatrix, vB: WeightMatrix
            var kBT: WeightMatrix?
            let expands = b.repacking.options.mayExpandPromptAttention
            /// kBT from k_b's numbers x (nHead, kvLora, nope), for the expanded prompt attention.
            func keepTransposed(_ x: [Float]) throws {
                let type = Self.transposedType(cache: b.repacking.options.kvCache, largest: x.reduce(0) { max($0, abs($1)) })
                let own = try Self.transposed(x, heads: nh, rows: kv, cols: nope, as: type)
                owned.append(own)
                kBT = try b.owned(type, rows: nh * nope, cols: kv, data: UnsafeRawPointer(own.pointer))
            }
            if c.isMLA {
                kB = try b.stack("\(p).attn_k_b.weight", cols: nope, rows: kv, count: nh)
                vB = try b.stack("\(p).attn_v_b.weight", cols: kv, rows: vl, count: nh)
                if expands { try keepTransposed(try b.dequantized(try b.info("\(p).attn_k_b.weight", [nope, kv, nh]))) }
            } else {
                // Legacy attn_kv_b {kvLora, nHead·(nope+v)}: per head, nope key rows then v value rows.
                // Split it once: k_b[h] = (key rows)ᵀ (kvLora, nope), v_b[h] = value rows (v, kvLora).
                let t = try b.info("\(p).attn_kv_b.weight", [kv, nh * (nope + vl)])
                let all = try b.dequantized(t)   // (nHead·(nope+v), kvLora)
                let kOwn = OwnedFloats(count: nh * kv * nope), vOwn = OwnedFloats(count: nh * vl * kv)
                for h in 0..<nh {
                    let base = h * (nope + vl)
                    for i in 0..<nope { for r in 0..<kv { kOwn.pointer[(h * kv + r) * nope + i] = all[(base + i) * kv + r] } }
                    for j in 0..<vl { for r in 0..<kv { vOwn.pointer[(h * vl + j) * kv + r] = all[(base + nope + j) * kv + r] } }
                }
                owned += [kOwn, vOwn]
                kB = try b.owned(.f32, rows: nh * kv, cols: nope, data: UnsafeRawPointer(kOwn.pointer))
                vB = try b.owned(.f32, rows: nh * vl, cols: kv, data: UnsafeRawPointer(vOwn.pointer))
                if expands { try keepTransposed(Array(UnsafeBufferPointer(start: kOwn.pointer, count: kOwn.count))) }
            }
            var dense: FFNWeights?, moe: MoEWeights?
            if i < c.leadingDenseBlocks {
                dense = try FFNWeights(b, prefix: p, embd: e, ff: c.feedForwardLength)
            } else {
                let ne = c.expertCount, ff = c.expertFeedForwardLength
                let bias = b.has("\(p).exp_probs_b.bias") ? try b.vec("\(p).exp_probs_b.bias", count: ne) : nil
                var gate: WeightMatrix?, up: WeightMatrix?, gateUp: WeightMatrix?
                if b.has("\(p).ffn_gate_up_exps.weight") {
                    gateUp = try b.stack("\(p).ffn_gate_up_exps.weight", cols: e, rows: 2 * ff, count: ne)
                } else {
                    gate = try b.stack("\(p).ffn_gate_exps.weight", cols: e, rows: ff, count: ne)
                    up = try b.stack("\(p).ffn_up_exps.weight", cols: e, rows: ff, count: ne)
                }
                let shared = c.expertSharedCount > 0
                    ? try FFNWeights(b, prefix: p, embd: e, ff: ff * c.expertSharedCount, suffix: "_shexp") : nil
                moe = MoEWeights(router: try b.matrix("\(p).ffn_gate_inp.weight", cols: e, rows: ne), selectionBias: bias,
                                 gate: gate, up: up, gateUp: gateUp,
                                 down: try b.stack("\(p).ffn_down_exps.weight", cols: ff, rows: e, count: ne), shared: shared)
            }
            layers.append(DeepSeek2Layer(
                attnNorm: try b.vec("\(p).attn_norm.weight", count: e), qA: qA, qANorm: qANorm, qB: qB, q: q,
                kvA: try b.matrix("\(p).attn_kv_a_mqa.weight", cols: e, rows: kv + rope),
                kvANorm: try b.vec("\(p).attn_kv_a_norm.weight", count: kv), kB: kB, kBT: kBT, vB: vB,
                wo: try b.matrix("\(p).attn_output.weight", cols: nh * vl, rows: e),
                ffnNorm: try b.vec("\(p).ffn_norm.weight", count: e), dense: dense, moe: moe))
        }
        self.layers = layers
        self.owned = owned
    }

    /// The type k_b is kept transposed in, for a latent cache of `cache` and a k_b of largest magnitude `largest`: the
    /// expansion's product then reads the cache's latents without rounding them (f16 numbers are exact activations of
    /// an f16 matrix), so k_b's own rounding is the only one: none in f32 (an f32 cache: the exact option), half an f16
    /// step elsewhere (~2⁻¹² relative, under any quantized k_b's own error; an F16 k_b is kept exactly), unless k_b
    /// holds numbers past f16's range. The absorbed form rounds its queries and output latents to k_b's and v_b's
    /// activation types instead, so the expanded attention is the closer to float64
    /// (PromptAttentionTests.testLayerAttentionAgainstFloat64). A q8_0 k_bᵀ would run its product ~35 % faster (~3 %
    /// of a long prefill) but quantize the latents too: less accurate than the absorbed form on the Q4_K_M bench model.
    static func transposedType(cache: EngineOptions.KVCacheType, largest: Float) -> GGMLType {
        cache == .f32 || !(largest < 65504) ? .f32 : .f16
    }

    /// Per head h of x (heads, rows, cols): its transpose (cols, rows) in `type` (f32 or f16), heads one after the
    /// other: (heads·cols) rows of `rows` numbers.
    static func transposed(_ x: [Float], heads: Int, rows: Int, cols: Int, as type: GGMLType) throws -> OwnedFloats {
        let rowBytes = rows * type.typeSize
        let own = OwnedFloats(count: (heads * cols * rowBytes + 3) / 4)
        let dst = UnsafeMutableRawPointer(own.pointer)
        var row = [Float](repeating: 0, count: rows)
        for h in 0..<heads {
            for j in 0..<cols {
                for i in 0..<rows { row[i] = x[(h * rows + i) * cols + j] }
                try Quant.quantizeRow(type, row, dst + (h * cols + j) * rowBytes, count: rows)
            }
        }
        return own
    }
}
