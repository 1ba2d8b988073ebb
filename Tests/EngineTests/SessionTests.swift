// Session semantics: batched prefill equals token-by-token decode, prefix reuse equals a fresh session, limits.
import XCTest
@testable import Engine

final class SessionTests: XCTestCase {
    /// The fixture models these tests run on (a quantized MoE GLM layout with K-quants, and llama).
    static let models = ["glm256-q4_k_m.gguf", "glm-v2lite-f32.gguf", "llama-q8_0.gguf", "errors/ok.gguf"]

    /// The fixture models that are present (skips when none is).
    func available() throws -> [(String, Model)] {
        let found = try Self.models.compactMap { f -> (String, Model)? in
            let path = f.hasPrefix("errors/") ? TestData.own(f) : TestData.fixture(f)
            return FileManager.default.fileExists(atPath: path) ? (f, try Model(path: path, threads: 2)) : nil
        }
        if found.count < Self.models.count { print("SessionTests: running on \(found.map { $0.0 })") }
        return found
    }

    func model(_ file: String) throws -> Model {
        let path = file.hasPrefix("errors/") ? TestData.own(file) : TestData.fixture(file)
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("fixture \(file) is missing") }
        return try Model(path: path, threads: 2)
    }

    func tokens(_ n: Int, vocab: Int, seed: UInt64) -> [Int] {
        var s = SeededNumbers(seed: seed)
        return s.tokens(n, below: vocab)
    }

    static func maxRel(_ a: [Float], _ b: [Float]) -> Double {
        var d: Float = 0, r: Float = 0
        for i in a.indices { d = max(d, abs(a[i] - b[i])); r = max(r, abs(b[i])) }
        return Double(d / max(r, 1e-30))
    }

    func testPrefillBatchEqualsSingleDecodes() throws {
        for (file, m) in try available() {
            let v = m.config.vocabSize
            let toks = tokens(40, vocab: v, seed: 11)
            let batched = try Session(model: m, contextLength: 64, batchSize: 64).evaluate(toks)   // one batch of 40
            let s = try Session(model: m, contextLength: 64)
            var worst = 0.0
            for (t, id) in toks.enumerated() {
                let l = try s.decode(id)
                worst = max(worst, Self.maxRel(l, Array(batched[t * v..<(t + 1) * v])))
            }
            print("prefill batch vs single decodes, \(file): max rel \(worst)")
            XCTAssertLessThanOrEqual(worst, 1e-5, file)
            // prefill() returns the last row of the same computation
            let p = try Session(model: m, contextLength: 64, batchSize: 16).prefill(toks)
            XCTAssertLessThanOrEqual(Self.maxRel(p, Array(batched[((toks.count - 1) * v)...])), 1e-5, file)
        }
    }

    func testPrefixReuseEqualsFreshSession() throws {
        for (file, m) in try available() {
            let v = m.config.vocabSize
            let first = tokens(30, vocab: v, seed: 5)
            let second = Array(first.prefix(20)) + tokens(12, vocab: v, seed: 9)
            let s = try Session(model: m, contextLength: 64)
            _ = try s.prefill(first)
            var computed: [Int] = []
            let reused = try s.prefill(second, progress: { p, _ in computed.append(p) })
            XCTAssertEqual(s.tokens, second)
            XCTAssertEqual(computed.first, 20, "\(file): the common prefix of 20 tokens is reused")
            let fresh = try Session(model: m, contextLength: 64).prefill(second)
            XCTAssertLessThanOrEqual(Self.maxRel(reused, fresh), 1e-5, file)
            // same prompt again: only its last token is recomputed, same logits
            computed = []
            let again = try s.prefill(second, progress: { p, _ in computed.append(p) })
            XCTAssertEqual(computed.first, second.count - 1)
            XCTAssertLessThanOrEqual(Self.maxRel(again, fresh), 1e-5, file)
            // truncate then decode equals the fresh computation of the same tokens
            s.truncate(to: 25)
            XCTAssertEqual(s.tokens, Array(second.prefix(25)))
            let afterTruncate = try s.decode(second[25])
            let freshLogits = try Session(model: m, contextLength: 64).evaluate(Array(second.prefix(26)))
            XCTAssertLessThanOrEqual(Self.maxRel(afterTruncate, Array(freshLogits[(25 * v)...])), 1e-5, file)
        }
    }

    func testContextOverflowAndBadTokens() throws {
        let m = try model("errors/ok.gguf")
        let s = try Session(model: m, contextLength: 8)
        XCTAssertThrowsError(try s.prefill(Array(repeating: 1, count: 9))) { e in
            XCTAssertEqual(e as? EngineError, .contextOverflow(needed: 9, limit: 8))
            XCTAssertEqual("\(e)", "the input needs 9 tokens of context but the session holds only 8.")
        }
        XCTAssertThrowsError(try s.decode(-1)) { XCTAssertEqual($0 as? EngineError, .invalidToken(id: -1, vocabSize: 64)) }
        XCTAssertThrowsError(try s.evaluate([64])) { XCTAssertEqual($0 as? EngineError, .invalidToken(id: 64, vocabSize: 64)) }
        XCTAssertEqual(s.tokens.count, 0)
        _ = try s.prefill(Array(repeating: 1, count: 8))
        XCTAssertThrowsError(try s.decode(2)) { XCTAssertEqual($0 as? EngineError, .contextOverflow(needed: 9, limit: 8)) }
        XCTAssertEqual(s.tokens.count, 8)
        XCTAssertThrowsError(try s.prefill([])) { XCTAssertEqual($0 as? EngineError, .emptyInput) }
        XCTAssertThrowsError(try Session(model: m, contextLength: 65))
        XCTAssertEqual(try Session(model: m, contextLength: nil).contextLength, 64)
        XCTAssertEqual(s.cacheBytes, 1 * 8 * (2 * 2 * 8) * 4)   // layers × ctx × (K+V of 2 KV heads × 8) × f32
    }
}
