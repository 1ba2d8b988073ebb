// A loaded model: the GGUF mapping, its config, its weights bound to named fields, and the thread pool.
import Foundation
import GGUF
import Kernels

public final class Model: @unchecked Sendable {
    public let gguf: GGUFFile
    public let config: ModelConfig
    public let pool: ThreadPool
    /// Which file this is, for KV snapshots (hashed once here, at load).
    public let identity: ModelIdentity

    enum Weights {
        case deepseek2(DeepSeek2Weights)
        case llama(LlamaWeights)
    }
    let weights: Weights

    /// The kernel family, AMX, GFNI, repacking and KV cache switches this model runs with.
    public let options: EngineOptions
    /// Where the repacked weights live (the views in `weights` point into it).
    private let repacking: WeightRepacking
    /// Bytes of weights repacked at load for the SIMD kernels (0 when off, not faster here, or not enough memory).
    public var repackedBytes: Int { repacking.bytes }

    /// `options` nil: EngineOptions.fromEnvironment (the process's GLMCHAT_* variables).
    public convenience init(path: String, threads: Int, options: EngineOptions? = nil) throws {
        let o = try options ?? EngineOptions.fromEnvironment()
        try self.init(gguf: try GGUFFile(path: path), threads: threads, options: o)
    }

    /// With `options.repack`, weights are rewritten at load into the layouts their kernels read fastest (Q4_K, and Q6_K
    /// for AVX2), copied out of the mapping into memory of this process in 2 MB pages (the file never changes); at most
    /// `repackBudget` bytes (default: 80 % of the memory available; those bytes stop being shared page cache, the rest
    /// keeps the file's layout).
    public init(gguf: GGUFFile, threads: Int, options: EngineOptions = EngineOptions(), repackBudget: Int? = nil) throws {
        self.gguf = gguf
        self.options = options
        options.applyToElementwiseKernels()
        config = try ModelConfig(gguf: gguf)
        identity = ModelIdentity(gguf)
        gguf.preferHugePages()
        pool = ThreadPool(threads: max(1, threads))
        let repackable = options.repack ? Self.repackableBytes(gguf, options) : 0
        let repacking = WeightRepacking(capacity: min(repackable, repackBudget ?? Self.repackBudget()), pool: pool, options: options)
        let b = TensorBinder(f: gguf, repacking: repacking)
        switch config.arch {
        case .deepseek2: weights = .deepseek2(try DeepSeek2Weights(b, config))
        case .llama: weights = .llama(try LlamaWeights(b, config))
        }
        self.repacking = repacking
    }

    /// The type k_b is kept in, transposed, for prompt batches in the expanded form (nil: they never expand: a llama
    /// model, or options that keep the absorbed form; see DeepSeek2Weights.transposedType).
    public var expandedKeyType: GGMLType? {
        guard case .deepseek2(let w) = weights else { return nil }
        return w.layers.first?.kBT?.type
    }

    /// The kernel plan of a tensor bound as a matrix (after repacking), nil for tensors read as vectors (norms, biases).
    public func kernelPlan(ofTensor name: String) -> KernelPlan? { repacking.plans[name] }

    /// Bytes of the tensors whose plan repacks them (64-byte alignment each included).
    private static func repackableBytes(_ f: GGUFFile, _ options: EngineOptions) -> Int {
        f.tensors.reduce(0) { $0 + (KernelPlan(for: $1.type, options: options)?.repackTarget == nil ? 0 : $1.byteCount + 64) }
    }

    /// Bytes the repacked weights may take: 80 % of the memory available. Tensors past it keep the file's layout
    /// (the arena is filled in load order), so a model that does not fit whole still gets most of the speed.
    private static func repackBudget() -> Int {
        guard let available = memoryAvailable() else { return .max }
        return available / 10 * 8
    }

    /// MemAvailable from /proc/meminfo in bytes, nil where there is none.
    private static func memoryAvailable() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kb * 1024
    }

    /// Bytes of tensor data in the file (what a decode step streams, for MoE an upper bound).
    public var weightBytes: Int { gguf.tensors.reduce(0) { $0 + $1.byteCount } }

    /// Bytes of weights one decoded token reads: all dense tensors plus the used share of the experts.
    public var activeWeightBytes: Int {
        let c = config
        var total = 0
        for t in gguf.tensors {
            if t.name.contains("_exps."), c.expertCount > 0 {
                total += t.byteCount * c.expertUsedCount / c.expertCount
            } else if t.name.hasPrefix("blk."), let n = Int(t.name.split(separator: ".")[1]), n >= c.blockCount {
                continue   // MTP block, never run
            } else if t.name == "token_embd.weight", gguf.tensor(named: "output.weight") != nil {
                total += t.rowBytes    // one row is read per token
            } else {
                total += t.byteCount
            }
        }
        return total
    }
}
