// The session picker's search covers message text: typing asks for a search off the UI thread, the answer adds the
// conversations whose text matched (with a snippet of it), and an answer to an older query is ignored.
import XCTest
import Chat
@testable import TUI

final class PickerContentSearchTests: XCTestCase {
    func testMessageTextMatchesJoinTheTitleMatches() {
        var s = Fixture.state(width: 90, height: 20)
        Fixture.feed(&s, [Fixture.key(.function(2)), .sessions([SessionEntry(id: "a1", title: "Tokenizer notes", messageCount: 4),
                                                               SessionEntry(id: "b2", title: "Fix the build", messageCount: 6)])])
        var fx = Fixture.feed(&s, Fixture.type("m"))
        XCTAssertFalse(fx.contains { if case .searchSessions = $0 { return true }; return false }, "one letter is not searched")
        fx = Fixture.feed(&s, Fixture.type("er"))
        XCTAssertTrue(fx.contains { if case .searchSessions("mer") = $0 { return true }; return false })
        guard case .sessions(let p0) = s.overlay else { return XCTFail() }
        XCTAssertEqual(p0.visible.map(\.id), [])
        Fixture.feed(&s, [.sessionsFound(query: "me", hits: ["a1": "stale"])])
        Fixture.feed(&s, [.sessionsFound(query: "mer", hits: ["b2": "the merge broke the linker"])])
        guard case .sessions(let p) = s.overlay else { return XCTFail() }
        XCTAssertEqual(p.visible.map(\.id), ["b2"])
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("Fix the build  · 6 msgs · “the merge broke the linker”") }, Fixture.screen(s).joined(separator: "\n"))
        // Typing on: the hits of "mer" do not stand for "merx".
        Fixture.feed(&s, Fixture.type("x"))
        guard case .sessions(let p2) = s.overlay else { return XCTFail() }
        XCTAssertEqual(p2.visible.map(\.id), [])
    }
}
