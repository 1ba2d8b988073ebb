// Model hyperparameters read from GGUF metadata (deepseek2.* and llama.*), with llama.cpp's defaults.
import Foundation
import GGUF

public enum Architecture: String, Sendable { case deepseek2, llama }

public enum ExpertGating: String, Sendable { case softmax, sigmoid }

/// RoPE parameters as llama.cpp's context derives them (ggml_rope_ext arguments).
public struct RopeParams: Sendable, Equatable {
    public var dims: Int            // rotated dimensions per head (n_rot)
    public var base: Float
    public var freqScale: Float     // 1 / scaling factor
    public var extFactor: Float     // YaRN extrapolation mix (1 when scaling type is yarn)
    public var attnFactor: Float    // magnitude factor passed to rope
    public var betaFast: Float, betaSlow: Float
    public var origContext: Int
}

public struct ModelConfig: Sendable {
    public let arch: Architecture
    public let name: String
    public let vocabSize: Int
    public let contextLength: Int          // n_ctx_train
    public let embeddingLength: Int        // n_embd
    public let blockCount: Int             // transformer blocks used (nextn/MTP blocks excluded)
    public let nextnLayers: Int            // trailing MTP blocks in the file, skipped
    public let headCount: Int
    public let headCountKV: Int
    public let keyLength: Int              // per-head query/key size as computed (llama: head dim; deepseek2: nope + rope)
    public let valueLength: Int            // per-head value size
    public let feedForwardLength: Int      // dense FFN hidden size
    public let rmsEps: Float
    public let rope: RopeParams
    public let kqScale: Float              // attention score scale (YaRN mscale folded in for deepseek2)

    // deepseek2 only (0 / defaults for llama)
    public let qLoraRank: Int              // 0: a plain attn_q projection (V2-Lite style)
    public let kvLoraRank: Int
    public let isMLA: Bool                 // file has key_length_mla/value_length_mla (split attn_k_b/attn_v_b)
    public var ropeDims: Int { rope.dims }
    public var nopeDims: Int { keyLength - rope.dims }
    public let expertCount: Int
    public let expertUsedCount: Int
    public let expertSharedCount: Int
    public let expertFeedForwardLength: Int
    public let leadingDenseBlocks: Int
    public let expertWeightsNorm: Bool
    public let expertWeightsScale: Float   // 0 or 1: no scaling (llama.cpp rule)
    public let gating: ExpertGating
    public let expertGroupCount: Int
    public let expertGroupUsedCount: Int

    /// Width of one token's KV cache entry per layer: deepseek2 latent + rope key; llama K (V separate).
    public var cacheWidth: Int { arch == .deepseek2 ? kvLoraRank + rope.dims : headCountKV * keyLength }

