// Sampler: greedy, seeded reproducibility, and the candidate sets top-k / top-p / min-p allow.
import XCTest
@testable import Engine

final class SamplerTests: XCTestCase {
    // Logits whose softmax is exactly [0.5, 0.25, 0.125, 0.0625, 0.0625] (ids 3, 0, 4, 1, 2).
    let logits: [Float] = [log(0.25), log(0.0625), log(0.0625), log(0.5), log(0.125)]

    func draws(_ p: SamplerParams, _ n: Int = 2000) -> [Int: Int] {
        var s = Sampler(params: p)
        var c: [Int: Int] = [:]
        for _ in 0..<n { c[s.sample(logits, history: []), default: 0] += 1 }
        return c
    }

    func testGreedy() {
        var s = Sampler(params: .greedy)
        XCTAssertEqual(s.sample(logits, history: []), 3)
        XCTAssertEqual(s.sample([1, 5, 5, 2], history: []), 1, "ties go to the lower id")
    }

    func testSeededRunsRepeat() {
        let p = SamplerParams(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 42)
        var a = Sampler(params: p), b = Sampler(params: p)
        let xs = (0..<100).map { _ in a.sample(logits, history: []) }, ys = (0..<100).map { _ in b.sample(logits, history: []) }
        XCTAssertEqual(xs, ys)
        XCTAssertEqual(Set(xs).count, 5, "all five tokens appear in 100 draws at temperature 1")
    }

    func testFilters() {
        XCTAssertEqual(Set(draws(SamplerParams(temperature: 1, topK: 2, topP: 1, minP: 0)).keys), [3, 0])
        // top-p 0.8: 0.5 + 0.25 = 0.75 < 0.8, so 0.125 is needed too
        XCTAssertEqual(Set(draws(SamplerParams(temperature: 1, topK: 0, topP: 0.8, minP: 0)).keys), [3, 0, 4])
        // min-p 0.2: keep p ≥ 0.1 → 0.5, 0.25, 0.125
        XCTAssertEqual(Set(draws(SamplerParams(temperature: 1, topK: 0, topP: 1, minP: 0.2)).keys), [3, 0, 4])
        // frequencies follow the distribution (0.5 for id 3 within a few percent)
        let c = draws(SamplerParams(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 7), 20000)
        XCTAssertEqual(Double(c[3] ?? 0) / 20000, 0.5, accuracy: 0.02)
        XCTAssertEqual(Double(c[1] ?? 0) / 20000, 0.0625, accuracy: 0.01)
        // a low temperature sharpens towards the best token
        let cold = draws(SamplerParams(temperature: 0.1, topK: 0, topP: 1, minP: 0), 500)
        XCTAssertGreaterThan(cold[3] ?? 0, 490)
    }

    func testPenalties() {
        var s = Sampler(params: SamplerParams(temperature: 0, topP: 1, minP: 0, repeatPenalty: 1.0, presencePenalty: 2))
        XCTAssertEqual(s.sample(logits, history: [3]), 0, "the presence penalty removes the repeated best token's lead")
        var r = Sampler(params: SamplerParams(temperature: 0, topP: 1, minP: 0, repeatPenalty: 4))
        // logit of id 3 is log(0.5) < 0: multiplied by 4 → far lower; id 0 wins
        XCTAssertEqual(r.sample(logits, history: [3]), 0)
        XCTAssertEqual(SamplerParams.glmDefaults.temperature, 1.0)
        XCTAssertEqual(SamplerParams.glmDefaults.topP, 0.95)
        XCTAssertEqual(SamplerParams.glmDefaults.minP, 0.01)
        XCTAssertEqual(SamplerParams.glmDefaults.repeatPenalty, 1.0)
    }
}
