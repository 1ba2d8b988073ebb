// Regressions from issue #27: search moves the selection and wraps; footers follow the state; Ctrl-C's order and
// its quit window; every text field edits alike; leaving, deleting and Ctrl-T keep conversations and settings apart.
import XCTest
import Chat
@testable import TUI

final class Issue27Tests: XCTestCase {
    /// Ten turns; answers 0, 3, 6 and 9 hold "needle".
    func haystack() -> AppState {
        var s = Fixture.state(width: 60, height: 10)
        s.messages = (0..<10).flatMap { i in [Fixture.user("question \(i)", id: "u\(i)"), Fixture.assistant(i % 3 == 0 ? "needle \(i)" : "hay \(i)", id: "a\(i)")] }
        return s
    }

    func separator(_ s: AppState) -> String {
        let lines = Snapshot.text(s).split(separator: "\n")
        return String(lines[s.transcriptRows]).trimmingCharacters(in: CharacterSet(charactersIn: " ─|"))
    }

    func copies(_ fx: [Effect]) -> [String] { fx.compactMap { if case .copy(let t) = $0 { return t }; return nil } }

    func testSearchSelectsTheMatchedBlockSoYCopiesIt() {
        var s = haystack()
        Fixture.feed(&s, [Fixture.key(.tab), Fixture.key(.up), Fixture.key(.up), Fixture.key(.up)])
        XCTAssertEqual(s.selectedBlock, "u8")
        Fixture.feed(&s, [Fixture.key(.char("/"))] + Fixture.type("needle") + [Fixture.key(.enter)])
        XCTAssertEqual(s.selectedBlock, "a9")
        XCTAssertEqual(copies(Fixture.feed(&s, Fixture.type("y"))), ["needle 9"])
        Fixture.feed(&s, Fixture.type("n"))
        XCTAssertEqual(copies(Fixture.feed(&s, Fixture.type("y"))), ["needle 6"])
        // The selection is drawn on the match's row, which is on screen.
        let screen = Snapshot.text(s)
        XCTAssertTrue(screen.contains("▌ needle 6"), screen)
    }

    func testSearchWrapsAroundAndShowsWhereItIs() {
        var s = haystack()
        Fixture.feed(&s, [Fixture.key(.tab), Fixture.key(.char("/"))] + Fixture.type("needle") + [Fixture.key(.enter)])
        XCTAssertEqual(separator(s), "/needle  1/4  n/N next/previous")
        Fixture.feed(&s, Fixture.type("nnn"))
        XCTAssertEqual(s.selectedBlock, "a0")
        XCTAssertEqual(separator(s), "/needle  4/4  n/N next/previous")
        Fixture.feed(&s, Fixture.type("n"))
        XCTAssertEqual(s.selectedBlock, "a9")
        XCTAssertEqual(separator(s), "/needle  1/4  n/N next/previous  search wrapped")
        Fixture.feed(&s, Fixture.type("N"))
        XCTAssertEqual(s.selectedBlock, "a0", "N wraps from the newest to the oldest")
        XCTAssertEqual(separator(s), "/needle  4/4  n/N next/previous  search wrapped")
        Fixture.feed(&s, Fixture.type("N"))
        XCTAssertEqual(separator(s), "/needle  3/4  n/N next/previous")
    }

    func testLeavingTheTranscriptEndsTheSearch() {
        for leave in [Fixture.key(.tab), Fixture.key(.escape)] {
            var s = haystack()
            Fixture.feed(&s, [Fixture.key(.tab), Fixture.key(.char("/"))] + Fixture.type("needle") + [Fixture.key(.enter)])
            Fixture.feed(&s, [leave])
            if s.focus == .transcript { Fixture.feed(&s, [leave]) }   // Esc: first the search, then the transcript
            XCTAssertEqual(s.focus, .input)
            XCTAssertNil(s.search)
            XCTAssertFalse(separator(s).contains("needle"), separator(s))
        }
    }

