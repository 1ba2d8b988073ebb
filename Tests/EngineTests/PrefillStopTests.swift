// A prefill reports its progress after every layer and can be stopped there: the batches completed stay in the
// cache, the next prefill of the same prompt starts after them, and its logits equal an uninterrupted one's.
import XCTest
@testable import Engine

extension SessionTests {
    func testPrefillProgressMovesWithinABatchAndAStopKeepsTheCompletedBatches() throws {
        for (file, m) in try available() {
            let prompt = tokens(40, vocab: m.config.vocabSize, seed: 3)
            let s = try Session(model: m, contextLength: 64, batchSize: 16)
            var reports: [Int] = []
            var asked = 0
            // Stop in the middle of the second batch (after its first layer).
            let stopAt = m.config.blockCount + 2
            XCTAssertThrowsError(try s.prefill(prompt, progress: { d, t in reports.append(d); XCTAssertEqual(t, 40) },
                                               shouldStop: { asked += 1; return asked > stopAt })) { e in
                XCTAssertEqual(e as? EngineError, .stopped(computed: 16), file)
            }
            XCTAssertEqual(s.tokens, Array(prompt.prefix(16)), "\(file): the first batch stays cached")
            XCTAssertEqual(reports, reports.sorted(), file)
            // Within the first batch the report moved layer by layer (a 2-layer fixture reports 8 after its first).
            if m.config.blockCount > 1 { XCTAssertTrue(reports.contains { $0 > 0 && $0 < 16 }, "\(file): \(reports)") }
            var resumedFrom: Int?
            let resumed = try s.prefill(prompt, progress: { d, _ in if resumedFrom == nil { resumedFrom = d } })
            XCTAssertEqual(resumedFrom, 16, file)
            let fresh = try Session(model: m, contextLength: 64, batchSize: 16).prefill(prompt)
            XCTAssertLessThanOrEqual(SessionTests.maxRel(resumed, fresh), 1e-5, file)
        }
    }
}
