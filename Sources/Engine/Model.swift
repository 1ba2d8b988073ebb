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

    /// Where the repacked weights live (the views in `weights` point into it).
    private let repacking: WeightRepacking
    /// Bytes of weights repacked at load for the SIMD kernels (0 when off, not faster here, or not enough memory).
    public var repackedBytes: Int { repacking.bytes }

    /// `repack`: rewrite weights at load into the layouts the active kernels read fastest (Q4_K and Q6_K for AVX2), copied out
    /// of the mapping into memory of this process in 2 MB pages (the file never changes). Off with GLMCHAT_REPACK=0;
    /// at most 80 % of the memory available is repacked (those bytes stop being shared page cache; the rest keeps the
    /// file's layout).
    public convenience init(path: String, threads: Int, repack: Bool = Model.repackByDefault) throws {
        try self.init(gguf: try GGUFFile(path: path), threads: threads, repack: repack)
    }

    /// `repackBudget`: bytes the repacked weights may take (default: 80 % of the memory available).
    public init(gguf: GGUFFile, threads: Int, repack: Bool = Model.repackByDefault, repackBudget: Int? = nil) throws {
        self.gguf = gguf
        config = try ModelConfig(gguf: gguf)
        identity = ModelIdentity(gguf)
        gguf.preferHugePages()
        pool = ThreadPool(threads: max(1, threads))
        let repackable = Self.repackableBytes(gguf)
        let repacking = WeightRepacking(capacity: repack ? min(repackable, repackBudget ?? Self.repackBudget()) : 0, pool: pool)
        let b = TensorBinder(f: gguf, repacking: repacking)
        switch config.arch {
        case .deepseek2: weights = .deepseek2(try DeepSeek2Weights(b, config))
        case .llama: weights = .llama(try LlamaWeights(b, config))
        }
        self.repacking = repacking
    }

    /// False when the environment has GLMCHAT_REPACK=0.
    public static var repackByDefault: Bool { ProcessInfo.processInfo.environment["GLMCHAT_REPACK"] != "0" }

    /// Bytes of the tensors whose type has a repacked layout on this CPU (64-byte alignment each included).
    private static func repackableBytes(_ f: GGUFFile) -> Int {
        f.tensors.reduce(0) { $0 + (Quant.repackedType($1.type) == nil ? 0 : $1.byteCount + 64) }
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
