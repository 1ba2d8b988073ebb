// What the latent cache's number type costs in accuracy: mean KL divergence of the next-token distributions with
// an f16 and a q8_0 cache against an f32 cache (same kernels) and against exact float64 math (the fixtures'
// committed *.exact goldens), on every GLM test fixture, in float64. The table printed here is docs/PERFORMANCE.md's.
import CKernels
import Foundation
import Kernels
import TestSupport
import XCTest
@testable import Engine

final class KVCacheAccuracyTests: XCTestCase {
    /// Mean over positions of KL(P ‖ Q) = Σ p (log p − log q), P = softmax(ref), Q = softmax(got), in float64.
    static func meanKL(_ ref: [Float], _ got: [Float], vocab: Int) -> Double {
        let kl = positionKL(ref, got, vocab: vocab)
        return kl.reduce(0, +) / Double(kl.count)
    }

    /// KL(P ‖ Q) at each position.
    static func positionKL(_ ref: [Float], _ got: [Float], vocab: Int) -> [Double] {
        func logSoftmax(_ x: ArraySlice<Float>) -> [Double] {
            let m = Double(x.max()!), z = x.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) }
            return x.map { Double($0) - m - Foundation.log(z) }
        }
        return (0..<ref.count / vocab).map { t in
            let lp = logSoftmax(ref[t * vocab..<(t + 1) * vocab]), lq = logSoftmax(got[t * vocab..<(t + 1) * vocab])
            return zip(lp, lq).reduce(0.0) { $0 + Foundation.exp($1.0) * ($1.0 - $1.1) }
        }
    }

    /// The bounds the q8_0 cache must stay within on the F32 fixtures (mean KL in nats; measured 0.7–4.6e-3 there,
    /// f16 1–5e-7). The quantized fixtures are printed only: their random weights sit on Q8 rounding ties of the
    /// activations, so any change moves them (an f16 cache alone is 4e-3–2e-2 from f32 there).
    static let q8BoundVsF32 = 1e-2, q8BoundVsExact = 1e-2

    func testCacheTypesKLDivergenceOnFixtures() throws {
        var checked = 0
        print("fixture | quant | tokens | KL f16 vs f32 | KL q8_0 vs f32 | KL f32 vs exact | KL f16 vs exact | KL q8_0 vs exact")
        for e in try FixtureLogitsTests.entries() {
            let model = try Model(path: TestData.fixture(e.file), threads: 2)
            guard model.config.arch == .deepseek2, let g = e.goldens.first(where: { $0.0 == "exact" }) else { continue }
            let exact = try TestData.floats(g.1, dtype: g.2)
            var logits: [EngineOptions.KVCacheType: [Float]] = [:]
            for type in [EngineOptions.KVCacheType.f32, .f16, .q8_0] {
                let session = try Session(model: model, contextLength: e.tokens.count, batchSize: 64, cacheType: type)
                XCTAssertEqual(session.cacheType, type)
                logits[type] = try session.evaluate(e.tokens)
            }
            let v = e.vocab, f32 = logits[.f32]!, f16 = logits[.f16]!, q8 = logits[.q8_0]!
            let row = [Self.meanKL(f32, f16, vocab: v), Self.meanKL(f32, q8, vocab: v), Self.meanKL(exact, f32, vocab: v),
                       Self.meanKL(exact, f16, vocab: v), Self.meanKL(exact, q8, vocab: v)]
            print("\(e.name) | \(e.quant) | \(e.tokens.count) | " + row.map { String(format: "%.2e", $0) }.joined(separator: " | "))
            guard e.quant == "F32" else { continue }
            XCTAssertLessThanOrEqual(row[1], Self.q8BoundVsF32, "\(e.name): q8_0 cache against the f32 cache")
            XCTAssertLessThanOrEqual(row[4], Self.q8BoundVsExact, "\(e.name): q8_0 cache against exact math")
            // f16 keeps 11 significant bits to q8_0's 8 per block: it must be the closer one.
            XCTAssertLessThan(row[0], row[1], "\(e.name): f16 against q8_0")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0, "no F32 GLM fixture with exact goldens")
    }

    /// What the attention kernel costs: mean KL against exact math with the f16 cache, the AVX2 kernel (f32 products)
    /// next to the AMX one (bf16 hi + lo tiles) where the CPU has it. Only attention differs: the AMX weight kernels
    /// give their scalar twins' bits. On the F32 fixtures the AMX kernel must stay within the AVX2 kernel's error.
    func testAttentionKernelsKLDivergenceOnFixtures() throws {
        let kernels = [EngineOptions(amx: false)] + (EngineOptions().attentionKernel == Int32(CK_MLA_AMX) ? [EngineOptions()] : [])
        print("fixture | quant | " + kernels.map { "KL \($0.attentionKernelName) vs exact" }.joined(separator: " | "))
        for e in try FixtureLogitsTests.entries() {
            guard let g = e.goldens.first(where: { $0.0 == "exact" }) else { continue }
            let exact = try TestData.floats(g.1, dtype: g.2)
            var row: [Double] = []
            for o in kernels {
                let model = try Model(path: TestData.fixture(e.file), threads: 2, options: o)
                guard model.config.arch == .deepseek2 else { break }
                let session = try Session(model: model, contextLength: e.tokens.count, batchSize: 64)
                row.append(Self.meanKL(exact, try session.evaluate(e.tokens), vocab: e.vocab))
            }
            guard !row.isEmpty else { continue }
            print("\(e.name) | \(e.quant) | " + row.map { String(format: "%.2e", $0) }.joined(separator: " | "))
            if e.quant == "F32", row.count == 2 {
                XCTAssertLessThanOrEqual(row[1], 2 * row[0] + 1e-7, "\(e.name): AMX attention against the AVX2 kernel's error")
            }
        }
    }
}
