// The engine's switches (kernel family, AMX, GFNI, repacking, KV cache type), read from the environment in one place.
import CKernels
#if canImport(Glibc)
import Glibc
#endif

public struct EngineOptions: Sendable, Equatable {
    /// Which kernels run: `auto` takes, per weight type, the family measured fastest on this CPU; the others force the
    /// widest family allowed (a type without a kernel there falls back to the next narrower one, down to the scalar twin).
    public enum KernelFamily: String, Sendable, CaseIterable { case auto, scalar, avx2, avx512 }
    /// What deepseek2's latent KV cache holds (llama caches always hold f32): IEEE f16, f32, or q8_0 (ggml's blocks
    /// of 32 numbers: an f16 scale and 32 int8, 34 bytes; rows quantized as they are appended, a row whose width is
    /// not a multiple of 32 padded with zeros to whole blocks: GLM's 576 = 18 blocks, as llama.cpp's q8_0 cache).
    public enum KVCacheType: String, Sendable, CaseIterable {
        case f16, f32, q8_0

        /// Bytes of a row of `width` numbers.
        public func rowBytes(_ width: Int) -> Int {
            switch self {
            case .f32: width * 4
            case .f16: width * 2
            case .q8_0: (width + 31) / 32 * 34
            }
        }

        /// Parses a `--cache-type` / `cache_type` value; nil for anything else.
        public init?(name: String) { self.init(rawValue: name.lowercased()) }
    }
    /// How deepseek2 attends in a prompt batch. `absorbed`: the queries absorb k_b and every head reads the latent cache
    /// as its keys and values (1,088 products per head and key for GLM; the only form for a decoded token, and the one
    /// the AMX tiles run). `expanded`: the batch first expands the cache into each head's keys and values through k_b
    /// and v_b (4.6 M products per key), then runs standard attention (512 per head and key): fewer products once a
    /// batch has ~300 tokens (after 4,096 tokens on Zen 3: ×0.95 at 256, ×1.14–×1.45 at 384; ×1.16–×1.30 for 512 after
    /// 8,192). `auto`: expanded for batches of `autoExpandedPromptTokens` or more, except where the absorbed form runs on
    /// AMX tiles (not yet measured against each other).
    ///
    /// Accuracy: the expanded form reads the cache's latents exactly (k_b is kept transposed in f16, or f32 with an f32
    /// cache) where the absorbed form rounds its queries and output latents to k_b's and v_b's activation types, so its
    /// attention is the closer to exact math: a layer's output against float64 on the same f16 cache, median relative
    /// error 4e-7 against 3e-4 (F16 bench model), 7.0e-3 against 9.3e-3 (Q4_K_M: Q5_0 k_b, Q4_K v_b).
    public enum PromptAttention: String, Sendable, CaseIterable { case auto, absorbed, expanded }

    public var kernels: KernelFamily
    /// Batches (prompt processing) on AMX tiles where the CPU has them.
    public var amx: Bool
    /// GFNI instructions where the CPU has them (the AVX-512 Q6_K kernel).
    public var gfni: Bool
    /// Weights rewritten at load into the layouts the chosen kernels read faster.
    public var repack: Bool
    public var kvCache: KVCacheType
    public var promptAttention: PromptAttention

    public init(kernels: KernelFamily = .auto, amx: Bool = true, gfni: Bool = true, repack: Bool = true, kvCache: KVCacheType = .f16,
                promptAttention: PromptAttention = .auto) {
        self.kernels = kernels; self.amx = amx; self.gfni = gfni; self.repack = repack; self.kvCache = kvCache
        self.promptAttention = promptAttention
    }

    /// The variables and the values they take; anything else is an error.
    public static let variables: [(name: String, values: String)] = [
        ("GLMCHAT_KERNELS", KernelFamily.allCases.map(\.rawValue).joined(separator: "|")), ("GLMCHAT_AMX", "0|1"),
        ("GLMCHAT_GFNI", "0|1"), ("GLMCHAT_REPACK", "0|1"), ("GLMCHAT_KV", KVCacheType.allCases.map(\.rawValue).joined(separator: "|")),
        ("GLMCHAT_MLA_PROMPT", PromptAttention.allCases.map(\.rawValue).joined(separator: "|")),
    ]