    public init(gguf f: GGUFFile) throws {
        guard let a = f.architecture else { throw EngineError.unsupportedArchitecture(nil) }
        guard let arch = Architecture(rawValue: a) else { throw EngineError.unsupportedArchitecture(a) }
        let r = KeyReader(f: f, arch: a)
        self.arch = arch
        name = f.string("general.name") ?? (f.path as NSString).lastPathComponent

        guard let embd = f.tensor(named: "token_embd.weight") else { throw EngineError.missingTensor("token_embd.weight") }
        guard embd.dims.count == 2 else {
            throw EngineError.badShape(tensor: "token_embd.weight", expected: [try r.int("embedding_length"), -1], found: embd.dims)
        }
        vocabSize = embd.dims[1]
        if let v = try r.optInt("vocab_size"), v != vocabSize {
            throw EngineError.invalidConfig("the file says its vocabulary has \(v) tokens but token_embd.weight holds \(vocabSize).")
        }
        contextLength = try r.int("context_length")
        embeddingLength = try r.int("embedding_length")
        let allBlocks = try r.int("block_count")
        nextnLayers = try r.optInt("nextn_predict_layers") ?? 0
        guard allBlocks > 0, nextnLayers >= 0, nextnLayers < allBlocks else {
            throw EngineError.invalidConfig("the file has \(allBlocks) blocks of which \(nextnLayers) are MTP blocks, which leaves no model to run.")
        }
        blockCount = allBlocks - nextnLayers
        headCount = try r.perLayerInt("attention.head_count", layers: allBlocks)
        headCountKV = try r.perLayerInt("attention.head_count_kv", layers: allBlocks, default: headCount)
        feedForwardLength = try r.perLayerInt("feed_forward_length", layers: allBlocks, default: 0)
        rmsEps = try r.float("attention.layer_norm_rms_epsilon")
        guard embeddingLength > 0, headCount > 0, headCountKV > 0, headCount % headCountKV == 0, contextLength > 0 else {
            throw EngineError.invalidConfig("the file's attention shape (\(embeddingLength) wide, \(headCount) heads, \(headCountKV) KV heads) is not valid.")
        }
        let headK = try r.optInt("attention.key_length") ?? embeddingLength / headCount
        let headV = try r.optInt("attention.value_length") ?? embeddingLength / headCount
        let nRot = try r.optInt("rope.dimension_count") ?? headK

        // RoPE, as llama_context derives cparams from hparams.
        let scalingType = r.f.string("\(a).rope.scaling.type") ?? "linear"
        guard ["none", "linear", "yarn"].contains(scalingType) else {
            throw EngineError.badKey(key: "\(a).rope.scaling.type", reason: "is \(scalingType), which glmchat does not support (none, linear or yarn)")
        }
        let factor = try r.optFloat("rope.scaling.factor") ?? r.optFloat("rope.scale_linear") ?? 0
        var freqScale: Float = factor == 0 ? 1 : 1 / factor
        if scalingType == "none" { freqScale = 1 }
        let extFactor: Float = scalingType == "yarn" ? 1 : 0
        var yarnLogMul: Float = 0
        if arch == .deepseek2, let m = try r.optFloat("rope.scaling.yarn_log_multiplier") { yarnLogMul = m / 0.1 }
        var attnFactor: Float = 1
        if extFactor != 0 {
            func mscale(_ scale: Float, _ m: Float) -> Float { scale <= 1 ? 1 : 0.1 * m * logf(scale) + 1 }
            let fac = 1 / freqScale
            if yarnLogMul != 0 {
                let all = yarnLogMul
                let m: Float = (arch == .deepseek2 && all != 1) ? all : 1
                attnFactor = mscale(fac, m) / mscale(fac, all)
            } else {
                attnFactor = mscale(fac, 1)
            }
            attnFactor *= 1 / (1 + 0.1 * logf(fac))
        }
        attnFactor *= try r.optFloat("rope.scaling.attn_factor") ?? 1
        let origCtx = try r.optInt("rope.scaling.original_context_length") ?? contextLength
        rope = RopeParams(dims: nRot, base: try r.optFloat("rope.freq_base") ?? 10000, freqScale: freqScale,
                          extFactor: extFactor, attnFactor: attnFactor, betaFast: 32, betaSlow: 1, origContext: origCtx)
        guard nRot > 0, nRot % 2 == 0 else { throw EngineError.badKey(key: "\(a).rope.dimension_count", reason: "must be a positive even number, found \(nRot)") }

        switch arch {
        case .llama:
            guard nRot == headK, headK == headV else {
                throw EngineError.invalidConfig("a llama model needs rope dimensions (\(nRot)) equal to the head size (\(headK), values \(headV)).")
            }
            keyLength = headK; valueLength = headV
            kqScale = 1 / sqrtf(Float(headK))
            qLoraRank = 0; kvLoraRank = 0; isMLA = false
            expertCount = try r.optInt("expert_count") ?? 0
            guard expertCount == 0 else { throw EngineError.invalidConfig("llama models with experts (Mixtral style) are not supported.") }
            expertUsedCount = 0; expertSharedCount = 0; expertFeedForwardLength = 0; leadingDenseBlocks = allBlocks
            expertWeightsNorm = false; expertWeightsScale = 0; gating = .softmax; expertGroupCount = 0; expertGroupUsedCount = 0
            guard feedForwardLength > 0 else { throw EngineError.missingKey("\(a).feed_forward_length") }

        case .deepseek2:
            let tokensCount = f.array("tokenizer.ggml.tokens")?.count ?? vocabSize
            let nVocab = try r.optInt("vocab_size") ?? tokensCount
            let isLite = allBlocks == 27 || allBlocks == 26 || (allBlocks == 48 && nVocab == 128256)
            qLoraRank = isLite ? 0 : try r.int("attention.q_lora_rank")
            kvLoraRank = try r.int("attention.kv_lora_rank")
            let kMLA = try r.optInt("attention.key_length_mla") ?? 0
            let vMLA = try r.optInt("attention.value_length_mla") ?? 0
            guard (kMLA == 0) == (vMLA == 0) else {
                throw EngineError.invalidConfig("the file has only one of attention.key_length_mla and attention.value_length_mla.")
            }
            isMLA = kMLA != 0
            keyLength = isMLA ? kMLA : headK
            valueLength = isMLA ? vMLA : headV
            guard keyLength > nRot, kvLoraRank > 0, qLoraRank >= 0 else {
                throw EngineError.invalidConfig("the attention sizes (key \(keyLength), rope \(nRot), kv_lora_rank \(kvLoraRank)) are not valid.")
            }
            leadingDenseBlocks = try r.optInt("leading_dense_block_count") ?? 0
            expertCount = try r.optInt("expert_count") ?? 0
            expertUsedCount = try r.perLayerInt("expert_used_count", layers: allBlocks, default: 0)
            expertSharedCount = try r.int("expert_shared_count")
            expertFeedForwardLength = try r.perLayerInt("expert_feed_forward_length", layers: allBlocks)
            expertWeightsScale = try r.optFloat("expert_weights_scale") ?? 0
            expertWeightsNorm = try r.optBool("expert_weights_norm") ?? false
            expertGroupCount = try r.optInt("expert_group_count") ?? 0
            expertGroupUsedCount = try r.optInt("expert_group_used_count") ?? 0
            switch try r.optInt("expert_gating_func") ?? 0 {
            case 0: gating = Self.defaultGating(blockCount: allBlocks, vocabSize: nVocab)
            case 1: gating = .softmax
            case 2: gating = .sigmoid
            case let g: throw EngineError.badKey(key: "\(a).expert_gating_func", reason: "is \(g), a gating function glmchat does not support (1 softmax, 2 sigmoid)")
            }
            if blockCount > leadingDenseBlocks {
                guard expertCount > 0, expertUsedCount > 0, expertUsedCount <= expertCount else {
                    throw EngineError.invalidConfig("the file has MoE blocks but \(expertCount) experts with \(expertUsedCount) used per token.")
                }
                if expertGroupCount > 1 {
                    guard expertCount % expertGroupCount == 0, expertGroupUsedCount > 0, expertGroupUsedCount < expertGroupCount,
                          expertCount / expertGroupCount >= 2 else {
                        throw EngineError.invalidConfig("the expert groups (\(expertGroupCount) groups, \(expertGroupUsedCount) used, \(expertCount) experts) are not valid.")
                    }
                }
            }
            if leadingDenseBlocks > 0 { guard feedForwardLength > 0 else { throw EngineError.missingKey("\(a).feed_forward_length") } }
            // llama.cpp pre-scales the score for YaRN (TAG_DEEPSEEK2_YARN_LOG_MUL_FIX).
            let attnOrg = rope.attnFactor * (1 + 0.1 * logf(1 / rope.freqScale))
            let ms = attnOrg * (1 + 0.1 * yarnLogMul * logf(1 / rope.freqScale))
            kqScale = ms * ms / sqrtf(Float(keyLength))
        }
    }

