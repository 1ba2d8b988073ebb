// `glmchat logits -m M --tokens 1,2,3 --out F`: teacher-forced logits at every position, n_tokens × n_vocab float32 LE.
import ArgumentParser
import Engine
import Foundation

struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logits",
        abstract: "Write the logits of every position of a token sequence (n_tokens × n_vocab float32, little-endian).")

    @Option(name: [.short, .customLong("model")], help: "The GGUF model file.") var model: String
    @Option(help: "Comma-separated token ids.") var tokens: String
    @Option(help: "Output file.") var out: String
    @Option(name: [.short, .customLong("threads")], help: "Threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Tokens evaluated per batch.") var batch: Int = 256
    @Flag(help: "deepseek2: attention in llama.cpp's exact float order (its non-flash CPU path) instead of the flash-style kernel.") var exactAttention = false
    @Option(name: .customLong("cache-type"), help: cacheTypeHelp) var cacheType: String?

    func run() throws {
        var ids: [Int] = []
        for part in tokens.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else { fail("--tokens must be comma-separated integers; \"\(part)\" is not one") }
            ids.append(v)
        }
        guard threads > 0 else { fail("--threads must be at least 1") }
        let logits: [Float] = reportingErrors {
            let m = try Model(path: model, threads: threads, options: engineOptions(cacheType: cacheType))
            let s = try Session(model: m, contextLength: max(1, min(ids.count, m.config.contextLength)), batchSize: batch, exactAttention: exactAttention)
            if ids.count > m.config.contextLength { throw EngineError.contextOverflow(needed: ids.count, limit: m.config.contextLength) }
            return try s.evaluate(ids)
        }
        let data = logits.withUnsafeBufferPointer { Data(buffer: $0) }   // little-endian on every supported host
        reportingErrors { try data.write(to: URL(fileURLWithPath: out)) }
    }
}
