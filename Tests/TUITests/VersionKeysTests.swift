// e, r and ←/→ in the transcript (and /edit, /regen): an edit replaces the message and what followed as a new
// version, a regeneration asks again with the same prompt, the old reply kept; ← shows the first version again.
import XCTest
import Chat
@testable import TUI

final class VersionKeysTests: XCTestCase {
    func sends(_ fx: [Effect]) -> [ChatRequest] { fx.compactMap { if case .send(let r) = $0 { return r }; return nil } }

    func answered(_ s: inout AppState, _ text: String, at t: Double) {
        Fixture.feed(&s, [.backend(.content(text), at: t), .backend(.finished(.stop), at: t + 0.1)])
    }

    func testRegenerateThenSwitchBack() {
        var s = Fixture.state(width: 80, height: 20)
        Fixture.feed(&s, Fixture.type("q1") + [Fixture.key(.enter)])
        answered(&s, "first answer", at: 1)
        Fixture.feed(&s, [Fixture.key(.tab)])   // selects the last block: the reply
        let fx = Fixture.feed(&s, [Fixture.key(.char("r"))])
        XCTAssertEqual(sends(fx).first?.messages.map(\.content), ["q1"], "the same prompt")
        XCTAssertTrue(fx.contains { if case .save(let c, true) = $0 { return c.messages.last?.versions?.others.first?.first?.content == "first answer" }; return false },
                      "saved at once with the earlier reply kept")
        answered(&s, "second answer", at: 2)
        XCTAssertEqual(s.messages.map(\.content), ["q1", "second answer"])
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("a new reply: the earlier one stays as version 1") },
                      "the notice still true once the reply has ended")
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("‹ 2/2 › regenerated — 1 other version") })
        Fixture.feed(&s, [Fixture.key(.left)])
        XCTAssertEqual(s.messages.map(\.content), ["q1", "first answer"])
        Fixture.feed(&s, [Fixture.key(.right)])
        XCTAssertEqual(s.messages.map(\.content), ["q1", "second answer"])
    }

    func testEditReplacesTheTailAsANewVersion() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("q1") + [Fixture.key(.enter)])
        answered(&s, "a1", at: 1)
        Fixture.feed(&s, Fixture.type("q2") + [Fixture.key(.enter)])
        answered(&s, "a2", at: 2)
        Fixture.feed(&s, Fixture.type("/edit") + [Fixture.key(.enter)])
        XCTAssertEqual(s.input.text, "q2")
        s.input.setText("q2, better")
        let fx = Fixture.feed(&s, [Fixture.key(.enter)])
        XCTAssertEqual(sends(fx).first?.messages.map(\.content), ["q1", "a1", "q2, better"])
        XCTAssertEqual(s.messages[2].versions?.others.first?.map(\.content), ["q2", "a2"])
        // Esc leaves an edit without sending.
        var t = Fixture.state()
        Fixture.feed(&t, Fixture.type("q") + [Fixture.key(.enter)])
        answered(&t, "a", at: 1)
        Fixture.feed(&t, Fixture.type("/edit") + [Fixture.key(.enter), Fixture.key(.escape)])
        XCTAssertNil(t.editingMessageID)
        XCTAssertEqual(t.notice, "not editing any more: Enter sends a new message")
    }
}
