// Quote.terminalSafe, what `sessions show/export` and `info` print to a terminal: every C0 control but line feed and
// tab, DEL, C1, and the bidi controls escaped, nothing cut; JSON stays JSON with the same value. (The pty run of the
// real binary is Tests/e2e/terminal-injection.sh.)
import Chat
import Quote
import XCTest
@testable import Store

final class TerminalSafeTests: XCTestCase {
    func testEscapesEveryUnsafeCharacterAndKeepsLayout() {
        XCTAssertEqual(terminalSafe("a\u{1B}]0;pwned\u{07}b\u{202E}c\n\td\r\u{7F}\u{9B}e\u{2066}"),
                       "a\\u{1B}]0;pwned\\u{7}b\\u{202E}c\n\td\\u{D}\\u{7F}\\u{9B}e\\u{2066}")
        for v: UInt32 in Array(0...0x1F) + Array(0x7F...0x9F) + Array(0x202A...0x202E) + Array(0x2066...0x2069) where v != 0x0A && v != 0x09 {
            let out = terminalSafe("x" + String(Unicode.Scalar(v)!) + "y")
            XCTAssertEqual(out, "x\\u{" + String(v, radix: 16, uppercase: true) + "}y")
        }
    }

    func testSafeTextIsUntouchedAndNotCut() {
        let text = "héllo 👍 <b>\n\tsnake_case → مرحبا " + String(repeating: "z", count: 10_000)
        XCTAssertEqual(terminalSafe(text), text)
        XCTAssertEqual(terminalSafe(String(repeating: "\u{1B}", count: 1000)), String(repeating: "\\u{1B}", count: 1000))
    }

    func testJSONStyleKeepsJSONValid() throws {
        let value = JSONValue.object([("t", .string("a\u{1B}[2J\u{7F}\u{85}\u{202E}b\n"))])
        let shown = terminalSafe(value.serialized(.pretty), style: .json)
        XCTAssertFalse(shown.unicodeScalars.contains { isUnsafeForTerminal($0) && $0 != "\n" }, shown)
        XCTAssertEqual(try JSONValue.parse(shown), value)
        XCTAssertTrue(shown.contains("\\u007f\\u0085\\u202e"), shown)
    }

    func testQuotedUsesTheSameEscapes() {
        XCTAssertEqual(quoted("a\u{1B}b"), terminalSafe("a\u{1B}b"))
        XCTAssertEqual(escaped("\u{9B}"), "\\u{9B}")
        XCTAssertEqual(escaped("\u{9B}", style: .json), "\\u009b")
    }

    /// The markdown export and `sessions show` lines name stopped and undone tool results.
    func testMarkdownNotesStoppedAndUndone() {
        var r = ToolResult(callID: "c", name: "run_command", exitStatus: 143)
        r.stopped = true; r.undone = true
        let s = Session(id: "s", title: "t", created: Date(timeIntervalSince1970: 0),
                        messages: [Message(role: .tool, content: "out", toolResult: r, created: nil)])
        XCTAssertTrue(SessionExport.markdown(s).contains("<summary>Output of run_command (exit 143, stopped, undone)</summary>"),
                      SessionExport.markdown(s))
    }
}