    func testStoppingIsShownOnlyUntilTheReplyHasStopped() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter), .backend(.content("partial"), at: 1), Fixture.key(.escape)])
        XCTAssertEqual(separator(s), "stopping…")
        Fixture.feed(&s, [.backend(.finished(.cancelled), at: 2)])
        XCTAssertFalse(separator(s).contains("stopping"), separator(s))
    }

    func testCtrlCClearsTheEditorThenStopsThenArmsQuitForTwoSeconds() {
        var s = Fixture.state()
        s.now = 100
        Fixture.feed(&s, Fixture.type("q") + [Fixture.key(.enter)] + Fixture.type("draft"))
        var fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertTrue(fx.isEmpty, "only the editor is cleared: \(fx)")
        XCTAssertTrue(s.input.isEmpty)
        XCTAssertNotNil(s.streaming)
        XCTAssertEqual(separator(s), "input cleared (Up brings it back)")
        fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertTrue(fx.contains { if case .cancel = $0 { return true }; return false })
        XCTAssertFalse(fx.contains { if case .quit = $0 { return true }; return false })
        XCTAssertEqual(separator(s), "stopping…; press Ctrl-C again to quit")
        Fixture.feed(&s, [.backend(.finished(.cancelled), at: 101), .tick(102.5)])
        XCTAssertEqual(separator(s), "Enter send · Alt-Enter newline · Tab transcript · F1 help", "stopped, and the arm has expired")
        fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertTrue(fx.isEmpty)
        XCTAssertEqual(separator(s), "press Ctrl-C again to quit")
        // The arm expires after two seconds, hint and all.
        Fixture.feed(&s, [.tick(104.6)])
        XCTAssertEqual(separator(s), "Enter send · Alt-Enter newline · Tab transcript · F1 help")
        fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertFalse(fx.contains { if case .quit = $0 { return true }; return false })
        Fixture.feed(&s, [.tick(105)])
        fx = Fixture.feed(&s, [Fixture.key(.ctrl("c"))])
        XCTAssertTrue(fx.contains { if case .quit = $0 { return true }; return false })
        // The cleared text is the newest history entry.
        var s2 = Fixture.state()
        Fixture.feed(&s2, Fixture.type("draft") + [Fixture.key(.ctrl("c")), Fixture.key(.up)])
        XCTAssertEqual(s2.input.text, "draft")
    }

    /// Applied to "one two three" with the caret at its end.
    let edits: [Event] = [Fixture.key(.ctrl("a")), Fixture.key(.char("f"), alt: true), Fixture.key(.ctrl("k"))] + Fixture.type(" 2 3 4")
        + [Fixture.key(.ctrl("w")), Fixture.key(.char("b"), alt: true), Fixture.key(.left), Fixture.key(.backspace), Fixture.key(.delete),
           Fixture.key(.right)] + Fixture.type("x") + [Fixture.key(.ctrl("e"))] + Fixture.type("!")
        + [Fixture.key(.char("b"), alt: true), Fixture.key(.left), Fixture.key(.ctrl("u"))] + Fixture.type("<")
    /// What `edits` leaves, worked out by hand: "one" → "one 2 3 4" → "one 2 3 " → caret before "3", then after "2" →
    /// "one  3 " → "one 3 " → "one 3x " → "one 3x !" → caret after "x" → " !" → "< !".
    let edited = "< !"

    func testEveryTextFieldEditsWithTheSameKeys() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("one two three") + edits)
        XCTAssertEqual(s.input.text, edited)

        s = Fixture.state()
        Fixture.feed(&s, [Fixture.key(.tab), Fixture.key(.char("/"))] + Fixture.type("one two three") + edits)
        XCTAssertEqual(s.search?.query, edited)

        s = Fixture.state()
        Fixture.feed(&s, [Fixture.key(.function(2)), .sessions([SessionEntry(id: "s1", title: "t")])] + Fixture.type("one two three") + edits)
        guard case .sessions(var p) = s.overlay else { return XCTFail("picker closed") }
        XCTAssertEqual(p.query, edited)

        s = Fixture.state()
        Fixture.feed(&s, [Fixture.key(.function(2)), .sessions([SessionEntry(id: "s1", title: "one two three")]), Fixture.key(.function(2))] + edits)
        guard case .sessions(let q) = s.overlay else { return XCTFail("picker closed") }
        p = q
        XCTAssertEqual(p.renaming, edited)
        // Ctrl-U empties it.
        Fixture.feed(&s, [Fixture.key(.ctrl("e")), Fixture.key(.ctrl("u"))])
        guard case .sessions(let r) = s.overlay else { return XCTFail("picker closed") }
        XCTAssertEqual(r.renaming, "")
    }

    func testDeletingTheOpenConversationStartsAnEmptyOne() {
        var s = Fixture.state()
        Fixture.feed(&s, [.sessionLoaded(StoredConversation(id: "s1", title: "Old", messages: [Fixture.user("hi"), Fixture.assistant("hello")]))])
        Fixture.feed(&s, [Fixture.key(.function(2)), .sessions([SessionEntry(id: "s1", title: "Old")])])
        let fx = Fixture.feed(&s, [Fixture.key(.delete)] + Fixture.type("y"))
        XCTAssertTrue(fx.contains { if case .deleteSession("s1") = $0 { return true }; return false })
        XCTAssertNil(s.sessionID)
        XCTAssertTrue(s.messages.isEmpty)
        XCTAssertEqual(s.title, "")
        // What is sent next starts a conversation of its own.
        Fixture.feed(&s, [Fixture.key(.escape)] + Fixture.type("new"))
        let saves = Fixture.feed(&s, [Fixture.key(.enter)]).compactMap { if case .save(let c, _) = $0 { return c }; return nil }
        XCTAssertEqual(saves.map(\.id), [""])
        XCTAssertEqual(saves.first?.messages.map(\.content), ["new"])
    }

    func testCtrlTIsAViewToggleAndSavesNothing() {
        var s = Fixture.state()
        s.messages = [Fixture.user("q"), Fixture.assistant("a", reasoning: "hmm")]
        let fx = Fixture.feed(&s, [Fixture.key(.ctrl("t"))])
        XCTAssertTrue(fx.isEmpty, "\(fx)")
        XCTAssertTrue(s.layoutTranscript().blocks.first { $0.kind == .thinking }!.open)
        XCTAssertFalse(s.settings.expandThinking)
        // The settings panel's row is the saved default; changing it takes over the view.
        Fixture.feed(&s, [Fixture.key(.function(3)), Fixture.key(.down), Fixture.key(.down)])
        XCTAssertEqual(Fixture.feed(&s, [Fixture.key(.enter), Fixture.key(.enter)]).count, 0)
        XCTAssertFalse(s.settings.expandThinking)
        XCTAssertFalse(s.layoutTranscript().blocks.first { $0.kind == .thinking }!.open)
    }

    func testSwitchingConversationsLeavesTheTextWithTheOneLeft() {
        var s = Fixture.state()
        Fixture.feed(&s, [.sessionLoaded(StoredConversation(id: "A", title: "A", messages: [Fixture.user("hi")]))] + Fixture.type("for A"))
        var fx = Fixture.feed(&s, [.sessionLoaded(StoredConversation(id: "B", title: "B", messages: [Fixture.user("yo")]))])
        XCTAssertTrue(fx.contains { if case .keepDraft("for A", "A") = $0 { return true }; return false }, "\(fx)")
        XCTAssertTrue(s.input.isEmpty)
        Fixture.feed(&s, Fixture.type("for B"))
        fx = Fixture.feed(&s, [Fixture.key(.ctrl("n"))])
        XCTAssertTrue(fx.contains { if case .keepDraft("for B", "B") = $0 { return true }; return false }, "\(fx)")
        XCTAssertTrue(s.input.isEmpty)
    }
}
