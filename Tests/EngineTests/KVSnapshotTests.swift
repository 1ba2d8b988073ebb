// KV snapshots: restore + prefill equals the session kept in memory bit for bit; appends, damage, other models, crashes.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GGUF
import TestSupport
import Kernels
import XCTest
@testable import Engine

final class KVSnapshotTests: XCTestCase {
    /// One model and cache kind under test.
    struct Case {
        let name: String
        let model: Model
        let cacheType: EngineOptions.KVCacheType?
        let exact: Bool
        /// The first tokens of the prompt used (in the model's vocabulary).
        let tokens: [Int]
        /// Exact float64 logits of `tokens` (n, vocab) from the committed goldens, when there are some.
        let golden: [Float]?

        func session(context: Int = 256, batch: Int = Session.defaultBatchSize) throws -> Session {
            try Session(model: model, contextLength: context, batchSize: batch, exactAttention: exact, cacheType: cacheType)
        }
    }

    static func manifestTokens(_ name: String) throws -> [Int] {
        guard let m = try TestData.json("manifest.json") as? [String: Any], let models = m["models"] as? [[String: Any]],
              let e = models.first(where: { $0["name"] as? String == name }), let t = e["tokens"] as? [Int] else {
            throw XCTSkip("manifest.json has no \(name)")
        }
        return t
    }