    /// The options the environment sets (unset or empty variables keep the defaults): the only place that reads them.
    /// `lookup`: a variable's value (default: this process's environment).
    public static func fromEnvironment(_ lookup: (String) -> String? = { getenv($0).map { String(cString: $0) } }) throws -> EngineOptions {
        func value(_ name: String) -> String? { lookup(name).flatMap { $0.isEmpty ? nil : $0 } }
        func invalid(_ name: String, _ v: String) -> KernelError {
            .badOption("\(name)=\(v) is not a valid setting (use \(variables.first { $0.name == name }!.values)).")
        }
        func flag(_ name: String) throws -> Bool? {
            guard let v = value(name) else { return nil }
            switch v { case "0": return false; case "1": return true; default: throw invalid(name, v) }
        }
        var o = EngineOptions()
        if let v = value("GLMCHAT_KERNELS") { guard let k = KernelFamily(rawValue: v) else { throw invalid("GLMCHAT_KERNELS", v) }; o.kernels = k }
        if let v = value("GLMCHAT_KV") { guard let k = KVCacheType(rawValue: v) else { throw invalid("GLMCHAT_KV", v) }; o.kvCache = k }
        if let v = value("GLMCHAT_MLA_PROMPT") {
            guard let p = PromptAttention(rawValue: v) else { throw invalid("GLMCHAT_MLA_PROMPT", v) }
            o.promptAttention = p
        }
        o.amx = try flag("GLMCHAT_AMX") ?? o.amx
        o.gfni = try flag("GLMCHAT_GFNI") ?? o.gfni
        o.repack = try flag("GLMCHAT_REPACK") ?? o.repack
        return o
    }

    /// The options for one run: the environment's, with the KV cache type from `--cache-type` (`flag`), else
    /// GLMCHAT_KV, else settings.json's `cache_type` (`setting`), else f16. Bad values are one sentence.
    public static func resolved(cacheTypeFlag flag: String? = nil, cacheTypeSetting setting: String? = nil,
                                _ lookup: (String) -> String? = { getenv($0).map { String(cString: $0) } }) throws -> EngineOptions {
        var o = try fromEnvironment(lookup)
        func parse(_ v: String, _ source: String) throws -> KVCacheType {
            guard let t = KVCacheType(name: v) else {
                throw KernelError.badOption("\(source) \(v) is not a KV cache type (use \(KVCacheType.allCases.map(\.rawValue).joined(separator: ", "))).")
            }
            return t
        }
        if let setting, !setting.isEmpty, (lookup("GLMCHAT_KV") ?? "").isEmpty { o.kvCache = try parse(setting, "cache_type in settings.json:") }
        if let flag { o.kvCache = try parse(flag, "--cache-type") }
        return o
    }

    /// The C kernels' view of these options.
    var kernelOptions: ck_options {
        let family: Int32 = switch kernels {
        case .auto: Int32(CK_FAMILY_AUTO)
        case .scalar: Int32(CK_FAMILY_SCALAR)
        case .avx2: Int32(CK_FAMILY_AVX2)
        case .avx512: Int32(CK_FAMILY_AVX512)
        }
        return ck_options(family: family, amx: amx ? 1 : 0, gfni: gfni ? 1 : 0, repack: repack ? 1 : 0)
    }

    /// The deepseek2 attention kernel these options choose on this CPU (CK_MLA_*) and its name.
    public var attentionKernel: Int32 { var o = kernelOptions; return ck_mla_kernel(&o) }
    public var attentionKernelName: String { String(cString: ck_mla_kernel_name(attentionKernel)) }

    /// Prompt batches of at least this many tokens expand under `auto`: the break-even measured on Zen 3 is ~300.
    public static let autoExpandedPromptTokens = 320

    /// The smallest deepseek2 prompt batch that attends in the expanded form (see PromptAttention); nil: none does.
    public var expandedPromptTokens: Int? {
        switch promptAttention {
        case .absorbed: nil
        case .expanded: 2
        case .auto: attentionKernel == Int32(CK_MLA_AMX) ? nil : Self.autoExpandedPromptTokens
        }
    }

    /// Whether a deepseek2 prompt batch of `tokens` tokens attends in the expanded form.
    public func expandsPromptAttention(tokens: Int) -> Bool { expandedPromptTokens.map { tokens >= $0 } ?? false }
    /// Whether any batch may attend in the expanded form: the model then keeps k_b transposed too.
    public var mayExpandPromptAttention: Bool { expandedPromptTokens != nil }

    /// Makes the kernels without a plan (elementwise ops, attention, activation quantizers) follow `kernels`
    /// (scalar or SIMD). Process-wide: the engine applies its options when a model loads.
    public func applyToElementwiseKernels() {
        var o = kernelOptions
        ck_apply_options(&o)
    }
}
