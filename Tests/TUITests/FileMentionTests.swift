// @ in the editor: the workspace's files fuzzy-matched as the word is typed, Tab or Enter completing it (Enter
// does not send), a sent message with mentions waiting for App to read them, and the attachment shown folded.
import XCTest
import Chat
@testable import TUI

final class FileMentionTests: XCTestCase {
    func testCompletionAndSending() {
        var s = Fixture.state(width: 80, height: 20)
        s.workspaceFiles = ["README.md", "Sources/App/main.swift", "Sources/TUI/Markdown.swift", "docs/manual.md"]
        var fx = Fixture.feed(&s, Fixture.type("look at @"))
        XCTAssertTrue(fx.contains { if case .listWorkspaceFiles = $0 { return true }; return false })
        Fixture.feed(&s, Fixture.type("ma"))
        XCTAssertEqual(s.completions.map(\.name), ["@docs/manual.md", "@Sources/App/main.swift", "@Sources/TUI/Markdown.swift"],
                       "names starting with the letters first, shorter paths before longer")
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("file: Tab or Enter completes") })
        fx = Fixture.feed(&s, [Fixture.key(.down), Fixture.key(.enter)])
        XCTAssertEqual(s.input.text, "look at @Sources/App/main.swift ")
        XCTAssertTrue(fx.filter { if case .send = $0 { return true }; return false }.isEmpty, "Enter completed, did not send")
        XCTAssertTrue(s.completions.isEmpty, "a space ends the list")
        s.input.setText("explain @README.md please")
        fx = Fixture.feed(&s, [Fixture.key(.enter)])
        XCTAssertTrue(fx.contains { if case .attach("explain @README.md please", ["README.md"]) = $0 { return true }; return false })
        XCTAssertTrue(s.messages.isEmpty, "sent once the files are read")
        fx = Fixture.feed(&s, [.attached("explain @README.md please", [Attachment(path: "README.md", text: "# Hi\n", fileBytes: 5)], note: nil)])
        let req = fx.compactMap { if case .send(let r) = $0 { return r }; return nil }.first
        XCTAssertEqual(req?.messages.last?.attachments.map(\.path), ["README.md"])
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("▸ 📎 README.md · 5 bytes · ~2 tokens") }, Fixture.screen(s).joined(separator: "\n"))
    }

    func testFuzzyScore() {
        XCTAssertNil(fuzzyScore("xyz", "README.md"))
        XCTAssertNotNil(fuzzyScore("rdm", "README.md"))
        XCTAssertGreaterThan(fuzzyScore("read", "README.md")!, fuzzyScore("read", "docs/thread.c")!)
    }
}
