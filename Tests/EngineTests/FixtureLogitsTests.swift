// Seeded random GLM-layout and llama-layout models: teacher-forced logits against llama.cpp and exact float64 math.
import XCTest
@testable import Engine
import Kernels
import GGUF

final class FixtureLogitsTests: XCTestCase {
    struct Entry { let name: String, file: String, quant: String, vocab: Int, tokens: [Int], goldens: [(String, String, String)] }

    static func entries() throws -> [Entry] {
        guard let m = try TestData.json("manifest.json") as? [String: Any], let models = m["models"] as? [[String: Any]] else {
            throw XCTSkip("manifest.json has no models")
        }
        return models.compactMap { e in
            guard let name = e["name"] as? String, let file = e["file"] as? String, let quant = e["quant"] as? String,
                  let vocab = e["n_vocab"] as? Int, let tokens = e["tokens"] as? [Int], let g = e["goldens"] as? [String: [String: String]] else { return nil }
            let goldens = g.keys.sorted().compactMap { k in g[k].flatMap { v in v["file"].map { (k, $0, v["dtype"] ?? "f32") } } }
            return Entry(name: name, file: file, quant: quant, vocab: vocab, tokens: tokens, goldens: goldens)
        }
    }

    /// max over positions of max|Δ|/max|ref|, and top-1 agreement.
    static func compare(_ got: [Float], _ ref: [Float], vocab: Int) -> (rel: Double, worstPos: Int, top1: Double) {
        let n = got.count / vocab
        var worst = 0.0, worstPos = 0, agree = 0
        for t in 0..<n {
            var d: Float = 0, r: Float = 0, ag = t * vocab, ar = t * vocab
            for i in t * vocab..<(t + 1) * vocab {
                d = max(d, abs(got[i] - ref[i])); r = max(r, abs(ref[i]))
                if got[i] > got[ag] { ag = i }
                if ref[i] > ref[ar] { ar = i }
            }
            let rel = Double(d) / Double(max(r, 1e-30))
            if rel > worst { worst = rel; worstPos = t }
            if ag == ar { agree += 1 }
        }
        return (worst, worstPos, Double(agree) / Double(max(n, 1)))
    }

    /// Weights repacked at load (Q4_K → Q4_K_R, Q6_K → Q6_K_R on AVX2) give the same logits bit for bit, and the file is
    /// untouched: with the kernels chosen for this CPU, and with the AVX2 family forced (its Q6_K_R layout).
    func testRepackedWeightsGiveTheSameLogits() throws {
        var checked = 0, repacked = Set<GGMLType>()
        for e in try Self.entries() where e.quant != "F32" {
          for kernels in [EngineOptions.KernelFamily.auto, .avx2] {
            let path = TestData.fixture(e.file)
            let on = EngineOptions(kernels: kernels), off = EngineOptions(kernels: kernels, repack: false)
            repacked.formUnion(try GGUFFile(path: path).tensors.map(\.type).filter { KernelPlan(for: $0, options: on)?.repackTarget != nil })
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let plain = try Model(path: path, threads: 2, options: off), packed = try Model(path: path, threads: 2, options: on)
            XCTAssertEqual(plain.repackedBytes, 0)
            guard packed.repackedBytes > 0 else { continue }
            let tokens = Array(e.tokens.prefix(24))
            for batch in [1, 3, 8] {  // the decode kernel, the packed kernels for 3 and for 4…8 tokens
                let a = try Session(model: plain, contextLength: tokens.count, batchSize: batch).evaluate(tokens)
                let b = try Session(model: packed, contextLength: tokens.count, batchSize: batch).evaluate(tokens)
                XCTAssertEqual(a.count, b.count)
                XCTAssertTrue(zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(e.name) batch \(batch): repacked logits differ")
            }
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "\(e.name): the file changed")
            checked += 1
          }
        }
        for t in [GGMLType.q4_K, .q6_K] where KernelPlan(for: t, options: EngineOptions(kernels: .avx2))?.repackTarget != nil { XCTAssertTrue(repacked.contains(t), "no quantized fixture with \(t.name) weights") }
        XCTAssertEqual(checked > 0, !repacked.isEmpty)
    }

