// The settings panel's rows: each one's change shows in its value and Left undoes Right; moving wraps.
import XCTest
@testable import TUI

final class SettingsRowTests: XCTestCase {
    func testEveryRowChangesWhatItShowsAndLeftUndoesRight() {
        var s = Fixture.state()
        s.themes = Theme.builtins
        s.theme = s.themes[0]
        for row in SettingsRow.allCases where row != .systemPrompt {
            let before = row.value(in: s)
            row.change(&s, forward: true)
            XCTAssertNotEqual(row.value(in: s), before, row.label)
            row.change(&s, forward: false)
            XCTAssertEqual(row.value(in: s), before, row.label)
        }
    }

    func testTheSystemPromptRowOpensItInTheEditor() {
        var s = Fixture.state(width: 100)
        Fixture.feed(&s, [Fixture.key(.function(3))] + Array(repeating: Fixture.key(.down), count: SettingsRow.systemPrompt.rawValue))
        XCTAssertTrue(Fixture.screen(s).contains { $0.contains("This chat's system prompt") && $0.contains("none · Enter sets one") })
        Fixture.feed(&s, [Fixture.key(.enter)])
        XCTAssertNil(s.overlay)
        XCTAssertEqual(s.input.text, "/system ")
        s.input.setText(s.input.text + "Answer in French.\nBe brief.")
        Fixture.feed(&s, [Fixture.key(.enter)])
        XCTAssertEqual(s.messages.first?.role, .system)
        XCTAssertEqual(s.messages.first?.content, "Answer in French.\nBe brief.")
        XCTAssertEqual(SettingsRow.systemPrompt.value(in: s), "Answer in French. · Enter edits")
        Fixture.feed(&s, [Fixture.key(.function(3))] + Array(repeating: Fixture.key(.down), count: SettingsRow.systemPrompt.rawValue) + [Fixture.key(.enter)])
        XCTAssertEqual(s.input.text, "/system Answer in French.\nBe brief.", "the current prompt, to change")
    }

    func testMovingWrapsAround() {
        XCTAssertEqual(SettingsRow.thinking.moved(by: -1), SettingsRow.allCases.last)
        XCTAssertEqual(SettingsRow.allCases.last?.moved(by: 1), .thinking)
        XCTAssertEqual(SettingsRow.thinking.moved(by: 1), .keepThinking)
    }
}
