// Weights of a llama-architecture model (SmolLM2, Llama 3 family), bound once at load with every shape checked.
import GGUF
import Kernels

struct LlamaLayer {
    let attnNorm: FloatVector       // (nEmbd)
    let wq: WeightMatrix            // (nHead·hd, nEmbd)
    let wk: WeightMatrix            // (nKV·hd, nEmbd)
    let wv: WeightMatrix            // (nKV·hd, nEmbd)
    let wo: WeightMatrix            // (nEmbd, nHead·hd)
    let woBias: FloatVector?        // (nEmbd)
    let ffnNorm: FloatVector        // (nEmbd)
    let ffn: FFNWeights
}

struct LlamaWeights {
    let tokenEmbd: WeightMatrix     // (vocab, nEmbd)
    let outputNorm: FloatVector     // (nEmbd)
    let output: WeightMatrix        // (vocab, nEmbd); token_embd when tied
    let ropeFreqs: [Float]?         // (rope dims / 2) llama 3 frequency divisors
    let layers: [LlamaLayer]

    init(_ b: TensorBinder, _ c: ModelConfig) throws {
        let e = c.embeddingLength, hd = c.keyLength, nq = c.headCount * hd, nkv = c.headCountKV * hd
        tokenEmbd = try b.matrix("token_embd.weight", cols: e, rows: c.vocabSize, repack: !b.has("output.weight"))
        outputNorm = try b.vec("output_norm.weight", count: e)
        output = b.has("output.weight") ? try b.matrix("output.weight", cols: e, rows: c.vocabSize) : tokenEmbd
        ropeFreqs = b.has("rope_freqs.weight") ? try b.vector("rope_freqs.weight", count: c.ropeDims / 2) : nil
        var layers: [LlamaLayer] = []
        for i in 0..<c.blockCount {
            let p = "blk.\(i)"
            if b.has("\(p).attn_qkv.weight") {
                throw EngineError.invalidConfig("the tensor \(p).attn_qkv.weight is a fused QKV projection, which glmchat does not support in llama models.")
            }
            let wq = try b.matrix("\(p).attn_q.weight", cols: e, rows: nq)
            let wk = try b.matrix("\(p).attn_k.weight", cols: e, rows: nkv)
            let wv = try b.matrix("\(p).attn_v.weight", cols: e, rows: nkv)
            for bias in ["attn_q.bias", "attn_k.bias", "attn_v.bias", "ffn_gate.bias", "ffn_up.bias", "ffn_down.bias"] where b.has("\(p).\(bias)") {
                throw EngineError.invalidConfig("the tensor \(p).\(bias) is a bias glmchat does not support in llama models.")
            }
            layers.append(LlamaLayer(
                attnNorm: try b.vec("\(p).attn_norm.weight", count: e), wq: wq, wk: wk, wv: wv,
                wo: try b.matrix("\(p).attn_output.weight", cols: nq, rows: e),
                woBias: b.has("\(p).attn_output.bias") ? try b.vec("\(p).attn_output.bias", count: e) : nil,
                ffnNorm: try b.vec("\(p).ffn_norm.weight", count: e),
                ffn: try FFNWeights(b, prefix: p, embd: e, ff: c.feedForwardLength)))
        }
        self.layers = layers
    }
}