    /// The gating function of a deepseek2 file without `expert_gating_func`: GLM-4.7-Flash files (47 or 48 blocks
    /// with MTP, vocabulary 154880) use sigmoid; older DeepSeek V2/V2.5 files softmax (llama.cpp's rule).
    public static func defaultGating(blockCount: Int, vocabSize: Int) -> ExpertGating {
        ((blockCount == 47 || blockCount == 48) && vocabSize == 154880) ? .sigmoid : .softmax
    }

    /// A short human summary (for logs and `bench`).
    public var summary: String {
        var s = "\(arch.rawValue) \(name): \(blockCount) blocks, \(embeddingLength) wide, \(headCount) heads, vocab \(vocabSize), context \(contextLength)"
        if arch == .deepseek2 { s += ", \(expertCount) experts (\(expertUsedCount) used, \(gating.rawValue))" }
        return s
    }
}

/// Reads `<arch>.<name>` keys with type checks and plain-sentence errors.
struct KeyReader {
    let f: GGUFFile
    let arch: String

    func key(_ k: String) -> String { "\(arch).\(k)" }

    /// GGUF's typed read of `<arch>.<k>`, its type error as this module's.
    private func read<T>(_ k: String, _ get: (String) throws -> T?) throws -> T? {
        do { return try get(key(k)) } catch GGUFError.wrongKeyType(let name, let expected, let found) {
            throw EngineError.badKey(key: name, reason: "must be \(expected), found a \(found)")
        }
    }
    private func required<T>(_ k: String, _ v: T?) throws -> T {
        guard let v else { throw EngineError.missingKey(key(k)) }
        return v
    }

    func optInt(_ k: String) throws -> Int? {
        guard let i = try read(k, f.optionalInt) else { return nil }
        guard i >= 0 else { throw EngineError.badKey(key: key(k), reason: "must be a non-negative integer, found \(i)") }
        return i
    }
    func int(_ k: String) throws -> Int { try required(k, try optInt(k)) }
    func optFloat(_ k: String) throws -> Float? { try read(k, f.optionalDouble).map(Float.init) }
    func float(_ k: String) throws -> Float { try required(k, try optFloat(k)) }
    func optBool(_ k: String) throws -> Bool? { try read(k, f.optionalBool) }
    /// A scalar, or a per-layer array whose entries for all layers are equal (all glmchat supports).
    func perLayerInt(_ k: String, layers: Int, default d: Int? = nil) throws -> Int {
        guard let v = f.metadata[key(k)] else { return try required(k, d) }
        guard v.arrayValue != nil else { return try int(k) }
        guard let xs = try read(k, f.optionalInts), xs.count == layers, let first = xs.first, xs.allSatisfy({ $0 == first }), first >= 0 else {
            throw EngineError.badKey(key: key(k), reason: "varies by layer, which glmchat does not support")
        }
        return first
    }
}
