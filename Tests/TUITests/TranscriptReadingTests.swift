// Reading the transcript (#27): tool output counted and folded in its own lines and wrapped at spaces, long
// messages folded, warnings drawn where they arrived, and the approval panel set aside with Tab to read what is
// behind it (only y/n/r/a/p and its scrolling are its own).
import XCTest
import Chat
@testable import TUI

final class TranscriptReadingTests: XCTestCase {
    /// A conversation whose reply ran `run_command` with `output`.
    func ran(_ output: String, width: Int = 60, height: Int = 30) -> AppState {
        var s = Fixture.state(width: width, height: height)
        let call = ToolCall(id: "c1", name: "run_command", arguments: .object([("command", .string("make"))]))
        s.messages = [Fixture.user("build it"), Message(id: "a1", role: .assistant, content: "", toolCalls: [call], finishReason: .toolCalls, created: nil),
                      .tool(output, callID: "c1", name: "run_command")]
        return s
    }

    func testToolOutputIsCountedInItsOwnLines() {
        // 500 lines, each long enough to wrap at 60 columns: the fold says 497 more lines, not wrapped rows.
        let out = (1...500).map { "line \($0): " + String(repeating: "word ", count: 20) }.joined(separator: "\n")
        var s = ran(out)
        var screen = Fixture.screen(s)
        XCTAssertTrue(screen.contains { $0.contains("└ … 497 more lines (select and press Enter)") }, screen.joined(separator: "\n"))
        XCTAssertTrue(screen.contains { $0.contains("│ line 1: word word") && $0.hasSuffix("…") }, "a folded line keeps one row")
        XCTAssertFalse(screen.contains { $0.contains("line 4:") })
        // Open: every line, wrapped at spaces, its further rows marked.
        s.expanded["a1:tool:c1"] = true
        s.scroll = Int.max; clampScroll(&s)
        screen = Fixture.screen(s)
        let rows = screen.filter { $0.contains("│ ") && $0.contains("word") }
        XCTAssertTrue(rows.contains { $0.contains("│ ↪ word") }, screen.joined(separator: "\n"))
        XCTAssertFalse(rows.contains { $0.contains("wor\n") || $0.hasSuffix(" wo") || $0.hasSuffix(" w") }, "no word cut in two")
    }

    func testToolOutputWrapsAtSpacesAt40Columns() {
        var s = ran("compiling module alpha beta gamma delta epsilon zeta eta theta", width: 40)
        s.expanded["a1:tool:c1"] = true
        let screen = Fixture.screen(s)
        let body = screen.filter { $0.contains("│") }.map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(body.first, "│ compiling module alpha beta gamma")
        XCTAssertEqual(body.dropFirst().first, "│ ↪ delta epsilon zeta eta theta")
    }

    func testALongMessageIsFoldedAndOpens() {
        var s = Fixture.state(width: 80, height: 24)
        let paste = (1...300).map { "pasted line \($0)" }.joined(separator: "\n")
        Fixture.feed(&s, [.paste(paste), Fixture.key(.enter)])
        XCTAssertEqual(s.messages.first?.content, paste, "sent whole")
        var screen = Fixture.screen(s)
        XCTAssertTrue(screen.contains { $0.contains("› pasted line 1") })
        XCTAssertTrue(screen.contains { $0.contains("▸ … 297 more lines, 300 in all (select and press Enter)") }, screen.joined(separator: "\n"))
        XCTAssertFalse(screen.contains { $0.contains("pasted line 4") })
        Fixture.feed(&s, [.backend(.content("ok"), at: 1), .backend(.finished(.stop), at: 1.1)])
        Fixture.feed(&s, [Fixture.key(.tab), Fixture.key(.up), Fixture.key(.enter)])
        XCTAssertEqual(s.expanded[s.messages[0].id], true)
        screen = Fixture.screen(s)
        XCTAssertTrue(screen.contains { $0.contains("pasted line 4") }, screen.joined(separator: "\n"))
        let rows = s.layoutTranscript().rows.map { $0.map(\.text).joined() }
        XCTAssertTrue(rows.contains { $0.contains("pasted line 300") })
        XCTAssertTrue(rows.contains { $0.contains("▾ 300 lines (Enter folds it)") })
    }

