// A loaded model: the GGUF mapping, its config, its weights bound to named fields, and the thread pool.
import GGUF
import Kernels

public final class Model: @unchecked Sendable {
    public let gguf: GGUFFile
    public let config: ModelConfig
    public let pool: ThreadPool

    enum Weights {
        case deepseek2(DeepSeek2Weights)
        case llama(LlamaWeights)
    }
    let weights: Weights

    public convenience init(path: String, threads: Int) throws {
        try self.init(gguf: try GGUFFile(path: path), threads: threads)
    }

    public init(gguf: GGUFFile, threads: Int) throws {
        self.gguf = gguf
        config = try ModelConfig(gguf: gguf)
        let b = TensorBinder(f: gguf)
        switch config.arch {
        case .deepseek2: weights = .deepseek2(try DeepSeek2Weights(b, config))
        case .llama: weights = .llama(try LlamaWeights(b, config))
        }
        pool = ThreadPool(threads: max(1, threads))
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
