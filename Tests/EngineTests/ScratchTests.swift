// A session's working buffers sized for what runs in them: the dense FFN in groups of rows, and the absorbed form's
// buffers only for the batches that attend in it when long batches expand.
import Kernels
import XCTest
@testable import Engine

final class ScratchTests: XCTestCase {
    func model(_ file: String, _ options: EngineOptions = EngineOptions()) throws -> Model {
        let path = TestData.fixture(file)
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("fixture \(file) is missing") }
        return try Model(path: path, threads: 2, options: options)
    }

    /// A batch longer than Scratch.ffnGroup runs the dense FFN group by group: each row comes out as when its group of
    /// rows runs alone (each group reads its own rows of the quantized input and writes its own rows of the output).
    func testDenseFFNRunsInGroupsOfRows() throws {
        let m = try model("glm256-q4_k_m.gguf")
        guard case .deepseek2(let w) = m.weights, let dense = w.layers[0].dense else { return XCTFail("no dense first block") }
        let g = Scratch.ffnGroup, n = g + 44, e = m.config.embeddingLength
        let s = try Session(model: m, contextLength: n, batchSize: n)
        XCTAssertEqual(s.scratch.ffnRows, g)
        var seeded = SeededNumbers(seed: 5)
        let x = seeded.floats(n * e, over: 500)
        func ffn(_ rows: Range<Int>) -> [Float] {
            var out = [Float](repeating: .nan, count: rows.count * e)
            x.withUnsafeBufferPointer { p in
                s.scratch.input.set(p.baseAddress! + rows.lowerBound * e, n: rows.count, cols: e)
                out.withUnsafeMutableBufferPointer { s.ffn(dense, s.scratch.input, n: rows.count, $0.baseAddress!) }
            }
            return out
        }
        let whole = ffn(0..<n), apart = ffn(0..<g) + ffn(g..<n)
        XCTAssertTrue(whole.allSatisfy(\.isFinite))
        XCTAssertTrue(zip(whole, apart).allSatisfy { $0.bitPattern == $1.bitPattern }, "the grouped FFN differs from its groups run alone")
    }

    /// With long batches expanding, the absorbed queries and outputs have room for the batches below the threshold only:
    /// such a batch gives the logits of a session that absorbs every batch, bit for bit, and a long batch after it those
    /// of the absorbed form to float rounding (an F32 model and cache, where the two forms compute the same sums).
    func testAbsorbedBuffersOnlyForShortBatches() throws {
        // off the AMX tiles, where `auto` would keep every batch absorbed
        let auto = try model("glm-f32.gguf", EngineOptions(amx: false, kvCache: .f32))
        let absorbed = try model("glm-f32.gguf", EngineOptions(amx: false, kvCache: .f32, promptAttention: .absorbed))
        let threshold = try XCTUnwrap(auto.options.expandedPromptTokens), batch = threshold + 80
        let a = try Session(model: auto, contextLength: 2 * batch, batchSize: batch)
        let b = try Session(model: absorbed, contextLength: 2 * batch, batchSize: batch)
        XCTAssertEqual(a.scratch.absorbedRows, threshold - 1)
        XCTAssertEqual(b.scratch.absorbedRows, batch)

        var seeded = SeededNumbers(seed: 3)
        let tokens = seeded.tokens(threshold - 1 + batch, below: auto.config.vocabSize)
        let short = Array(tokens.prefix(threshold - 1)), long = Array(tokens.suffix(batch))
        let la = try a.evaluate(short), lb = try b.evaluate(short)
        XCTAssertTrue(zip(la, lb).allSatisfy { $0.bitPattern == $1.bitPattern }, "a short batch's logits differ")
        let ea = try a.evaluate(long), eb = try b.evaluate(long)
        XCTAssertTrue(ea.allSatisfy(\.isFinite))
        XCTAssertLessThan(SessionTests.maxRel(ea, eb), 1e-3, "the expanded long batch strays from the absorbed one")
    }
}