    /// With too little memory for all of them, the tensors that fit are repacked and the rest keep the file's layout:
    /// still the same logits bit for bit.
    func testPartlyRepackedWeightsGiveTheSameLogits() throws {
        guard let e = try Self.entries().first(where: { $0.file.contains("q4_k_m") }), KernelPlan(for: .q4_K, options: EngineOptions())?.repackTarget != nil else {
            throw XCTSkip("no repacked kernels on this CPU")
        }
        let path = TestData.fixture(e.file)
        let whole = try Model(path: path, threads: 2, options: EngineOptions())
        let part = try Model(gguf: try GGUFFile(path: path), threads: 2, options: EngineOptions(), repackBudget: whole.repackedBytes / 2)
        XCTAssertGreaterThan(part.repackedBytes, 0)
        XCTAssertLessThanOrEqual(part.repackedBytes, whole.repackedBytes / 2)
        let plain = try Model(path: path, threads: 2, options: EngineOptions(repack: false))
        let tokens = Array(e.tokens.prefix(16))
        for batch in [1, 8] {
            let a = try Session(model: plain, contextLength: tokens.count, batchSize: batch).evaluate(tokens)
            let b = try Session(model: part, contextLength: tokens.count, batchSize: batch).evaluate(tokens)
            XCTAssertTrue(zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }, "batch \(batch): partly repacked logits differ")
        }
    }

    /// Prefill with two threads runs whole experts per thread (Session+ExpertBatch) where one thread runs them one
    /// after another: the logits of a batch are the same bit for bit.
    func testExpertsPerThreadGiveTheSameLogits() throws {
        var checked = 0
        for e in try Self.entries() where e.quant != "F32" {
            let path = TestData.fixture(e.file)
            let one = try Model(path: path, threads: 1), two = try Model(path: path, threads: 2)
            guard one.config.expertCount >= 8 else { continue }  // 4 busy experts per thread take the per-thread path
            let tokens = Array(e.tokens.prefix(64))
            let a = try Session(model: one, contextLength: tokens.count, batchSize: tokens.count).evaluate(tokens)
            let b = try Session(model: two, contextLength: tokens.count, batchSize: tokens.count).evaluate(tokens)
            XCTAssertEqual(a.count, b.count)
            XCTAssertTrue(zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(e.name): 1 and 2 threads give different logits")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0, "no quantized MoE fixture")
    }

    func testTeacherForcedLogits() throws {
        let entries = try Self.entries()
        XCTAssertFalse(entries.isEmpty)
        for e in entries {
            let model = try Model(path: TestData.fixture(e.file), threads: 2)
            XCTAssertEqual(model.config.vocabSize, e.vocab, e.name)
            let session = try Session(model: model, contextLength: e.tokens.count, batchSize: 64, exactAttention: true)
            let got = try session.evaluate(e.tokens)
            var results: [String: (rel: Double, worstPos: Int, top1: Double)] = [:]
            for (kind, file, dtype) in e.goldens {
                let ref = try TestData.floats(file, dtype: dtype)
                XCTAssertEqual(ref.count, got.count, "\(e.name) \(kind) golden size")
                guard ref.count == got.count else { continue }
                results[kind] = Self.compare(got, ref, vocab: e.vocab)
            }
            let line = results.keys.sorted().map { k in
                String(format: "%@ max rel %.2e (pos %d), top-1 %.1f%%", k, results[k]!.rel, results[k]!.worstPos, 100 * results[k]!.top1)
            }.joined(separator: "; ")
            print("fixture \(e.name) [\(e.quant)]: \(line)")
            if e.quant == "F32" {
                guard let l = results["llamacpp"] else { XCTFail("\(e.name): no llama.cpp golden"); continue }
                XCTAssertLessThanOrEqual(l.rel, 1e-3, "\(e.name): F32 logits differ from llama.cpp")
            } else {
                let best = max(results["llamacpp"]?.top1 ?? 0, results["exact"]?.top1 ?? 0)
                // Issue 3's bar: 97% top-1 for every quantized fixture. The block epilogues round as llama.cpp's x86
                // prompt-batch GEMMs do (repacked Q4_0/IQ4_NL, tiled Q3_K/Q5_K/Q6_K/IQ4_XS): these fixtures sit on exact
                // Q8 rounding ties, so 1-ulp float-order noise once cost up to 1.5e-2 here
                // (Tools/kernels/llamacpp_sensitivity.py shows llama.cpp moving as much against itself).
                let bar = 0.97
                XCTAssertGreaterThanOrEqual(best, bar, "\(e.name): top-1 agreement with the closer reference")
            }
        }
    }

    /// The default (flash-style) attention on the F32 fixtures: with an f32 latent cache, llama.cpp's logits (made
    /// with an f32 KV cache) to float rounding; with the default f16 cache, to the cache's rounding. Prompts of several
    /// query blocks after a cached prefix (batches of 64 over 150 tokens). Quantized fixtures are printed only: they
    /// sit on Q8 rounding ties, where any change of float order moves them (see testTeacherForcedLogits).
    func testFastAttentionMatchesLlamaCpp() throws {
        for e in try Self.entries() {
            let model = try Model(path: TestData.fixture(e.file), threads: 2)
            guard model.config.arch == .deepseek2, let g = e.goldens.first(where: { $0.0 == "llamacpp" }) else { continue }
            for half in [false, true] {
                let session = try Session(model: model, contextLength: e.tokens.count, batchSize: 64, cacheType: half ? .f16 : .f32)
                XCTAssertEqual(session.cacheType, half ? .f16 : .f32)
                let r = Self.compare(try session.evaluate(e.tokens), try TestData.floats(g.1, dtype: g.2), vocab: e.vocab)
                print(String(format: "fast attention, %@ cache, fixture %@ [%@]: llamacpp max rel %.2e, top-1 %.1f%%",
                             half ? "f16" : "f32", e.name, e.quant, r.rel, 100 * r.top1))
                guard e.quant == "F32" else { continue }
                XCTAssertLessThanOrEqual(r.rel, half ? 2e-3 : 1e-5, "\(e.name): F32 logits with the default attention, \(half ? "f16" : "f32") cache")
                if half { XCTAssertGreaterThanOrEqual(r.top1, 0.99, "\(e.name): greedy tokens with an f16 cache") }
            }
        }
    }

    /// The config read from each fixture matches what the generator wrote.
    func testConfigMatchesGenerator() throws {
        guard let m = try TestData.json("manifest.json") as? [String: Any], let models = m["models"] as? [[String: Any]] else { throw XCTSkip("no manifest") }
        for e in models {
            guard let file = e["file"] as? String, let c = e["config"] as? [String: Any], e["arch"] as? String == "deepseek2" else { continue }
            let cfg = try Model(path: TestData.fixture(file), threads: 1).config
            let name = e["name"] as? String ?? file
            if let v = c["n_layer"] as? Int { XCTAssertEqual(cfg.blockCount, v, name) }
            if let v = c["n_head"] as? Int { XCTAssertEqual(cfg.headCount, v, name) }
            if let v = c["kv_lora"] as? Int { XCTAssertEqual(cfg.kvLoraRank, v, name) }
            if let v = c["rope"] as? Int { XCTAssertEqual(cfg.ropeDims, v, name) }
            if let v = c["n_expert"] as? Int { XCTAssertEqual(cfg.expertCount, v, name) }
            if let v = c["n_expert_used"] as? Int { XCTAssertEqual(cfg.expertUsedCount, v, name) }
            if let v = c["n_dense"] as? Int { XCTAssertEqual(cfg.leadingDenseBlocks, v, name) }
            if let v = c["variant"] as? String, v == "sigmoid" || v == "softmax" { XCTAssertEqual(cfg.gating.rawValue, v, name) }
            if let v = c["nextn"] as? Bool, v { XCTAssertGreaterThan(cfg.nextnLayers, 0, name) }
            if let v = c["legacy_kv_b"] as? Bool { XCTAssertEqual(cfg.isMLA, !v, name) }
        }
    }
}