    func glmModel(_ file: String = "glm-f32.gguf") throws -> Model {
        let path = TestData.fixture(file)
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("fixture \(file) is missing") }
        return try Model(path: path, threads: 2)
    }

    /// GLM layout with the default f16 latent cache, with a q8_0 one, with an f32 cache and exact attention, and SmolLM2 (llama, f32 K and V).
    func cases() throws -> [Case] {
        let glm = try glmModel()
        let tokens = try Self.manifestTokens("glm-f32")
        let golden = try TestData.floats("glm-f32.exact.f16", dtype: "f16")
        let smol = try Model(path: try TestData.file("models/SmolLM2-135M-Instruct.Q4_1.gguf"), threads: 2)
        var seeded = SeededNumbers(seed: 42)
        let smolTokens = seeded.tokens(150, below: 49152)
        return [Case(name: "glm f16 cache", model: glm, cacheType: .f16, exact: false, tokens: tokens, golden: golden),
                Case(name: "glm q8_0 cache", model: glm, cacheType: .q8_0, exact: false, tokens: tokens, golden: golden),
                Case(name: "glm f32 cache, exact attention", model: glm, cacheType: nil, exact: true, tokens: tokens, golden: golden),
                Case(name: "SmolLM2 (llama)", model: smol, cacheType: nil, exact: false, tokens: smolTokens, golden: nil)]
    }

    func tempDir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("glmchat-kv-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
        return d
    }

    static func bits(_ a: [Float]) -> [UInt32] { a.map(\.bitPattern) }

    /// The q8_0 cache's bound on the max relative logit error against exact float64 math (measured 1.0e-2 on the
    /// fixture, f16's 2.9e-4; its accuracy as KL divergence is KVCacheAccuracyTests').
    static let q8MaxRel = 2e-2

    static func maxRel(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        var d: Float = 0, r: Float = 0
        for (x, y) in zip(a, b) { d = max(d, abs(x - y)); r = max(r, abs(y)) }
        return Double(d / max(r, 1e-30))
    }

    static func argmax(_ l: [Float]) -> Int { l.indices.max { l[$0] < l[$1] } ?? 0 }

    // MARK: the hash and the identity

    /// XXH64 against values from the reference xxhash library (Python `xxhash` 3.x), in one piece and in many.
    func testXXHash64MatchesReference() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        let reference: [(Int, UInt64, UInt64)] = [
            (0, 0xef46db3751d8e999, 0), (1, 0x1f25c8d0bc1f4bb6, 0x79826bcd749d267a), (3, 0x31d2363f52e564c9, 0x78efd77575e26575),
            (4, 0x9bb64b7d66ee9fda, 0x6f0a6c97d68bf353), (8, 0xdab99d95c6f90092, 0xa2f1e28437a78a1b),
            (31, 0xa2aa5f33cc4a6119, 0x755437271d1d0a84), (32, 0x23c3c17ef790fd97, 0xbf624b932c090428),
            (33, 0x50a7cfc7ba588784, 0x7aceaf1e9d34ea35), (63, 0x5e3e54b431c7493c, 0x2c8ddce5c85d0d9d),
            (64, 0x0eb64b3ef6eeb01f, 0x4af341f14e3a6fc9), (100, 0xa61f8d4c170fe531, 0xf6d8f65c625abb4f),
            (1000, 0x5f235fa033f1a3fb, 0x442acd0a822e86f6),
        ]
        data.withUnsafeBytes { all in
            for (n, want, wantSeeded) in reference {
                let bytes = UnsafeRawBufferPointer(rebasing: all[0..<n])
                XCTAssertEqual(XXHash64.hash(bytes), want, "\(n) bytes")
                if n > 0 { XCTAssertEqual(XXHash64.hash(bytes, seed: 0x9E3779B97F4A7C15), wantSeeded, "\(n) bytes, seeded") }
                for piece in [1, 5, 13, 32, 33] {
                    var h = XXHash64()
                    var at = 0
                    while at < n { let e = min(n, at + piece); h.update(UnsafeRawBufferPointer(rebasing: bytes[at..<e])); at = e }
                    XCTAssertEqual(h.digest(), want, "\(n) bytes in pieces of \(piece)")
                }
            }
        }
        XCTAssertEqual(Array("abc".utf8).withUnsafeBytes { XXHash64.hash($0) }, 0x44bc2cf5ad770999)
    }

    /// A copy of `source` whose tensor data has the lowest byte of every 4 changed (the same size and header).
    func reweighted(_ source: String, in dir: String) throws -> String {
        let f = try GGUFFile(path: source)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
        var i = f.dataOffset
        while i < bytes.count { bytes[i] ^= 1; i += 4 }
        let out = dir + "/reweighted.gguf"
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        return out
    }

    func testModelIdentityTellsFilesApart() throws {
        let dir = try tempDir()
        let a = try glmModel(), again = try glmModel(), q8 = try glmModel("glm-q8_0.gguf")
        let other = try Model(path: try reweighted(TestData.fixture("glm-f32.gguf"), in: dir), threads: 1)
        XCTAssertEqual(a.identity, again.identity)
        var st = stat()
        XCTAssertEqual(stat(TestData.fixture("glm-f32.gguf"), &st), 0)
        XCTAssertEqual(a.identity.fileSize, UInt64(st.st_size))
        XCTAssertNotEqual(a.identity, q8.identity)
        XCTAssertEqual(a.identity.fileSize, other.identity.fileSize)
        XCTAssertEqual(a.identity.headerHash, other.identity.headerHash)
        XCTAssertNotEqual(a.identity.tensorSampleHash, other.identity.tensorSampleHash)
    }

    // MARK: restore equals the session kept in memory

    /// Turn 1 written, turn 2 prefilled: a fresh session restored from the snapshot gives turn 2's logits bit for
    /// bit as the session that never left memory, and as a full prefill split at the same place; and within the
    /// exact float64 reference's tolerance.
    func testRestoreThenPrefillEqualsInMemoryBitForBit() throws {
        let dir = try tempDir()
        for c in try cases() {
            let p1 = Array(c.tokens.prefix(60)), p2 = Array(c.tokens.prefix(100))
            let path = dir + "/\(c.name).kv"
            let a = try c.session()
            _ = try a.prefill(p1)
            XCTAssertEqual(try a.writeSnapshot(to: path).kind, .created)
            let kept = try a.prefill(p2)

            let b = try c.session()
            XCTAssertEqual(try b.restore(from: path, prompt: p2), 60, c.name)
            XCTAssertEqual(b.tokens, p1)
            var computed: [Int] = []
            let restored = try b.prefill(p2, progress: { done, _ in computed.append(done) })
            XCTAssertEqual(computed.first, 60, "\(c.name): only the rest is computed")
            XCTAssertEqual(Self.bits(restored), Self.bits(kept), "\(c.name): restored logits differ from the session kept in memory")
            let full = try c.session(batch: 60).prefill(p2)
            XCTAssertEqual(Self.bits(restored), Self.bits(full), "\(c.name): restored logits differ from a full prefill")
            if let g = c.golden {
                let v = c.model.config.vocabSize
                let rel = Self.maxRel(restored[...], g[(99 * v)..<(100 * v)])
                print("KV snapshot, \(c.name): restored logits vs exact float64 reference, max rel \(rel)")
                // The reference is stored as f16 (relative rounding up to ~5e-4 of the largest logit).
                XCTAssertLessThanOrEqual(rel, [.f16: 3e-3, .q8_0: Self.q8MaxRel][c.cacheType ?? .f32] ?? 1e-3, c.name)
            }

            // A snapshot of the whole prompt: resuming recomputes only its last token, as the session kept in memory does.
            XCTAssertEqual(try a.writeSnapshot(to: path).kind, .appended)
            a.truncate(to: 99)
            let keptLast = try a.prefill(p2)
            let d = try c.session()
            XCTAssertEqual(try d.restore(from: path, prompt: p2), 99, c.name)
            XCTAssertEqual(Self.bits(try d.prefill(p2)), Self.bits(keptLast), c.name)
        }
    }

    /// After a restore, decoding goes on exactly as in the session that wrote the snapshot.
    func testRestoreThenDecodeEqualsInMemory() throws {
        let dir = try tempDir()
        for c in try cases() {
            let p = Array(c.tokens.prefix(80)), path = dir + "/\(c.name).kv"
            let a = try c.session()
            var logits = try a.prefill(p)
            try a.writeSnapshot(to: path)
            var want: [Int] = [], wantLogits: [[UInt32]] = []
            for _ in 0..<8 {
                let t = Self.argmax(logits)
                want.append(t)
                logits = try a.decode(t)
                wantLogits.append(Self.bits(logits))
            }
            let b = try c.session()
            XCTAssertEqual(try b.restore(from: path, prompt: p + [want[0]]), 80, c.name)
            logits = try b.prefill(p + [want[0]])
            var got = [want[0]], gotLogits = [Self.bits(logits)]
            for _ in 1..<8 {
                let t = Self.argmax(logits)
                got.append(t)
                logits = try b.decode(t)
                gotLogits.append(Self.bits(logits))
            }
            XCTAssertEqual(got, want, c.name)
            XCTAssertEqual(gotLogits, wantLogits, "\(c.name): decoded logits differ after a restore")
        }
    }

    /// Appends (three writes, three chunks) restore the same rows as one whole write; diverged tokens rewrite the file.
    func testAppendsEqualAWholeWrite() throws {
        let dir = try tempDir()
        for c in try cases() {
            let grown = dir + "/\(c.name).grown.kv", whole = dir + "/\(c.name).whole.kv"
            let a = try c.session()
            _ = try a.prefill(Array(c.tokens.prefix(40)))
            XCTAssertEqual(try a.writeSnapshot(to: grown).kind, .created)
            _ = try a.prefill(Array(c.tokens.prefix(90)))
            let appended = try a.writeSnapshot(to: grown)
            XCTAssertEqual(appended.kind, .appended)
            var l = try a.prefill(Array(c.tokens.prefix(91)))
            for _ in 0..<5 { l = try a.decode(Self.argmax(l)) }
            XCTAssertEqual(try a.writeSnapshot(to: grown).kind, .appended)
            XCTAssertEqual(try a.writeSnapshot(to: grown).kind, .unchanged)
            XCTAssertEqual(try a.writeSnapshot(to: whole).kind, .created)
            let info = try KVSnapshotInfo(path: grown)
            XCTAssertEqual(info.tokens, a.tokens)
            XCTAssertEqual(try KVSnapshotInfo(path: whole).tokens, a.tokens)
            // The appended file is the whole file's rows in more chunks: same size plus two chunk headers and token-free overhead.
            let layout = info.layout, n = a.tokens.count
            // A key row: 4 or 2 bytes a number, or q8_0's 34 bytes per 32 numbers; values are f32.
            let keyRow = [.f32: layout.keyWidth * 4, .f16: layout.keyWidth * 2, .q8_0: (layout.keyWidth + 31) / 32 * 34][layout.type]!
            let rowBytes = layout.layers * n * (keyRow + layout.valueWidth * 4)
            XCTAssertEqual(try KVSnapshotInfo(path: whole).bytes, 12288 + 56 + 4 * n + rowBytes)
            XCTAssertEqual(info.bytes, 12288 + 3 * 56 + 4 * n + rowBytes)
            XCTAssertEqual(appended.bytesWritten, 56 + 4 * 50 + rowBytes / n * 50 + 48)

            let prompt = a.tokens + [c.tokens[120]]
            let b1 = try c.session(), b2 = try c.session()
            XCTAssertEqual(try b1.restore(from: grown, prompt: prompt), n)
            XCTAssertEqual(try b2.restore(from: whole, prompt: prompt), n)
            XCTAssertEqual(Self.bits(try b1.prefill(prompt)), Self.bits(try b2.prefill(prompt)), c.name)

            // An edit: the tokens no longer extend the file's, so it is rewritten whole.
            a.truncate(to: 30)
            _ = try a.prefill(Array(c.tokens.prefix(30)) + Array(c.tokens[100..<130]))
            XCTAssertEqual(try a.writeSnapshot(to: grown).kind, .created)
            XCTAssertEqual(try KVSnapshotInfo(path: grown).tokens, a.tokens)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }, [])
        }
    }

    /// A whole write of more than `maxChunkTokens` tokens splits into chunks; a restore that stops inside a chunk
    /// loads just that part of it, and equals the session kept in memory truncated there.
    func testLongSnapshotsSpanChunks() throws {
        let dir = try tempDir(), path = dir + "/long.kv"
        let glm = try glmModel()
        var r = SplitMix64(seed: 3)
        let n = 2 * KVSnapshot.maxChunkTokens + 452
        let tokens = (0..<n + 200).map { _ in Int(r.next() % UInt64(glm.config.vocabSize)) }
        let a = try Session(model: glm, contextLength: 4096, cacheType: .f16)
        _ = try a.prefill(Array(tokens.prefix(n)))
        XCTAssertEqual(try a.writeSnapshot(to: path).kind, .created)
        let info = try KVSnapshotInfo(path: path)
        XCTAssertEqual(info.tokens, Array(tokens.prefix(n)))
        XCTAssertEqual(info.bytes, 12288 + 3 * 56 + n * (4 + 3 * 80 * 2), "three chunks of 1024, 1024 and 452 tokens")
        // Resume at the end: the next token decoded after a restore equals the one decoded in memory.
        let next = Array(tokens.prefix(n + 1))
        let b = try Session(model: glm, contextLength: 4096, cacheType: .f16)
        XCTAssertEqual(try b.restore(from: path, prompt: next), n)
        XCTAssertEqual(Self.bits(try b.prefill(next)), Self.bits(try a.decode(tokens[n])))
        // An edit at 1500 (inside chunk 1): 1500 tokens are loaded, the rest computed, as in memory.
        let edited = Array(tokens.prefix(1500)) + Array(tokens[n..<n + 200])
        let c = try Session(model: glm, contextLength: 4096, cacheType: .f16)
        XCTAssertEqual(try c.restore(from: path, prompt: edited), 1500)
        a.truncate(to: 1500)
        XCTAssertEqual(Self.bits(try c.prefill(edited)), Self.bits(try a.prefill(edited)))
    }

    // MARK: damaged and foreign snapshots

    /// Each damage is refused with its reason, the session keeps what it held, and it still computes the reference.
    func testDamagedSnapshotsAreRefusedAndTheSessionStillWorks() throws {
        let dir = try tempDir()
        let glm = try glmModel(), tokens = try Self.manifestTokens("glm-f32")
        let p0 = Array(tokens.prefix(10)), p1 = Array(tokens.prefix(40)), p2 = Array(tokens.prefix(70)), p3 = Array(tokens.prefix(100))
        // Three chunks: 40, 30 and 30 tokens, f16 rows of 3 layers × 80 numbers (GLM fixture: kv_lora 64 + rope 16).
        let good = dir + "/good.kv"
        let a = try Session(model: glm, contextLength: 256, cacheType: .f16)
        _ = try a.prefill(p1); try a.writeSnapshot(to: good)
        _ = try a.prefill(p2); try a.writeSnapshot(to: good)
        _ = try a.prefill(p3); try a.writeSnapshot(to: good)
        let perToken = 3 * 80 * 2
        let chunkStart = [12288, 12288 + 56 + 40 * (4 + perToken), 12288 + 2 * 56 + 70 * (4 + perToken)]
        let counts = [40, 30, 30]
        let rows = (0..<3).map { chunkStart[$0] + 56 + 4 * counts[$0] }
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        XCTAssertEqual(original.count, chunkStart[2] + 56 + 30 * (4 + perToken))

        // The reference: a session that never saw a snapshot. The sessions under test hold p0 before the restore,
        // so every chunk is needed (and checked).
        let prompt = Array(tokens.prefix(120))
        let reference = try Session(model: glm, contextLength: 256, cacheType: .f16)
        _ = try reference.prefill(p0)
        let referenceLogits = Self.bits(try reference.prefill(prompt))

        func variant(_ name: String, _ edit: (inout [UInt8]) -> Void) throws -> String {
            var b = original
            edit(&b)
            let p = dir + "/" + name
            try Data(b).write(to: URL(fileURLWithPath: p))
            return p
        }
        func expectRefused(_ path: String, _ want: KVSnapshotError, into s: Session? = nil, _ label: String) throws {
            let session = try s ?? Session(model: glm, contextLength: 256, cacheType: .f16)
            if session.tokens.isEmpty { _ = try session.prefill(p0) }
            let before = session.tokens
            XCTAssertThrowsError(try session.restore(from: path, prompt: prompt), label) { e in
                XCTAssertEqual(e as? KVSnapshotError, want, label)
                print("KV snapshot refused (\(label)): \(e)")
            }
            XCTAssertEqual(session.tokens, before, "\(label): the session changed")
            XCTAssertEqual(Self.bits(try session.prefill(prompt)), referenceLogits, "\(label): the session no longer computes the reference")
        }

        try expectRefused(try variant("cut.kv") { $0.removeLast(100) }, .truncated(size: original.count - 100, needed: original.count), "truncated")
        try expectRefused(try variant("short.kv") { $0.removeLast($0.count - 5000) }, .truncated(size: 5000, needed: 12288), "cut in the header area")
        for k in 0..<3 {
            try expectRefused(try variant("rows\(k).kv") { $0[rows[k] + 7 + counts[k] * 13] ^= 0x10 }, .damaged(.chunkRows(k)), "a byte of chunk \(k)'s rows")
        }
        try expectRefused(try variant("ids.kv") { $0[chunkStart[1] + 56 + 5] ^= 1 }, .damaged(.chunkTokens(1)), "a token id")
        try expectRefused(try variant("chunkhead.kv") { $0[chunkStart[2] + 20] ^= 1 }, .damaged(.chunkHeader(2)), "a chunk header")
        try expectRefused(try variant("head.kv") { $0[50] ^= 4 }, .damaged(.header), "a byte in the header")
        try expectRefused(try variant("slots.kv") { $0[4096 + 17] ^= 1; $0[8192 + 17] ^= 1 }, .damaged(.commitRecord), "both commit records")
        try expectRefused(try variant("magic.kv") { $0[0] = 0x7F }, .notASnapshot, "not a snapshot")
        try expectRefused(try variant("format.kv") { $0[8] = 9 }, .formatVersion(9), "format version")
        try expectRefused(try variant("engine.kv") { b in
            b[12] = 7
            let sum = b.withUnsafeBytes { XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<72])) }
            withUnsafeBytes(of: sum.littleEndian) { for i in 0..<8 { b[72 + i] = $0[i] } }
        }, .engineVersion(found: 7, current: KVSnapshot.engineVersion), "engine version")

        // The newest commit record torn: the previous one (70 tokens) is still a valid snapshot.
        let torn = try variant("torn.kv") { $0[4096 + 17] ^= 1 }   // the third write went to slot 0 (sequence 3)
        let s = try Session(model: glm, contextLength: 256, cacheType: .f16)
        XCTAssertEqual(try s.restore(from: torn, prompt: prompt), 70)
        XCTAssertEqual(s.tokens, p2)

        // Another model file: another fixture, and the same file with other weights (same size and header).
        for (label, file) in [("another fixture", TestData.fixture("glm-q8_0.gguf")), ("other weights", try reweighted(TestData.fixture("glm-f32.gguf"), in: dir))] {
            let m = try Model(path: file, threads: 2)
            let other = try Session(model: m, contextLength: 256, cacheType: .f16)
            XCTAssertThrowsError(try other.restore(from: good, prompt: prompt), label) { e in
                XCTAssertEqual(e as? KVSnapshotError, .otherModel, label)
                XCTAssertEqual("\(e)", "the KV snapshot was made for another model file.")
            }
            XCTAssertEqual(other.tokens, [])
        }
        // Another cache type: an f32 snapshot into an f16 session.
        let f32 = dir + "/f32.kv"
        let e = try Session(model: glm, contextLength: 256, exactAttention: true)
        _ = try e.prefill(p3); try e.writeSnapshot(to: f32)
        try expectRefused(f32, .cacheType(found: "f32", session: "an f16 cache"), "cache type")
        XCTAssertEqual("\(KVSnapshotError.cacheType(found: "f32", session: "an f16 cache"))",
                       "the KV snapshot was made with an f32 cache; this session keeps an f16 cache.")
        // An f16 snapshot into a q8_0 session, and a q8_0 one into an f16 session.
        let q8 = try Session(model: glm, contextLength: 256, cacheType: .q8_0)
        XCTAssertThrowsError(try q8.restore(from: good, prompt: prompt)) { e in
            XCTAssertEqual(e as? KVSnapshotError, .cacheType(found: "f16", session: "a q8_0 cache"))
            XCTAssertEqual("\(e)", "the KV snapshot was made with an f16 cache; this session keeps a q8_0 cache.")
        }
        XCTAssertEqual(q8.tokens, [])
        let q8Path = dir + "/q8.kv"
        _ = try q8.prefill(p3); try q8.writeSnapshot(to: q8Path)
        XCTAssertEqual(try KVSnapshotInfo(path: q8Path).layout.type, .q8_0)
        try expectRefused(q8Path, .cacheType(found: "q8_0", session: "an f16 cache"), "q8_0 cache type")
        XCTAssertEqual("\(KVSnapshotError.cacheType(found: "q8_0", session: "an f16 cache"))",
                       "the KV snapshot was made with a q8_0 cache; this session keeps an f16 cache.")
        // A file that is missing.
        XCTAssertThrowsError(try s.restore(from: dir + "/none.kv", prompt: prompt)) { e in
            guard case .io? = e as? KVSnapshotError else { return XCTFail("\(e)") }
        }
        // A damaged file is rewritten whole by the next write.
        let damaged = try variant("rewrite.kv") { $0[rows[1] + 3] ^= 1 }
        _ = try a.prefill(prompt)
        XCTAssertEqual(try a.writeSnapshot(to: damaged).kind, .appended, "rows are not reread on append")
        let broken = try variant("rewrite2.kv") { $0[4096 + 17] ^= 1; $0[8192 + 17] ^= 1 }
        XCTAssertEqual(try a.writeSnapshot(to: broken).kind, .created)
        XCTAssertEqual(try KVSnapshotInfo(path: broken).tokens, a.tokens)
    }

    // MARK: crashes

    /// SIGKILL at random moments while a child process restores, extends and rewrites a snapshot: every time, the
    /// file restores to a prefix of the child's token script, as many tokens as it last committed or was committing.
    func testKillNineWhileWritingLeavesAValidSnapshot() throws {
        let dir = try tempDir(), path = dir + "/crash.kv"
        let glm = try glmModel()
        var rng = SplitMix64(seed: 0xC0FFEE)
        var kills = 0, midWrite = 0, restored = 0
        // Token counts the file may hold: the last committed one, plus one being written (empty: no file yet).
        var possible: Set<Int> = []
        for run in 0..<40 {
            let child = try ChildProcess(test: "EngineTests.KVSnapshotTests/testSnapshotChildEntry",
                                         environment: ["GLMCHAT_KV_CHILD": path, "GLMCHAT_KV_SEED": "\(run)", "GLMCHAT_KV_SYNC": run % 4 == 3 ? "1" : "0"])
            while let line = child.readLine(), line != "R" { XCTAssertFalse(line.hasPrefix("E"), "child: \(line)") }
            for _ in 0..<(rng.next() % 20) { _ = child.readLine() }
            usleep(UInt32(rng.next() % 4000))
            child.kill()
            kills += 1
            let reports = child.readRest()
            XCTAssertFalse(reports.contains { $0.hasPrefix("E") }, "child: \(reports.filter { $0.hasPrefix("E") })")
            // "W n": writing a snapshot of n tokens; "C n": committed.
            var writing = false
            for r in reports {
                let f = r.split(separator: " ")
                guard f.count == 2, let n = Int(f[1]) else { continue }
                if f[0] == "W" { possible.insert(n); writing = true }
                if f[0] == "C" { possible = [n]; writing = false }
            }
            if writing { midWrite += 1 }
            guard FileManager.default.fileExists(atPath: path) else { XCTAssertTrue(possible.isEmpty, "a committed snapshot vanished"); continue }
            let info = try KVSnapshotInfo(path: path)
            let script = Self.crashScript(vocab: glm.config.vocabSize)
            XCTAssertEqual(info.tokens, Array(script.prefix(info.tokens.count)), "the snapshot holds tokens the child never had")
            XCTAssertTrue(possible.contains(info.tokens.count), "run \(run): the snapshot holds \(info.tokens.count) tokens, not one of \(possible.sorted())")
            possible = [info.tokens.count]
            // Its rows are right: restoring then prefilling one more token gives the fresh computation's logits.
            let n = info.tokens.count
            guard n > 0 else { continue }
            let prompt = Array(script.prefix(n + 1))
            let s = try Session(model: glm, contextLength: 256, cacheType: .f16)
            // A child that wrote the whole script leaves no token to prefill after it: its last one is recomputed.
            XCTAssertEqual(try s.restore(from: path, prompt: prompt), min(n, prompt.count - 1))
            let got = try s.prefill(prompt)
            let want = try Session(model: glm, contextLength: 256, cacheType: .f16).prefill(prompt)
            XCTAssertLessThanOrEqual(Self.maxRel(got[...], want[...]), 1e-4, "run \(run): restored rows are wrong")
            restored += 1
        }
        print("KV snapshot crash test: \(kills) kills, \(midWrite) during a write, \(restored) restored and checked")
        XCTAssertEqual(kills, 40)
        XCTAssertGreaterThan(restored, 20)
    }

    /// The child side of the crash test (runs only when the test re-executes this binary with GLMCHAT_KV_CHILD).
    func testSnapshotChildEntry() throws {
        let env = ProcessInfo.processInfo.environment
        guard let path = env["GLMCHAT_KV_CHILD"], let seed = env["GLMCHAT_KV_SEED"].flatMap(UInt64.init) else {
            throw XCTSkip("runs only as the child process of the crash test")
        }
        let parent = getppid(), deadline = Date().addingTimeInterval(20)   // never outlive a parent that forgot to kill us
        do {
            let glm = try glmModel()
            let script = Self.crashScript(vocab: glm.config.vocabSize)
            let s = try Session(model: glm, contextLength: 256, cacheType: .f16)
            var rng = SplitMix64(seed: seed)
            if let info = try? KVSnapshotInfo(path: path), info.tokens.count < script.count - 1 {
                _ = try s.restore(from: path, prompt: Array(script.prefix(info.tokens.count + 1)))
            }
            let sync = env["GLMCHAT_KV_SYNC"] == "1"
            reportToParent("R")
            while getppid() == parent && Date() < deadline {
                var n = s.tokens.count + 1 + Int(rng.next() % 24)
                if n > script.count || rng.next() % 6 == 0 { n = 1 + Int(rng.next() % UInt64(max(1, s.tokens.count))) }  // an edit: rewrite
                s.truncate(to: min(n - 1, s.tokens.count))
                _ = try s.prefill(Array(script.prefix(n)))
                reportToParent("W \(n)")
                try s.writeSnapshot(to: path, sync: sync)
                reportToParent("C \(n)")
            }
        } catch {
            reportToParent("E \(error)")
        }
        exit(0)
    }

    /// The tokens the crash child's session holds are always a prefix of this.
    static func crashScript(vocab: Int) -> [Int] {
        var seeded = SeededNumbers(seed: 7)
        return seeded.tokens(250, below: vocab)
    }
}
