// The keymap is the one table of key bindings: every action has a key that reaches it, no key means two
// things in one place, update() performs what the table says, the help shows every binding, and the
// README's Keys section is the table's Markdown.
import XCTest
import Foundation
import Chat
@testable import TUI

final class KeymapTests: XCTestCase {
    /// Contexts that are active together: "anywhere" with the focused part; the approval panel alone.
    func active(_ c: KeyContext) -> [KeyContext] { c == .anywhere || c == .approval ? [c] : [.anywhere, c] }

    func testEveryActionHasAKeyThatReachesIt() {
        for action in KeyAction.allCases {
            let bound = Keymap.rows.flatMap { r in r.bindings.filter { $0.action == action }.map { (r.context, $0) } }
            XCTAssertFalse(bound.isEmpty, "\(action) has no key")
            for (context, b) in bound {
                for k in b.keys {
                    XCTAssertEqual(Keymap.action(for: k, in: context), action, "\(k.name) in \(context)")
                    if context == .input || context == .transcript {
                        XCTAssertEqual(Keymap.action(for: k, focus: context == .input ? .input : .transcript), action, "\(k.name) in \(context)")
                    }
                }
            }
        }
    }

    func testNoKeyIsBoundTwiceWhereBothApply() {
        for c in KeyContext.allCases {
            let keys = Keymap.rows.filter { active(c).contains($0.context) }.flatMap(\.bindings).flatMap(\.keys)
            let names = keys.map(\.name)
            XCTAssertEqual(Set(names).count, names.count, "\(c): \(names.sorted())")
        }
    }

    func testAltFallsBackToThePlainKeyUnlessItHasItsOwnBinding() {
        XCTAssertEqual(Keymap.action(for: KeyPress(.char("b"), alt: true), focus: .input), .wordLeft)
        XCTAssertEqual(Keymap.action(for: KeyPress(.enter, alt: true), focus: .input), .newline)
        XCTAssertEqual(Keymap.action(for: KeyPress(.enter, alt: true), focus: .transcript), .toggleBlock)
        XCTAssertEqual(Keymap.action(for: KeyPress(.ctrl("t"), alt: true), focus: .input), .toggleThinking)
        XCTAssertNil(Keymap.action(for: KeyPress(.char("x"), alt: true), focus: .input))
        XCTAssertNil(Keymap.action(for: KeyPress(.char("k")), focus: .input))   // typing
    }

    /// Every key of the table, pressed in a state where its action does something visible.
    func testUpdatePerformsTheTablesActions() {
        for r in Keymap.rows {
            for b in r.bindings {
                for k in b.keys {
                    var s = Fixture.state()
                    s.messages = [Fixture.user("q"), Fixture.assistant("Run:\n```sh\nmake\n```", reasoning: "hmm", id: "a1")]
                    s.input.setText("ab\ncd")
                    if r.context == .approval {
                        // A command longer than the panel, scrolled to its middle: every answer and scroll changes it.
                        var a = ApprovalPanelTests.asking(ApprovalPanelTests.command((1...60).map { "echo \($0)" }.joined(separator: "\n")))
                        _ = update(&a, .key(KeyPress(.pageDown)))
                        let before = a.overlay
                        let fx = update(&a, .key(k))
                        XCTAssertTrue(!fx.isEmpty || a.overlay != before || a.notice != nil, "\(k.name) (\(b.action)) did nothing in the panel")
                        continue
                    }
                    // Outside the input, the thinking block is selected in the transcript.
                    if r.context != .input { _ = Fixture.feed(&s, [Fixture.key(.tab), Fixture.key(.up)]) }
                    let before = s
                    let fx = update(&s, .key(k))
                    let changed = !fx.isEmpty || s.focus != before.focus || s.overlay != before.overlay || s.input != before.input
                        || s.notice != before.notice || s.scroll != before.scroll || s.selectedBlock != before.selectedBlock
                        || s.search != before.search || s.expanded != before.expanded || s.quitArmed != before.quitArmed
                        || s.messages.count != before.messages.count || s.settings != before.settings
                    // Scrolling a transcript that fits, the caret already at the end, and n/N without a search change nothing.
                    let quiet: Set<KeyAction> = [.pageDown, .wheelDown, .bottom, .caretDown, .caretRight, .lineEnd, .wordRight,
                                                 .deleteForward, .deleteToEnd, .nextMatch, .previousMatch, .pageUp, .wheelUp, .top]
                    XCTAssertTrue(changed || quiet.contains(b.action), "\(k.name) (\(b.action)) did nothing")
                }
            }
        }
    }

    func testTheHelpListsEveryBinding() {
        var s = Fixture.state(width: 100, height: 60)
        _ = update(&s, Fixture.key(.function(1)))
        let lines = Snapshot.text(s).split(separator: "\n").map(String.init)
        for r in Keymap.rows {
            XCTAssertTrue(lines.contains { $0.contains("  " + r.label + " ") && $0.contains(r.help) }, "\(r.label): \(r.help)")
            // The label names each key of the row.
            for k in r.bindings.flatMap(\.keys) { XCTAssertTrue(r.label.contains(k.name), "\(k.name) not in \(r.label)") }
        }
        for c in KeyContext.allCases { XCTAssertTrue(lines.contains { $0.contains(c.title) }, c.title) }
    }

    func testTheReadmeKeysSectionIsTheKeymap() throws {
        guard let section = try Fixture.readmeSection("keys", from: "Keymap.markdown") else {
            return XCTFail("README.md has no <!-- keys: generated from Keymap.markdown --> … <!-- /keys --> block")
        }
        XCTAssertEqual(section, Keymap.markdown, "README.md's Keys section should be:\n" + Keymap.markdown)
    }
}

extension KeymapTests {
    func testHintsNameTheMainKeyOfTheirContext() {
        XCTAssertEqual(Keymap.key(.help), "F1")
        XCTAssertEqual(Keymap.key(.newline, in: .input), "Alt-Enter")
        XCTAssertEqual(Keymap.key(.toggleThinking), "Ctrl-T")
        XCTAssertEqual(Keymap.key(.toggleThinking, in: .transcript), "t")
        XCTAssertEqual(Keymap.key(.toggleFocus, in: .transcript), "Tab")
    }
}
