// Light Markdown rendering and the input editor (caret, history, wide characters).
import XCTest
import Chat
@testable import TUI

final class MarkdownEditorTests: XCTestCase {
    let theme = Theme.fallback

    func testInlineEmphasisAndCode() {
        let spans = Markdown.inline("a **bold** and *it* `x*y`", base: .plain, code: theme[.code])
        XCTAssertEqual(spans.plainText, "a bold and it x*y")
        XCTAssertTrue(spans.first { $0.text == "bold" }!.style.attrs.contains(.bold))
        XCTAssertTrue(spans.first { $0.text == "it" }!.style.attrs.contains(.italic))
        XCTAssertEqual(spans.first { $0.text == "x*y" }!.style, theme[.code])
    }

    func testUnclosedMarkersStayText() {
        XCTAssertEqual(Markdown.inline("2 * 3 = 6 and a_b_c", base: .plain, code: .plain).plainText, "2 * 3 = 6 and a_b_c")
        XCTAssertEqual(Markdown.inline("**open", base: .plain, code: .plain).plainText, "**open")
    }

    func testBlocks() {
        let md = "# Title\n- one\n- two that wraps around\n1. first\n> quoted\n```sh\nls  -l\n```"
        let lines = Markdown.render(md, width: 14, base: .plain, theme: theme).map(\.plainText)
        XCTAssertEqual(lines, ["Title", "• one", "• two that", "  wraps around", "1. first", "│ quoted", "┌ sh", "│ ls  -l", "└"])
        XCTAssertEqual(Markdown.codeBlocks(md), ["ls  -l"])
    }

    func testEditorInsertMoveAndNewline() {
        var e = InputEditor()
        e.insert("hello")
        e.left(); e.left()
        e.insert("X")
        XCTAssertEqual(e.text, "helXlo")
        e.newline()
        XCTAssertEqual(e.text, "helX\nlo")
        XCTAssertEqual(e.row, 1); XCTAssertEqual(e.col, 0)
        e.backspace()
        XCTAssertEqual(e.text, "helXlo")
        e.end(); e.deleteWordBack()
        XCTAssertEqual(e.text, "")
    }

    func testEditorCaretWithWideCharactersAndWrap() {
        var e = InputEditor()
        e.insert("中文ab")
        var l = e.layout(width: 10)
        XCTAssertEqual(l.rows, ["中文ab"])
        XCTAssertEqual(l.caretX, 6); XCTAssertEqual(l.caretRow, 0)
        e.home(); e.right()
        l = e.layout(width: 10)
        XCTAssertEqual(l.caretX, 2)
        // Width 5: "中文" (4) then "a" would be 5; the wide char never straddles rows.
        e.setText("a中文中")
        l = e.layout(width: 4)
        XCTAssertEqual(l.rows, ["a中", "文中", ""])
        XCTAssertEqual(l.caretRow, 2); XCTAssertEqual(l.caretX, 0)
    }

    func testCombiningMarkTypedAloneJoinsItsBase() {
        var e = InputEditor()
        e.insert("e"); e.insert("\u{301}")
        XCTAssertEqual(e.col, 1)
        XCTAssertEqual(e.text, "é")
    }

    func testWordMoves() {
        var e = InputEditor()
        e.insert("one two  three")
        e.wordLeft(); XCTAssertEqual(e.col, 9)
        e.wordLeft(); XCTAssertEqual(e.col, 4)
        e.wordRight(); XCTAssertEqual(e.col, 7)
        e.wordRight(); XCTAssertEqual(e.col, 14)
    }

    func testHistory() {
        var e = InputEditor()
        e.insert("first"); _ = e.take()
        e.insert("second"); _ = e.take()
        e.insert("draft")
        e.up(); XCTAssertEqual(e.text, "second")
        e.up(); XCTAssertEqual(e.text, "first")
        XCTAssertFalse(e.up())
        e.down(); XCTAssertEqual(e.text, "second")
        e.down(); XCTAssertEqual(e.text, "draft")
    }
}

final class LargePasteTests: XCTestCase {
    func testLargeSingleLinePasteKeepsEveryCharacter() {
        var e = InputEditor()
        e.insert("start ")
        let big = String(repeating: "abc中文 ", count: 20000)   // 120k characters on one line
        e.insert(big)
        XCTAssertEqual(e.text, "start " + big)
        XCTAssertEqual(e.col, 6 + big.count)
        let l = e.layout(width: 80)
        XCTAssertTrue(l.rows.allSatisfy { CharWidth.of($0) <= 80 })
        XCTAssertEqual(l.rows.joined(), "start " + big)
    }
}

final class LiveMarkdownTests: XCTestCase {
    /// Rendering a streaming reply piece by piece gives exactly the lines of rendering it whole.
    func testPiecewiseEqualsWhole() {
        let text = "# Plan\n\nSome **bold** words and `code`.\n\n```swift\nlet x = 1\n\nprint(x)\n```\n- item one\n- item two that is long enough to wrap\n\n中文 text\n"
        let theme = Theme.fallback
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<30 {
            let cache = LiveMarkdownCache()
            var m = Message(id: "m\(trial)", role: .assistant, content: "")
            var i = text.startIndex
            while i < text.endIndex {
                let n = Int.random(in: 1...7, using: &rng)
                let j = text.index(i, offsetBy: n, limitedBy: text.endIndex) ?? text.endIndex
                m.content += text[i..<j]
                i = j
                let live = cache.render(m, width: 24, theme: theme)
                let whole = Markdown.render(m.content, width: 24, base: theme[.assistant], theme: theme)
                XCTAssertEqual(live, whole, "after \(m.content.count) characters")
            }
        }
    }

    func testStreamingThinkingWrapsLikeTheWhole() {
        let text = "First I read the question.\nThen 中文 and a long line that has to wrap at the width.\n\nDone"
        let cache = LivePrefixCache()
        var acc = ""
        for ch in text {
            acc.append(ch)
            let live = cache.render(acc, key: "k") { piece, _ in Wrap.text(piece, style: .plain, width: 16) }
            XCTAssertEqual(live, Wrap.text(acc, style: .plain, width: 16), "after \(acc.count) characters")
        }
    }
}
