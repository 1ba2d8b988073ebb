// The loop guard's detectors: a short unit repeated, a long one (a paragraph), and reasoning that reopens
// after the answer started; varied text passes.
import XCTest
@testable import Chat

final class LoopGuardTests: XCTestCase {
    func testGuardDetectorAndRethinks() {
        var g = LoopGuard()
        XCTAssertNil(g.observe(.content(String(repeating: "varied text with numbers 1 2 3 and more; ", count: 1).appending((0..<300).map { "w\($0) " }.joined()))))
        var h = LoopGuard()
        var tripped: String?
        for _ in 0..<100 where tripped == nil { tripped = h.observe(.content("abc ")) }
        XCTAssertNotNil(tripped)
        var r = LoopGuard()
        XCTAssertNil(r.observe(.reasoning("think")))
        XCTAssertNil(r.observe(.content("answer")))
        XCTAssertNotNil(r.observe(.reasoning("think again")))
        // A long repeated unit (a paragraph) is caught too; three copies are not enough.
        let para = (0..<20).map { "token\($0)" }.joined(separator: " ") + ".\n"
        var p = LoopGuard()
        var results: [String?] = []
        for _ in 0..<5 { results.append(p.observe(.content(para))) }
        XCTAssertNil(results[0] ?? results[1] ?? results[2])
        XCTAssertNotNil(results.compactMap { $0 }.first)
        XCTAssertEqual(LoopGuard.repetition(Array("xyzxyzxyz".unicodeScalars.map(\.value)), { var s = LoopGuard.Settings(); s.minSpan = 9; s.minCopies = 3; return s }())?.period, 3)
    }
}
