// `glmchat bench-resume -m M [--depth 8192]`: time to first token resuming a conversation with and without a KV snapshot.
import ArgumentParser
import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct ResumeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-resume",
        abstract: "Measure KV snapshot size and write time, and time to first token resuming with and without one.")

    @Option(name: [.short, .customLong("model")], help: "The GGUF model file.") var model: String
    @Option(help: "Tokens of conversation to resume.") var depth: Int = 8192
    @Option(help: "Tokens appended after the first write, to time an incremental write.") var append: Int = 256
    @Option(name: [.short, .customLong("threads")], help: "Threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Folder for the snapshot file (removed afterwards).") var dir: String = NSTemporaryDirectory()
    @Flag(help: "Print JSON.") var json = false
    @Option(name: .customLong("cache-type"), help: cacheTypeHelp) var cacheType: String?

    func run() throws {
        guard depth >= 2, append >= 1, threads >= 1 else { fail("--depth must be at least 2, --append and -t at least 1") }
        let m = reportingErrors { try Model(path: model, threads: threads, options: engineOptions(cacheType: cacheType)) }
        let c = m.config
        guard depth + append <= c.contextLength else { fail("the benchmark needs \(depth + append) tokens of context but the model holds only \(c.contextLength)") }
        var rng: UInt64 = 0x1234_5678
        let tokens: [Int] = (0..<depth + append).map { _ in
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return 16 + Int((rng >> 33) % UInt64(max(1, c.vocabSize - 16)))
        }
        let prompt = Array(tokens.prefix(depth))
        let path = (dir as NSString).appendingPathComponent("glmchat-bench-resume-\(getpid()).kv")
        defer { unlink(path) }
        func seconds(_ body: () throws -> Void) -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            reportingErrors(body)
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        }
        let identityTime = seconds { _ = ModelIdentity(m.gguf) }
        func newSession() -> Session { reportingErrors { try Session(model: m, contextLength: depth + append) } }

        // Without a snapshot: the whole conversation is prefilled.
        let cold = newSession()
        var reference: [Float] = []
        let full = seconds { reference = try cold.prefill(prompt) }
        // The session kept in memory recomputing the last token: what a restore must give bit for bit.
        cold.truncate(to: depth - 1)
        let kept = reportingErrors { try cold.prefill(prompt) }
        // The snapshot of the first depth − 1 tokens (as a chat saves it before the new message), then an append.
        cold.truncate(to: depth - 1)
        var written: KVSnapshotWrite?
        let write = seconds { written = try cold.writeSnapshot(to: path) }
        let grown = newSession()
        _ = reportingErrors { try grown.restore(from: path, prompt: tokens) }
        _ = reportingErrors { try grown.prefill(tokens) }
        var appended: KVSnapshotWrite?
        let appendTime = seconds { appended = try grown.writeSnapshot(to: path) }
        // Back to the first depth − 1 tokens for the resume (rewritten whole: the appended tokens are not in the prompt).
        _ = reportingErrors { try cold.writeSnapshot(to: path) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0

        // With a snapshot: restore depth − 1 tokens, prefill the last one; warm (file in the page cache) and cold.
        func resume(dropCache: Bool) -> (Double, Double, Int, Bool) {
            if dropCache { evictFromPageCache(path) }
            let s = newSession()
            var logits: [Float] = [], reused = 0
            let t = seconds {
                reused = try s.restore(from: path, prompt: prompt)
                logits = try s.prefill(prompt)
            }
            var d: Float = 0, r: Float = 0
            for i in logits.indices { d = max(d, abs(logits[i] - reference[i])); r = max(r, abs(reference[i])) }
            return (t, Double(d / max(r, 1e-30)), reused, logits.map(\.bitPattern) == kept.map(\.bitPattern))
        }
        let (warm, rel, reused, same) = resume(dropCache: false)
        let (coldRead, _, _, sameCold) = resume(dropCache: true)
        let perK = Double(written?.bytesWritten ?? 0) / Double(depth - 1) * 1024
        let writePerK = write / Double(depth - 1) * 1024
        if json {
            print("""
            {"model": "\(model.replacingOccurrences(of: "\"", with: "\\\""))", "threads": \(threads), "depth": \(depth), "snapshot_bytes": \(size), \
            "bytes_per_1k_tokens": \(Int(perK)), "write_s": \(write), "write_s_per_1k_tokens": \(writePerK), "append_kind": "\(appended.map { "\($0.kind)" } ?? "")", \
            "append_tokens": \(append + 1), "append_s": \(appendTime), "ttft_full_prefill_s": \(full), "ttft_restore_warm_s": \(warm), \
            "ttft_restore_cold_s": \(coldRead), "speedup_warm": \(full / warm), "speedup_cold": \(full / coldRead), "reused_tokens": \(reused), \
            "model_identity_s": \(identityTime), "max_rel_logit_diff_vs_full_prefill": \(rel), "bit_identical_to_kept_session": \(same && sameCold)}
            """)
        } else {
            print(c.summary)
            print("threads \(threads), conversation of \(depth) tokens; snapshot of \(depth - 1) tokens: \(String(format: "%.1f", Double(size) / 1e6)) MB (\(String(format: "%.1f", perK / 1e6)) MB per 1K tokens)")
            print(String(format: "model identity (hashed once at load): %.1f ms", identityTime * 1000))
            print(String(format: "write (whole, fsync):       %7.3f s  (%.3f s per 1K tokens)", write, writePerK))
            print(String(format: "write (append %d tokens, 2 fsyncs): %.3f s", append + 1, appendTime))
            print(String(format: "TTFT full prefill:          %7.3f s", full))
            print(String(format: "TTFT restore + 1 token:     %7.3f s warm, %.3f s with the file out of the page cache", warm, coldRead))
            print(String(format: "speedup: x%.1f warm, x%.1f cold; %d tokens reused", full / warm, full / coldRead, reused))
            print("logits: \(same && sameCold ? "bit for bit" : "NOT bit for bit") those of the session kept in memory; vs the full prefill (last token in a batch, not alone): max rel \(String(format: "%.2e", rel))")
        }
    }
}

/// Drops a file's pages from the page cache (so the next read comes from the disk).
private func evictFromPageCache(_ path: String) {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    fdatasync(fd)
    _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
}