    func testAWarningBeforeTheAnswerIsDrawnBeforeIt() {
        var s = Fixture.state(width: 80)
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter)])
        Fixture.feed(&s, [.backend(.warning("early warning"), at: 1), .backend(.content("the answer"), at: 2),
                          .backend(.warning("late warning"), at: 3), .backend(.finished(.stop), at: 4)])
        let screen = Fixture.screen(s)
        let row = { (text: String) in screen.firstIndex { $0.contains(text) } ?? -1 }
        XCTAssertLessThan(row("early warning"), row("the answer"), screen.joined(separator: "\n"))
        XCTAssertLessThan(row("the answer"), row("late warning"))
        XCTAssertGreaterThan(row("early warning"), row("› q"))
    }

    func testAClickSelectsABlockAndOnAHeaderOpensIt() {
        var s = Fixture.state(width: 60, height: 20)
        s.messages = [Fixture.user("why?"), Fixture.assistant("Because of the reasons.", reasoning: "Let me think about it.", reasoningTokens: 5)]
        let screen = Fixture.screen(s)
        let header = try! XCTUnwrap(screen.firstIndex { $0.contains("▸ Thought") }, screen.joined(separator: "\n"))
        let answer = try! XCTUnwrap(screen.firstIndex { $0.contains("Because of the reasons.") })
        Fixture.feed(&s, [.click(x: 10, y: answer)])
        XCTAssertEqual(s.focus, .transcript)
        XCTAssertEqual(s.selectedBlock, "a1")
        Fixture.feed(&s, [.click(x: 10, y: header)])
        XCTAssertEqual(s.selectedBlock, "a1:thinking")
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("Let me think about it.") }, "opened")
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("▾ Thought") })
        // A click on the thinking's text selects it without closing it; one on the header closes it.
        let body = try! XCTUnwrap(Fixture.screen(s).firstIndex { $0.contains("Let me think about it.") })
        Fixture.feed(&s, [.click(x: 10, y: body)])
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("▾ Thought") })
        let h2 = try! XCTUnwrap(Fixture.screen(s).firstIndex { $0.contains("▾ Thought") })
        Fixture.feed(&s, [.click(x: 10, y: h2)])
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("▸ Thought") })
        // The editor takes the focus back; an empty row or a panel does nothing.
        Fixture.feed(&s, [.click(x: 5, y: s.transcriptRows + 1)])
        XCTAssertEqual(s.focus, .input)
        XCTAssertNil(s.selectedBlock)
        s.overlay = .help
        Fixture.feed(&s, [.click(x: 10, y: answer)])
        XCTAssertEqual(s.focus, .input)
    }

    func testANoticeTooLongForTheLineEndsInAnEllipsis() {
        var s = Fixture.state(width: 40)
        s.notice = "compacted 4 messages into a 10-token summary · select it to read or edit (e)"
        let line = Fixture.screen(s)[s.transcriptRows]
        XCTAssertEqual(line, "─ compacted 4 messages into a 10-token …", "cut where the line ends, and says so")
        s.notice = "short"
        XCTAssertTrue(Fixture.screen(s)[s.transcriptRows].hasPrefix("─ short ─"))
    }

    func testTabSetsTheApprovalAsideToReadTheTranscript() {
        var s = ApprovalPanelTests.asking(ApprovalPanelTests.command("make test"), width: 80, height: 24)
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("Esc refuses · Tab reads the transcript behind") },
                      Fixture.screen(s).joined(separator: "\n"))
        XCTAssertFalse(Fixture.screen(s).contains { $0.contains("Enter send") })
        Fixture.feed(&s, [Fixture.key(.tab)])
        guard case .approval(let p) = s.overlay else { return XCTFail("the approval still waits") }
        XCTAssertTrue(p.aside)
        XCTAssertEqual(s.focus, .transcript)
        var screen = Fixture.screen(s)
        XCTAssertFalse(screen.contains { $0.contains("Run a command?") }, "the panel is out of the way")
        XCTAssertTrue(screen.contains { $0.contains("⚠ a tool call waits for your answer: Tab goes back to it") }, screen.joined(separator: "\n"))
        // Reading keys work; answering keys and changes wait.
        Fixture.feed(&s, [Fixture.key(.up), Fixture.key(.pageUp)])
        XCTAssertEqual(s.selectedBlock, s.messages[0].id)
        let fx = Fixture.feed(&s, [Fixture.key(.char("y")), Fixture.key(.char("r"))])
        XCTAssertFalse(fx.contains { if case .runTool = $0 { return true }; return false }, "y copies in the transcript; it never approves from behind")
        XCTAssertEqual(s.notice, "a tool call is waiting for your answer: Tab goes back to it")
        XCTAssertEqual(s.messages.count, 2, "r did not regenerate")
        // Tab brings the panel back, and y answers it there.
        Fixture.feed(&s, [Fixture.key(.tab)])
        screen = Fixture.screen(s)
        XCTAssertTrue(screen.contains { $0.contains("Run a command?") })
        let run = Fixture.feed(&s, [Fixture.key(.char("y"))])
        XCTAssertTrue(run.contains { if case .runTool = $0 { return true }; return false })
    }
}
