// The bell setting (off by default): a finished reply and an approval that waits ring it, a stopped reply does
// not; Alt-E hands the editor's text to $EDITOR and takes the result back.
import XCTest
import Chat
@testable import TUI

final class NotifyAndEditorTests: XCTestCase {
    func notes(_ fx: [Effect]) -> [String] { fx.compactMap { if case .notify(let t) = $0 { return t }; return nil } }

    func testTheBellRingsOnlyWhenAskedFor() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("hi") + [Fixture.key(.enter)])
        XCTAssertEqual(notes(Fixture.feed(&s, [.backend(.finished(.stop), at: 1)])), [])
        s.settings.notify = true
        Fixture.feed(&s, Fixture.type("again") + [Fixture.key(.enter)])
        XCTAssertEqual(notes(Fixture.feed(&s, [.backend(.finished(.stop), at: 2)])), ["glmchat: the reply is ready"])
        Fixture.feed(&s, Fixture.type("stop it") + [Fixture.key(.enter), Fixture.key(.escape)])
        XCTAssertEqual(notes(Fixture.feed(&s, [.backend(.finished(.cancelled), at: 3)])), [])
        let call = ToolCall(id: "c1", name: "run_command", arguments: .object([("command", .string("ls"))]))
        Fixture.feed(&s, Fixture.type("list") + [Fixture.key(.enter), .backend(.toolCall(call), at: 4)])
        XCTAssertEqual(notes(Fixture.feed(&s, [.backend(.finished(.toolCalls), at: 5)])), ["glmchat: run_command — waiting for your answer"])
    }

    func testAltEOpensTheEditorAndTakesItsTextBack() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("draft"))
        let fx = Fixture.feed(&s, [Fixture.key(.char("e"), alt: true)])
        XCTAssertTrue(fx.contains { if case .editExternally("draft") = $0 { return true }; return false })
        Fixture.feed(&s, [.editedExternally("a longer\nmessage", note: nil)])
        XCTAssertEqual(s.input.text, "a longer\nmessage")
        Fixture.feed(&s, [.editedExternally(nil, note: "the editor vi ended with status 1; the text is as it was")])
        XCTAssertEqual(s.input.text, "a longer\nmessage")
        XCTAssertEqual(s.notice, "editor: the editor vi ended with status 1; the text is as it was")
    }
}
