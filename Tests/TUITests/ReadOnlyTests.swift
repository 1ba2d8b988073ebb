// A session another glmchat holds opens read-only: shown with a notice in the status bar, sending refused
// in one line (AppTests' ReadOnlyStoreTests: the file is never written).
import XCTest
import Chat
@testable import TUI

final class ReadOnlyTests: XCTestCase {
    func screen(_ s: AppState) -> [String] {
        var buf = Buffer(width: 0, height: 0)
        render(s, into: &buf)
        return buf.lines
    }

    func readOnlyState() -> AppState {
        var s = Fixture.state(width: 100)
        let c = StoredConversation(id: "s1", title: "held", messages: [Fixture.user("hi"), Fixture.assistant("hello")],
                                   readOnly: ReadOnlyReason(pid: 4242))
        Fixture.feed(&s, [.sessionLoaded(c)])
        return s
    }

    func testStatusBarSaysReadOnlyAndWhoHoldsIt() {
        let s = readOnlyState()
        XCTAssertEqual(s.notice, "opened “held” read-only: open in another glmchat (pid 4242)")
        XCTAssertTrue(screen(s).last!.hasPrefix(" read-only: open in another glmchat (pid 4242) │ test-model"), screen(s).last!)
        // Even on a narrow screen the read-only label is the part that stays.
        var narrow = s
        Fixture.feed(&narrow, [.resize(width: 50, height: 20)])
        XCTAssertTrue(screen(narrow).last!.hasPrefix(" read-only (pid 4242) │ "), screen(narrow).last!)
    }

    func testSendingIsRefusedInOneLineAndTheTextStays() {
        var s = readOnlyState()
        let fx = Fixture.feed(&s, Fixture.type("more") + [Fixture.key(.enter)])
        XCTAssertTrue(fx.isEmpty, "no send, no save: \(fx)")
        XCTAssertEqual(s.messages.count, 2)
        XCTAssertEqual(s.input.text, "more")
        XCTAssertEqual(s.notice, "read-only: open in another glmchat (pid 4242), so nothing is sent or saved here; Ctrl-N starts a new conversation")
        XCTAssertFalse(s.notice!.contains("\n"))
        // Ctrl-N leaves it: the new conversation is this window's own.
        Fixture.feed(&s, [Fixture.key(.ctrl("n"))])
        XCTAssertNil(s.readOnly)
        let sent = Fixture.feed(&s, [Fixture.key(.enter)])
        XCTAssertTrue(sent.contains { if case .send = $0 { return true }; return false })
    }

    func testRenameAndDeleteOfTheHeldSessionAreRefused() {
        var s = readOnlyState()
        Fixture.feed(&s, [Fixture.key(.function(2)), .sessions([SessionEntry(id: "s1", title: "held")])])
        var fx = Fixture.feed(&s, [Fixture.key(.ctrl("r"))] + Fixture.type("x") + [Fixture.key(.enter)])
        XCTAssertTrue(fx.isEmpty)
        XCTAssertEqual(s.title, "held")
        XCTAssertTrue(s.notice?.hasPrefix("read-only") == true)
        fx = Fixture.feed(&s, [Fixture.key(.delete)] + Fixture.type("y"))
        XCTAssertTrue(fx.isEmpty)
        XCTAssertEqual(s.sessionID, "s1")
    }

    func testThePickerMarksASessionOpenInAnotherGlmchat() {
        var s = Fixture.state(width: 100, height: 24)
        Fixture.feed(&s, [Fixture.key(.function(2)), .sessions([SessionEntry(id: "s1", title: "mine", messageCount: 2),
                                                                 SessionEntry(id: "s2", title: "elsewhere", messageCount: 3, heldBy: 4242)])])
        let text = screen(s).joined(separator: "\n")
        XCTAssertTrue(text.contains("elsewhere  · 3 msgs · read-only: open in another glmchat (pid 4242)"), text)
        XCTAssertFalse(text.contains("mine  · 2 msgs · read-only"))
    }
}
