// The settings panel's rows: each one's change shows in its value and Left undoes Right; moving wraps.
import XCTest
@testable import TUI

final class SettingsRowTests: XCTestCase {
    func testEveryRowChangesWhatItShowsAndLeftUndoesRight() {
        var s = Fixture.state()
        s.themes = Theme.builtins
        s.theme = s.themes[0]
        for row in SettingsRow.allCases {
            let before = row.value(in: s)
            row.change(&s, forward: true)
            XCTAssertNotEqual(row.value(in: s), before, row.label)
            row.change(&s, forward: false)
            XCTAssertEqual(row.value(in: s), before, row.label)
        }
    }

    func testMovingWrapsAround() {
        XCTAssertEqual(SettingsRow.thinking.moved(by: -1), SettingsRow.allCases.last)
        XCTAssertEqual(SettingsRow.allCases.last?.moved(by: 1), .thinking)
        XCTAssertEqual(SettingsRow.thinking.moved(by: 1), .keepThinking)
    }
}
