// Model config rules that no fixture exercises directly.
import XCTest
@testable import Engine

final class ConfigTests: XCTestCase {
    func testMissingGatingKeyRule() {
        XCTAssertEqual(ModelConfig.defaultGating(blockCount: 47, vocabSize: 154880), .sigmoid)   // GLM-4.7-Flash
        XCTAssertEqual(ModelConfig.defaultGating(blockCount: 48, vocabSize: 154880), .sigmoid)   // with its MTP block
        XCTAssertEqual(ModelConfig.defaultGating(blockCount: 27, vocabSize: 102400), .softmax)   // DeepSeek-V2-Lite
        XCTAssertEqual(ModelConfig.defaultGating(blockCount: 47, vocabSize: 320), .softmax)
    }

    func testRopeMatchesGGMLCache() {
        // pos 3, base 10000, 4 dims: theta_i = 3 · 10000^(-2i/4) accumulated in float as ggml does.
        let r = Rope(RopeParams(dims: 4, base: 10000, freqScale: 1, extFactor: 0, attnFactor: 1, betaFast: 32, betaSlow: 1, origContext: 4096))
        var cache = [Float](repeating: 0, count: 4)
        cache.withUnsafeMutableBufferPointer { r.fillCache(pos: 3, $0.baseAddress!) }
        let t1 = Float(3) * powf(10000, -0.5)
        XCTAssertEqual(cache[0], cosf(3)); XCTAssertEqual(cache[1], sinf(3))
        XCTAssertEqual(cache[2], cosf(t1), accuracy: 1e-7); XCTAssertEqual(cache[3], sinf(t1), accuracy: 1e-7)
    }

    func testDecodePartsGrowWithTheKeys() {
        // 2 threads, at most 8 parts: one per thread until each of more parts holds 8 blocks of 64 keys.
        XCTAssertEqual(Session.decodeParts(len: 1, most: 8, threads: 2), 1)          // one block: one part
        XCTAssertEqual(Session.decodeParts(len: 100, most: 8, threads: 2), 2)
        XCTAssertEqual(Session.decodeParts(len: 1024, most: 8, threads: 2), 2)
        XCTAssertEqual(Session.decodeParts(len: 1600, most: 8, threads: 2), 3)       // 25 blocks
        XCTAssertEqual(Session.decodeParts(len: 8192, most: 8, threads: 2), 8)
        XCTAssertEqual(Session.decodeParts(len: 200_000, most: 8, threads: 2), 8)
        XCTAssertEqual(Session.decodeParts(len: 8192, most: 1, threads: 1), 1)       // one thread: one part
    }

    func testDecodePartsShrinkAlongTheOrder() {
        // 128 blocks in 8 parts: sizes in proportion to 8, 7, …, 1 (sum 36), each boundary rounded down.
        let starts = (0...8).map { Session.decodePartStart($0, blocks: 128, parts: 8) }
        XCTAssertEqual(starts, [0, 28, 53, 74, 92, 106, 117, 124, 128])
        // Too few blocks for the smallest part to hold 2: equal parts, as before.
        XCTAssertEqual((0...8).map { Session.decodePartStart($0, blocks: 64, parts: 8) }, [0, 8, 16, 24, 32, 40, 48, 56, 64])
        XCTAssertEqual((0...2).map { Session.decodePartStart($0, blocks: 5, parts: 2) }, [0, 2, 5])
        // Every part starts after the one before it, and the last ends at the last block.
        for blocks in [16, 25, 72, 128, 513, 3200] {
            let parts = Session.decodeParts(len: blocks * 64, most: 8, threads: 2)
            let s = (0...parts).map { Session.decodePartStart($0, blocks: blocks, parts: parts) }
            XCTAssertEqual(s.first, 0)
            XCTAssertEqual(s.last, blocks)
            XCTAssertTrue(zip(s, s.dropFirst()).allSatisfy { $0 < $1 }, "\(blocks) blocks: \(s)")
        }
    }
}
