// `glmchat bench -m M [-p 512] [-n 128] [-d 0[,4096,...]] [-t N] [-r 3] [--cache-type T] [--json]`: prefill and decode
// speed (min/median/max tok/s), optionally after `-d` tokens already in the cache (speed at a long context), for one
// depth or a sweep of depths in one run.
import ArgumentParser
import Engine
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure prefill and decode speed.")

    @Option(name: [.short, .customLong("model")], help: "The GGUF model file.") var model: String
    @Option(name: [.short, .customLong("prompt-tokens")], help: "Prompt tokens to prefill.") var p: Int = 512
    @Option(name: [.short, .customLong("gen-tokens")], help: "Tokens to decode.") var n: Int = 128
    @Option(name: [.short, .customLong("depth")],
            help: "Tokens already in the cache before the timed prefill and decode (prefilled, not timed); a comma list (0,4096,16384) measures each depth.")
    var depth: String = "0"
    @Option(name: .customLong("cache-type"), help: cacheTypeHelp) var cacheType: String?
    @Flag(help: "deepseek2: attention in llama.cpp's exact float order (its non-flash CPU path) instead of the flash-style kernel.") var exactAttention = false
    @Option(name: [.short, .customLong("threads")], help: "Threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: [.short, .customLong("repetitions")], help: "Repetitions.") var reps: Int = 3
    @Option(help: "Tokens evaluated per prefill batch.") var batch: Int = Session.defaultBatchSize
    @Flag(help: "Print JSON: one object per depth, one per line.") var json = false
    @Flag(help: "Use the weights as the file stores them (no load-time repacking for the SIMD kernels).") var noRepack = false

    struct Stats { let min: Double, median: Double, max: Double }
    static func stats(_ xs: [Double]) -> Stats {
        let s = xs.sorted()
        return Stats(min: s.first ?? 0, median: s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2), max: s.last ?? 0)
    }

    /// The depths of `-d` ("0", "8192", "0,4096,16384"), ascending without repeats, or nil when an item is not a whole
    /// number ≥ 0.
    static func depths(_ text: String) -> [Int]? {
        var out: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let d = Int(item.trimmingCharacters(in: .whitespaces)), d >= 0 else { return nil }
            out.append(d)
        }
        return Array(Set(out)).sorted()
    }

    /// Speeds measured at one depth.
    struct Row { let depth: Int, prefill: Stats, decode: Stats }

    func run() throws {
        guard p >= 1, n >= 0, threads >= 1, reps >= 1, batch >= 1 else { fail("-p, -t, -r and --batch must be at least 1, -n at least 0") }
        guard let depths = Self.depths(depth) else { fail("-d takes whole numbers of at least 0 separated by commas (0,4096,16384), not '\(depth)'") }
        var options = engineOptions(cacheType: cacheType)
        if noRepack { options.repack = false }
        let m = reportingErrors { try Model(path: model, threads: threads, options: options) }
        let c = m.config
        let deepest = depths.last ?? 0
        let total = deepest + p + n
        guard total <= c.contextLength else { fail("the benchmark needs \(total) tokens of context but the model holds only \(c.contextLength)") }
        let session = reportingErrors { try Session(model: m, contextLength: total, batchSize: batch, exactAttention: exactAttention) }
        // Deterministic pseudo-random tokens (avoiding id 0..<16, often control tokens), one stream: depth d's context
        // is its first d tokens and the timed prompt the next p, so each depth extends the cache of the one before.
        var rng: UInt64 = 0x1234_5678
        let stream: [Int] = (0..<deepest + p).map { _ in
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return 16 + Int((rng >> 33) % UInt64(max(1, c.vocabSize - 16)))
        }
        var rows: [Row] = []
        for d in depths {
            // Untimed: the cache holds stream[0..<d] (prefill reuses the cached common prefix of the last depth's run).
            if d > 0 { _ = reportingErrors { try session.prefill(Array(stream.prefix(d))) { argmax($0) } } }
            let prompt = Array(stream.prefix(d + p))
            var pp: [Double] = [], tg: [Double] = []
            for _ in 0..<reps {
                session.truncate(to: d)
                var t0 = DispatchTime.now().uptimeNanoseconds
                var next = reportingErrors { try session.prefill(prompt, progress: nil) { argmax($0) } }
                pp.append(Double(p) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))
                if n > 0 {
                    t0 = DispatchTime.now().uptimeNanoseconds
                    for _ in 0..<n { next = reportingErrors { try session.decode(next) { argmax($0) } } }
                    tg.append(Double(n) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))
                }
            }
            rows.append(Row(depth: d, prefill: Self.stats(pp), decode: Self.stats(tg)))
        }
        let weightGB = Double(m.activeWeightBytes) / 1e9
        if json {
            let path = model.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            for r in rows {
                let ps = r.prefill, ts = r.decode
                print("""
                {"model": "\(path)", "threads": \(threads), "prompt_tokens": \(p), "gen_tokens": \(n), "depth": \(r.depth), "cache_type": "\(session.cacheType.rawValue)", "repetitions": \(reps), \
                "prefill_tps": {"min": \(ps.min), "median": \(ps.median), "max": \(ps.max)}, \
                "decode_tps": {"min": \(ts.min), "median": \(ts.median), "max": \(ts.max)}, \
                "decode_weight_bytes": \(m.activeWeightBytes), "decode_gbps": \(ts.median * weightGB), "kv_cache_bytes": \(session.cacheBytes), "repacked_bytes": \(m.repackedBytes)}
                """)
            }
        } else {
            print(c.summary)
            print("threads \(threads), \(reps) repetitions, weights read per token \(String(format: "%.1f", Double(m.activeWeightBytes) / 1e6)) MB, \(session.cacheType.rawValue) KV cache \(String(format: "%.1f", Double(session.cacheBytes) / 1e6)) MB for \(total) tokens, \(String(format: "%.1f", Double(m.repackedBytes) / 1e6)) MB of weights repacked at load")
            // One row per depth: median tok/s with the min-max range of the repetitions.
            let range = { (s: Stats) in String(format: "%.1f (%.1f-%.1f)", s.median, s.min, s.max) }
            let head = ["prefill \(p) tok/s"] + (n > 0 ? ["decode \(n) tok/s", "decode GB/s"] : [])
            print("depth".leftPad(7) + "  " + head.map { $0.rightPad(28) }.joined().trimmingCharacters(in: .whitespaces))
            for r in rows {
                let cells = [range(r.prefill)] + (n > 0 ? [range(r.decode), String(format: "%.2f", r.decode.median * weightGB)] : [])
                print("\(r.depth)".leftPad(7) + "  " + cells.map { $0.rightPad(28) }.joined().trimmingCharacters(in: .whitespaces))
            }
        }
    }
}

/// Index of the largest value (first on ties).
func argmax(_ x: UnsafeBufferPointer<Float>) -> Int {
    var best = 0
    for i in x.indices where x[i] > x[best] { best = i }
    return best
}
