// Messages typed while a reply streams: queued and shown, sent in order once the reply and its tool calls
// are done, and put back in the editor (never sent, never lost) when the user stops the reply.
import XCTest
import Chat
@testable import TUI

final class QueueTests: XCTestCase {
    func sends(_ effects: [Effect]) -> [ChatRequest] { effects.compactMap { if case .send(let r) = $0 { return r }; return nil } }
    func screen(_ s: AppState) -> [String] {
        var buf = Buffer(width: 0, height: 0)
        render(s, into: &buf)
        return buf.lines
    }

    /// A state with "first" sent and its reply streaming.
    func streaming() -> AppState {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("first") + [Fixture.key(.enter), .backend(.content("partial"), at: 101)])
        XCTAssertNotNil(s.streaming)
        return s
    }

    func testEnterWhileStreamingQueuesShowsAndSendsWhenTheReplyEnds() {
        var s = streaming()
        var fx = Fixture.feed(&s, Fixture.type("second") + [Fixture.key(.enter)])
        XCTAssertTrue(sends(fx).isEmpty, "nothing is sent while the reply streams")
        XCTAssertEqual(s.queued, ["second"])
        XCTAssertTrue(s.input.isEmpty)
        XCTAssertEqual(s.messages.map(\.role), [.user, .assistant], "a queued message is not in the conversation yet")
        XCTAssertTrue(s.notice?.hasPrefix("queued") == true)
        // Shown below the streaming reply, and in the line under the transcript once the notice is gone.
        var rows = screen(s)
        let header = rows.firstIndex { $0.contains("⏳ queued — sent when this reply is done") }
        XCTAssertNotNil(header, rows.joined(separator: "\n"))
        XCTAssertTrue(rows[header! + 1].hasPrefix("  › second"), rows[header! + 1])
        XCTAssertLessThan(rows.firstIndex { $0.contains("partial") } ?? .max, header!)
        Fixture.feed(&s, [Fixture.key(.left)])
        rows = screen(s)
        XCTAssertTrue(rows[s.transcriptRows].contains("1 queued · Esc stops and puts it back in the editor"), rows[s.transcriptRows])

        fx = Fixture.feed(&s, [.backend(.content(" answer"), at: 102), .backend(.finished(.stop), at: 103)])
        let reqs = sends(fx)
        XCTAssertEqual(reqs.count, 1)
        XCTAssertEqual(reqs.first?.messages.map(\.content), ["first", "partial answer", "second"])
        XCTAssertEqual(s.queued, [])
        XCTAssertEqual(s.messages.map(\.role), [.user, .assistant, .user, .assistant])
        XCTAssertNotNil(s.streaming)
        XCTAssertFalse(screen(s).contains { $0.contains("queued") })
    }

    func testSeveralQueuedMessagesGoOneTurnEachInOrder() {
        var s = streaming()
        Fixture.feed(&s, Fixture.type("two") + [Fixture.key(.enter)] + Fixture.type("three") + [Fixture.key(.enter)])
        XCTAssertEqual(s.queued, ["two", "three"])
        Fixture.feed(&s, [Fixture.key(.left)])   // the next key clears the "queued: …" notice
        XCTAssertTrue(screen(s)[s.transcriptRows].contains(" 2 queued · Esc stops and puts them back in the editor "))
        var fx = Fixture.feed(&s, [.backend(.finished(.stop), at: 102)])
        XCTAssertEqual(sends(fx).last?.messages.last?.content, "two")
        XCTAssertEqual(s.queued, ["three"])
        fx = Fixture.feed(&s, [.backend(.content("ok"), at: 103), .backend(.finished(.stop), at: 104)])
        XCTAssertEqual(sends(fx).last?.messages.map(\.content), ["first", "partial", "two", "ok", "three"])
        XCTAssertEqual(s.queued, [])
    }

    func testQueuedWaitsForTheToolRoundTrip() {
        var s = streaming()
        s.toolsNeedApproval = false
        let call = ToolCall(id: "c1", name: "read_file", arguments: .object([("path", .string("a"))]))
        Fixture.feed(&s, Fixture.type("later") + [Fixture.key(.enter)])
        var fx = Fixture.feed(&s, [.backend(.toolCall(call), at: 102), .backend(.finished(.toolCalls), at: 103)])
        XCTAssertTrue(sends(fx).isEmpty)
        XCTAssertEqual(s.runningTool, call)
        XCTAssertEqual(s.queued, ["later"])
        // The tool result goes back to the model first, without the queued message.
        fx = Fixture.feed(&s, [.toolFinished(.tool("data", callID: "c1", name: "read_file"), at: 104)])
        XCTAssertEqual(sends(fx).count, 1)
        XCTAssertEqual(sends(fx).first?.messages.last?.role, .tool)
        XCTAssertEqual(s.queued, ["later"])
        fx = Fixture.feed(&s, [.backend(.content("done"), at: 105), .backend(.finished(.stop), at: 106)])
        XCTAssertEqual(sends(fx).first?.messages.suffix(2).map(\.content), ["done", "later"])
        XCTAssertEqual(s.queued, [])
    }

    func testEscPutsQueuedBackInTheEditorAheadOfTheDraftAndSendsNothing() {
        var s = streaming()
        Fixture.feed(&s, Fixture.type("queued one") + [Fixture.key(.enter)] + Fixture.type("draft"))
        var fx = Fixture.feed(&s, [Fixture.key(.escape)])
        XCTAssertTrue(fx.contains { if case .cancel = $0 { return true }; return false })
        XCTAssertEqual(s.queued, [])
        XCTAssertEqual(s.input.text, "queued one\n\ndraft")
        XCTAssertEqual(s.notice, "the queued message is back in the editor")
        XCTAssertEqual(Snapshot.text(s).split(separator: "\n").first { $0.contains("stopping") }.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " ─|")) },
                       "stopping…; the queued message is back in the editor")
        fx = Fixture.feed(&s, [.backend(.finished(.cancelled), at: 102)])
        XCTAssertTrue(sends(fx).isEmpty)
        XCTAssertEqual(s.messages.map(\.role), [.user, .assistant])
        // Enter then sends the editor's text as one message.
        fx = Fixture.feed(&s, [Fixture.key(.enter)])
        XCTAssertEqual(sends(fx).first?.messages.last?.content, "queued one\n\ndraft")
    }

    func testEnterAfterEscButBeforeTheReplyStopsIsSentOnceItHas() {
        var s = streaming()
        Fixture.feed(&s, [Fixture.key(.escape)] + Fixture.type("after") + [Fixture.key(.enter)])
        XCTAssertEqual(s.queued, ["after"])
        let fx = Fixture.feed(&s, [.backend(.finished(.cancelled), at: 102)])
        XCTAssertEqual(sends(fx).first?.messages.last?.content, "after")
    }

    func testCtrlCPutsQueuedBackAndWhatIsLeftIsReportedAtQuit() {
        var s = streaming()
        Fixture.feed(&s, Fixture.type("keep me") + [Fixture.key(.enter)])
        XCTAssertEqual(s.unsentText, "keep me")
        var fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertTrue(fx.contains { if case .cancel = $0 { return true }; return false })
        XCTAssertEqual(s.input.text, "keep me")
        XCTAssertEqual(s.notice, "the queued message is back in the editor")
        // Pressed again at once it quits, though the editor has text: that text is what is printed at exit.
        fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertTrue(fx.contains { if case .quit = $0 { return true }; return false })
        XCTAssertEqual(s.unsentText, "keep me")
    }

    func testStoppingToolCallsPutsQueuedBack() {
        var s = streaming()
        s.toolsNeedApproval = false
        let call = ToolCall(id: "c1", name: "sleep", arguments: .object([]))
        Fixture.feed(&s, Fixture.type("next") + [Fixture.key(.enter), .backend(.toolCall(call), at: 102), .backend(.finished(.toolCalls), at: 103)])
        XCTAssertEqual(s.runningTool, call)
        Fixture.feed(&s, [Fixture.key(.escape)])
        XCTAssertEqual(s.input.text, "next")
        XCTAssertEqual(s.notice, "tool calls stopped; the queued message is back in the editor")
        let fx = Fixture.feed(&s, [.toolFinished(.tool("interrupted", callID: "c1", name: "sleep"), at: 104)])
        XCTAssertTrue(sends(fx).isEmpty)
        XCTAssertFalse(s.isBusy)
    }

    func testAFailedReplyPutsQueuedBackInsteadOfRepeatingTheFailure() {
        var s = streaming()
        Fixture.feed(&s, Fixture.type("retry this") + [Fixture.key(.enter)])
        let fx = Fixture.feed(&s, [.backend(.failed("connection refused"), at: 102)])
        XCTAssertTrue(sends(fx).isEmpty)
        XCTAssertEqual(s.queued, [])
        XCTAssertEqual(s.input.text, "retry this")
        XCTAssertEqual(s.notice, "the reply failed; the queued message is back in the editor")
    }

    func testApprovalPromptHoldsTheQueue() {
        var s = streaming()
        let call = ToolCall(id: "c1", name: "write_file", arguments: .object([]))
        Fixture.feed(&s, Fixture.type("then") + [Fixture.key(.enter), .backend(.toolCall(call), at: 102)])
        var fx = Fixture.feed(&s, [.backend(.finished(.toolCalls), at: 103)])
        XCTAssertEqual(s.overlay, .approval(ApprovalPanel(Fixture.request(call))))
        XCTAssertTrue(sends(fx).isEmpty)
        // Refusing sends the refusal back to the model first; the queued message follows that reply.
        fx = Fixture.feed(&s, Fixture.type("n"))
        XCTAssertEqual(sends(fx).first?.messages.last?.role, .tool)
        XCTAssertEqual(s.queued, ["then"])
    }
}
