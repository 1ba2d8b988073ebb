// Fork: from the transcript, the conversation up to the selected message (a reply keeps its tool results) goes into
// a new conversation with new message ids that remembers its origin and is saved at once; /fork copies all of it.
import XCTest
import Chat
@testable import TUI

final class ForkTests: XCTestCase {
    func conversation() -> AppState {
        var s = Fixture.state()
        s.sessionID = "orig"; s.title = "Fix the build"
        var reply = Message(id: "a1", role: .assistant, content: "Let me look.", created: nil)
        reply.toolCalls = [ToolCall(id: "c1", name: "read_file", arguments: .object([]))]
        s.messages = [Fixture.user("why does it fail?", id: "u1"), reply, .tool("main.swift:1", callID: "c1", name: "read_file"),
                      Fixture.assistant("A missing flag.", id: "a2"), Fixture.user("and now?", id: "u2"), Fixture.assistant("Fixed.", id: "a3")]
        return s
    }

    func testForkFromTheSelectedReplyKeepsItsToolResults() {
        var s = conversation()
        s.focus = .transcript
        s.selectedBlock = "a1:tool:c1"
        let fx = Fixture.feed(&s, [Fixture.key(.char("f"))])
        XCTAssertEqual(s.messages.map(\.content), ["why does it fail?", "Let me look.", "main.swift:1"])
        XCTAssertTrue(Set(s.messages.map(\.id)).isDisjoint(with: ["u1", "a1"]), "new ids")
        XCTAssertNil(s.sessionID)
        XCTAssertEqual(s.title, "Fix the build (fork)")
        XCTAssertEqual(s.forkedFrom, ForkOrigin(id: "orig", title: "Fix the build"))
        XCTAssertEqual(s.focus, .input)
        XCTAssertTrue(fx.contains { if case .save(let c, false) = $0 { return c.forkedFrom?.id == "orig" && c.messages.count == 3 && c.id.isEmpty }; return false })
        XCTAssertTrue(fx.contains { if case .keepDraft(_, "orig") = $0 { return true }; return false }, "the original's draft is kept")
    }

    func testSlashForkCopiesAllAndThePickerSaysWhereFrom() {
        var s = conversation()
        Fixture.feed(&s, Fixture.type("/fork") + [Fixture.key(.enter)])
        XCTAssertEqual(s.messages.count, 6)
        XCTAssertEqual(s.notice, "forked: a new conversation with 6 messages; the original is unchanged")
        var p = Fixture.state(width: 100, height: 16)
        p.overlay = .sessions(SessionPicker(all: [SessionEntry(id: "n", title: "Fix the build (fork)", messageCount: 6, forkedFrom: "Fix the build")]))
        XCTAssertTrue(Fixture.screen(p).contains { $0.contains("Fix the build (fork)  · 6 msgs · forked from “Fix the build”") }, Fixture.screen(p).joined(separator: "\n"))
        var busy = conversation()
        Fixture.feed(&busy, Fixture.type("more") + [Fixture.key(.enter)])
        Fixture.feed(&busy, Fixture.type("/fork") + [Fixture.key(.enter)])
        XCTAssertEqual(busy.notice, "stop the reply first (Esc)")
    }
}
