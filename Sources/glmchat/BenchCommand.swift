// `glmchat bench -m M [-p 512] [-n 128] [-d 0] [-t N] [-r 3] [--cache-type T] [--json]`: prefill and decode speed
// (min/median/max tok/s), optionally after `-d` tokens already in the cache (speed at a long context).
import ArgumentParser
import Engine
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure prefill and decode speed.")

    @Option(name: [.short, .customLong("model")], help: "The GGUF model file.") var model: String
    @Option(name: [.short, .customLong("prompt-tokens")], help: "Prompt tokens to prefill.") var p: Int = 512
    @Option(name: [.short, .customLong("gen-tokens")], help: "Tokens to decode.") var n: Int = 128
    @Option(name: [.short, .customLong("depth")], help: "Tokens already in the cache before the timed prefill and decode (prefilled once, not timed).") var depth: Int = 0
    @Option(name: .customLong("cache-type"), help: cacheTypeHelp) var cacheType: String?
    @Flag(help: "deepseek2: attention in llama.cpp's exact float order (its non-flash CPU path) instead of the flash-style kernel.") var exactAttention = false
    @Option(name: [.short, .customLong("threads")], help: "Threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: [.short, .customLong("repetitions")], help: "Repetitions.") var reps: Int = 3
    @Option(help: "Tokens evaluated per prefill batch.") var batch: Int = Session.defaultBatchSize
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Use the weights as the file stores them (no load-time repacking for the SIMD kernels).") var noRepack = false

    struct Stats { let min: Double, median: Double, max: Double }
    static func stats(_ xs: [Double]) -> Stats {
        let s = xs.sorted()
        return Stats(min: s.first ?? 0, median: s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2), max: s.last ?? 0)
    }

    func run() throws {
        guard p >= 1, n >= 0, depth >= 0, threads >= 1, reps >= 1, batch >= 1 else { fail("-p, -t, -r and --batch must be at least 1, -n and -d at least 0") }
        var options = engineOptions(cacheType: cacheType)
        if noRepack { options.repack = false }
        let m = reportingErrors { try Model(path: model, threads: threads, options: options) }
        let c = m.config
        let total = depth + p + n
        guard total <= c.contextLength else { fail("the benchmark needs \(total) tokens of context but the model holds only \(c.contextLength)") }
        let session = reportingErrors { try Session(model: m, contextLength: total, batchSize: batch, exactAttention: exactAttention) }
        // Deterministic pseudo-random prompt tokens (avoiding id 0..<16, often control tokens).
        var rng: UInt64 = 0x1234_5678
        let prompt: [Int] = (0..<depth + p).map { _ in
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return 16 + Int((rng >> 33) % UInt64(max(1, c.vocabSize - 16)))
        }
        var pp: [Double] = [], tg: [Double] = []
        if depth > 0 { _ = reportingErrors { try session.prefill(Array(prompt.prefix(depth))) } }
        for _ in 0..<reps {
            session.truncate(to: depth)
            var t0 = DispatchTime.now().uptimeNanoseconds
            var next = reportingErrors { try session.prefill(prompt, progress: nil) { argmax($0) } }
            pp.append(Double(p) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))
            if n > 0 {
                t0 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<n { next = reportingErrors { try session.decode(next) { argmax($0) } } }
                tg.append(Double(n) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))
            }
        }
        let ps = Self.stats(pp), ts = Self.stats(tg)
        let gbps = ts.median * Double(m.activeWeightBytes) / 1e9
        if json {
            print("""
            {"model": "\(model.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))", "threads": \(threads), "prompt_tokens": \(p), "gen_tokens": \(n), "depth": \(depth), "cache_type": "\(session.cacheType.rawValue)", "repetitions": \(reps), \
            "prefill_tps": {"min": \(ps.min), "median": \(ps.median), "max": \(ps.max)}, \
            "decode_tps": {"min": \(ts.min), "median": \(ts.median), "max": \(ts.max)}, \
            "decode_weight_bytes": \(m.activeWeightBytes), "decode_gbps": \(gbps), "kv_cache_bytes": \(session.cacheBytes), "repacked_bytes": \(m.repackedBytes)}
            """)
        } else {
            print(c.summary)
            print("threads \(threads), \(reps) repetitions, weights read per token \(String(format: "%.1f", Double(m.activeWeightBytes) / 1e6)) MB, \(session.cacheType.rawValue) KV cache \(String(format: "%.1f", Double(session.cacheBytes) / 1e6)) MB for \(total) tokens, \(String(format: "%.1f", Double(m.repackedBytes) / 1e6)) MB of weights repacked at load")
            if depth > 0 { print("after \(depth) tokens in the cache:") }
            print(String(format: "prefill %4d tokens: %8.1f tok/s (min %.1f, max %.1f)", p, ps.median, ps.min, ps.max))
            if n > 0 { print(String(format: "decode  %4d tokens: %8.1f tok/s (min %.1f, max %.1f), %.2f GB/s", n, ts.median, ts.min, ts.max, gbps)) }
        }
    }
}

/// Index of the largest value (first on ties).
func argmax(_ x: UnsafeBufferPointer<Float>) -> Int {
    var best = 0
    for i in x.indices where x[i] > x[best] { best = i }
    return best
}
