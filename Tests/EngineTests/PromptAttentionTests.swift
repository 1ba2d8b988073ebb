// deepseek2's two forms of prompt attention (EngineOptions.PromptAttention): the expanded form (the cache expanded per
// batch into per-head keys and values) against exact float64 math on the fixtures, next to the absorbed form, and
// against llama.cpp's float order (Session.exactAttention) on a prompt long enough for several chunks of keys and
// batches after a cached prefix.
import Kernels
import TestSupport
import XCTest
@testable import Engine

final class PromptAttentionTests: XCTestCase {
    static let absorbed = EngineOptions(promptAttention: .absorbed), expanded = EngineOptions(promptAttention: .expanded)

    /// Mean KL divergence against the fixtures' exact goldens, both forms, batches of 64. On the F32 fixtures (k_b and
    /// v_b kept in f32, an f32 cache) the expanded form must stay within the absorbed form's error: only the order of
    /// sums differs. Quantized fixtures are printed: there the expansion multiplies q8-quantized latents by q8_0 k_bᵀ
    /// where the absorbed form quantizes the queries.
    func testKLDivergenceAgainstExactMath() throws {
        var checked = 0
        print("fixture | quant | KL absorbed vs exact | KL expanded vs exact")
        for e in try FixtureLogitsTests.entries() {
            guard let g = e.goldens.first(where: { $0.0 == "exact" }) else { continue }
            let exact = try TestData.floats(g.1, dtype: g.2)
            var row: [Double] = []
            for o in [Self.absorbed, Self.expanded] {
                let model = try Model(path: TestData.fixture(e.file), threads: 2, options: o)
                guard case .deepseek2(let w) = model.weights, model.config.isMLA else { break }  // legacy kv_b: absorbed only
                XCTAssertEqual(w.layers[0].kBT != nil, o == Self.expanded, "\(e.name): k_b transposed only when expanding")
                let session = try Session(model: model, contextLength: e.tokens.count, batchSize: 64, cacheType: .f32)
                row.append(KVCacheAccuracyTests.meanKL(exact, try session.evaluate(e.tokens), vocab: e.vocab))
            }
            guard row.count == 2 else { continue }
            print("\(e.name) | \(e.quant) | " + row.map { String(format: "%.2e", $0) }.joined(separator: " | "))
            guard e.quant == "F32" else { continue }
            XCTAssertLessThanOrEqual(row[1], 1.5 * row[0] + 1e-9, "\(e.name): expanded attention against the absorbed form's error")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0, "no F32 GLM fixture with k_b and exact goldens")
    }

    /// 600 tokens in batches of 256 (three chunks of keys, batches after a prefix, a last short batch) on the F32
    /// fixture: both forms against llama.cpp's exact float order, to float rounding.
    func testLongPromptAgainstExactAttention() throws {
        guard let e = try FixtureLogitsTests.entries().first(where: { $0.quant == "F32" && $0.file.contains("glm-f32") }) else {
            throw XCTSkip("no glm-f32 fixture")
        }
        var x: UInt64 = 7  // a fixed LCG: the same tokens every run
        let tokens = (0..<600).map { _ in x = x &* 6364136223846793005 &+ 1442695040888963407; return Int(x >> 33) % e.vocab }
        let ref = try Session(model: try Model(path: TestData.fixture(e.file), threads: 2), contextLength: tokens.count,
                              batchSize: 256, exactAttention: true).evaluate(tokens)
        for o in [Self.absorbed, Self.expanded] {
            let model = try Model(path: TestData.fixture(e.file), threads: 2, options: o)
            guard case .deepseek2(let w) = model.weights else { return XCTFail("\(e.name) is not deepseek2") }
            XCTAssertEqual(w.layers[0].kBT != nil, o == Self.expanded)
            let got = try Session(model: model, contextLength: tokens.count, batchSize: 256, cacheType: .f32).evaluate(tokens)
            let kl = KVCacheAccuracyTests.meanKL(ref, got, vocab: e.vocab)
            let rel = zip(ref, got).map { abs($0 - $1) / max(abs($0), 1) }.max()!
            print(String(format: "%@ prompt attention, 600 tokens: KL %.2e, max rel %.2e against exact attention", o.promptAttention.rawValue, kl, rel))
            XCTAssertLessThan(rel, 1e-4, "\(o.promptAttention): logits against llama.cpp's float order")
        }
    }

    /// `auto` keeps the absorbed form (see EngineOptions.PromptAttention); `expanded` expands any batch of 2 or more.
    func testChoiceOfForm() {
        XCTAssertFalse(EngineOptions().expandsPromptAttention(tokens: 4096))
        XCTAssertFalse(EngineOptions().mayExpandPromptAttention)
        XCTAssertFalse(Self.expanded.expandsPromptAttention(tokens: 1))
        XCTAssertTrue(Self.expanded.expandsPromptAttention(tokens: 2))
        XCTAssertFalse(Self.absorbed.expandsPromptAttention(tokens: 4096))
    }
}
