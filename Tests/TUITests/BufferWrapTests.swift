// The cell buffer (wide characters never split, marks joining their base) and word wrap.
import XCTest
@testable import TUI

final class BufferWrapTests: XCTestCase {
    func testWideCharacterAtTheEdgeBecomesSpaceNotHalf() {
        var b = Buffer(width: 5, height: 1)
        let end = b.put("ab中文", x: 0, y: 0, style: .plain)
        XCTAssertEqual(b.lines, ["ab中"])
        XCTAssertEqual(end, 5)
        XCTAssertEqual(b[2, 0].width, 2)
        XCTAssertEqual(b[3, 0].width, 0)
        XCTAssertEqual(b[4, 0].text, " ")
    }

    func testOverwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var b = Buffer(width: 6, height: 1)
        b.put("中文", x: 0, y: 0, style: .plain)
        b.put("x", x: 1, y: 0, style: .plain)
        XCTAssertEqual(b.lines, [" x文"])
        b.put("y", x: 2, y: 0, style: .plain)
        XCTAssertEqual(b.lines, [" xy"])
    }

    func testCombiningMarkJoinsPreviousCell() {
        var b = Buffer(width: 4, height: 1)
        b.put("e", x: 0, y: 0, style: .plain)
        b.put("\u{301}z", x: 1, y: 0, style: .plain)   // a lone mark at the start of a put is dropped
        XCTAssertEqual(b.lines, ["ez"])
        b.put("a\u{301}\u{302}b", x: 0, y: 0, style: .plain)  // one grapheme with two marks
        XCTAssertEqual(b[0, 0].text, "a\u{301}\u{302}")
        XCTAssertEqual(b[1, 0].text, "b")
    }

    func testControlCharactersAreShownNotSent() {
        var b = Buffer(width: 4, height: 1)
        b.put("a\u{1B}b", x: 0, y: 0, style: .plain)
        XCTAssertEqual(b.lines, ["a�b"])
    }

    func testWordWrapBreaksAtSpaces() {
        let lines = Wrap.text("the quick brown fox jumps", style: .plain, width: 10).map(\.plainText)
        XCTAssertEqual(lines, ["the quick", "brown fox", "jumps"])
    }

    func testLongWordBreaksBetweenGraphemes() {
        let lines = Wrap.text("abcdefghijkl", style: .plain, width: 5).map(\.plainText)
        XCTAssertEqual(lines, ["abcde", "fghij", "kl"])
    }

    func testCJKWrapNeverSplitsAWideCharacter() {
        let text = "你好世界这是一个测试👨‍👩‍👧🇯🇵"
        for width in 3...12 {
            let lines = Wrap.text(text, style: .plain, width: width)
            for l in lines { XCTAssertLessThanOrEqual(l.columns, width, "width \(width)") }
            XCTAssertEqual(lines.map(\.plainText).joined(), text, "width \(width)")
        }
        XCTAssertEqual(Wrap.text("你好世界", style: .plain, width: 5).map(\.plainText), ["你好", "世界"])
    }

    func testReflowKeepsTheWordsAtEveryWidth() {
        let text = "Reflow from the message model: every width gives back the same words, 汉字 included."
        let words = text.split(separator: " ").map(String.init)
        for width in 8...40 {
            let lines = Wrap.text(text, style: .plain, width: width)
            XCTAssertTrue(lines.allSatisfy { $0.columns <= width })
            let rejoined = lines.map(\.plainText).joined(separator: " ").split(separator: " ").map(String.init)
            XCTAssertEqual(rejoined.joined(), words.joined(), "width \(width)")
        }
    }

    func testIndentationIsKeptOnTheFirstLine() {
        XCTAssertEqual(Wrap.text("    indented text", style: .plain, width: 30).map(\.plainText), ["    indented text"])
    }

    func testCodeWrapKeepsSpaces() {
        XCTAssertEqual(Wrap.text("a  b  c", style: .plain, width: 3, words: false).map(\.plainText), ["a  ", "b  ", "c"])
    }
}
