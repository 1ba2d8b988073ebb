// Markdown as drawn in the transcript: tables at 120 and 40 columns, strikethrough, links, rules, heading
// levels, nested lists, quotes, highlighted code in every built-in theme and the wrapped-code marker.
import XCTest
import Chat
@testable import TUI

final class MarkdownRenderTests: XCTestCase {
    let theme = Theme.fallback

    func lines(_ md: String, width: Int = 40, theme: Theme? = nil) -> [StyledLine] {
        let t = theme ?? self.theme
        return Markdown.render(md, width: width, base: t[.assistant], theme: t)
    }

    func span(_ ls: [StyledLine], _ text: String) -> Span? { ls.joined().first { $0.text == text } }

    static let table = """
    ## Languages

    | Language | Highlighting | Notes |
    |:---------|:------------:|------:|
    | Swift | keywords, types, strings | nested `/* */` comments |
    | Python | keywords, strings | triple-quoted strings span lines |
    | Go | yes | raw strings in backticks |
    """

    func tableState(width: Int) -> AppState {
        var s = Fixture.state(width: width, height: 18)
        s.messages = [Fixture.user("Which languages?"), Fixture.assistant(Self.table)]
        return s
    }

    func testTableLaidOutInColumnsAt120() {
        Snapshot.assert(tableState(width: 120), "markdown-table-120")
        let ls = lines(Self.table, width: 117).map(\.plainText)
        XCTAssertEqual(ls[2], "Language │       Highlighting       │                            Notes")
        XCTAssertEqual(ls[3], "─────────┼──────────────────────────┼─────────────────────────────────")
        XCTAssertEqual(ls[4], "Swift    │ keywords, types, strings │            nested /* */ comments")
        // The header is bold, the rules dim.
        let header = lines(Self.table, width: 117)[2]
        XCTAssertTrue(header.first { $0.text.hasPrefix("Language") }!.style.attrs.contains(.bold))
        XCTAssertEqual(lines(Self.table, width: 117)[3].first?.style, theme[.dim])
    }

    func testTableWrapsCellsWhenItMustAndBecomesAListWhenTooNarrow() {
        // 60 columns: the columns fit once their text wraps; the wrapped rows are ruled apart.
        let mid = lines(Self.table, width: 60).map(\.plainText)
        XCTAssertTrue(mid.allSatisfy { CharWidth.of($0) <= 60 }, mid.joined(separator: "\n"))
        XCTAssertTrue(mid.contains { $0.contains("╌┼╌") }, mid.joined(separator: "\n"))
        // 40 columns: a list per row.
        Snapshot.assert(tableState(width: 40), "markdown-table-40")
        let narrow = lines(Self.table, width: 37).map(\.plainText)
        XCTAssertEqual(Array(narrow[2...5]), ["• Language: Swift", "  Highlighting: keywords, types,", "    strings", "  Notes: nested /* */ comments"])
    }

    func testStrikethroughUsesTheStrikeAttribute() {
        let ls = lines("was ~~wrong~~ right, ~single~ stays")
        XCTAssertEqual(ls.map(\.plainText), ["was wrong right, ~single~ stays"])
        XCTAssertTrue(span(ls, "wrong")!.style.attrs.contains(.strike))
        XCTAssertFalse(span(ls, "was ")!.style.attrs.contains(.strike))
    }

    func testLinksShowTheirTextAndADimAddress() {
        let ls = lines("See [the docs](https://example.com/docs) or <https://x.org> and www.swift.org.", width: 80)
        XCTAssertEqual(ls.map(\.plainText), ["See the docs (https://example.com/docs) or https://x.org and www.swift.org."])
        XCTAssertTrue(span(ls, "the docs")!.style.attrs.contains(.underline))
        XCTAssertEqual(span(ls, " (https://example.com/docs)")!.style, theme[.dim])
        XCTAssertTrue(span(ls, "https://x.org")!.style.attrs.contains(.underline))
    }

    func testRulesSpanTheWidth() {
        for r in ["---", "***", "_ _ _"] {
            let ls = lines("above\n\n\(r)\n\nbelow", width: 30)
            XCTAssertEqual(ls.map(\.plainText), ["above", "", String(repeating: "─", count: 30), "", "below"], r)
            XCTAssertEqual(ls[2].first?.style, theme[.dim])
        }
    }

    func testHeadingLevelsLookDifferent() {
        let ls = lines("# One\n## Two\n### Three\n#### Four")
        XCTAssertEqual(ls.map(\.plainText), ["One", "Two", "Three", "Four"])
        let styles = ls.map { $0[0].style }
        XCTAssertEqual(styles[0], theme[.accent].with([.bold, .underline]))
        XCTAssertEqual(styles[1], theme[.accent].with(.bold))
        XCTAssertEqual(styles[2], theme[.assistant].with(.bold))
        XCTAssertEqual(Set(styles).count, 4, "four levels, four looks")
    }

    func testNestedListsIndentByLevelAndKeepTheirNumbers() {
        let md = "1. first\n2. second\n   - inner a\n   - inner b\n     1. deep\n3. third\n\n- [ ] todo\n- [x] done"
        XCTAssertEqual(lines(md).map(\.plainText), [
            "1. first", "2. second", "   ◦ inner a", "   ◦ inner b", "     1. deep", "3. third", "", "• [ ] todo", "• [x] done",
        ])
        XCTAssertEqual(lines("7. seven\n8. eight\n9. nine\n10. ten").map(\.plainText), [" 7. seven", " 8. eight", " 9. nine", "10. ten"])
    }

    func testQuotesHaveABarAndNest() {
        let ls = lines("> said\n> > before\n> again\nlazy line")
        XCTAssertEqual(ls.map(\.plainText), ["│ said", "│ │ before", "│ │ again", "│ │ lazy line"])
        XCTAssertEqual(ls[0][0].style, theme[.dim])
    }

    func testCodeLineThatWrapsGetsAContinuationMark() {
        let md = "```python\nx = \"" + String(repeating: "a", count: 30) + "\"  # note\n```"
        let ls = lines(md, width: 20)
        XCTAssertEqual(ls.map(\.plainText), ["┌ python", "│ x = \"aaaaaaaaaaaaa", "↪ aaaaaaaaaaaaaaaaa\"", "↪   # note", "└"])
        XCTAssertEqual(ls[2][0].style, theme[.dim])
        // The string stays a string across the break, the comment a comment.
        XCTAssertEqual(ls[2].last { $0.text.contains("a") }?.style, theme[.string])
        XCTAssertEqual(ls[3].last?.style, theme[.comment])
        var s = Fixture.state(width: 24, height: 10)
        s.theme = theme
        s.messages = [Fixture.user("q"), Fixture.assistant(md)]
        Snapshot.assert(s, "markdown-code-wrap")
    }

    /// Each built-in theme colours the same Swift block: keywords, types, strings, numbers, comments in their slots.
    func testHighlightedCodeInEveryBuiltinTheme() {
        let md = "```swift\n/* setup\n   spans lines */\nlet name: String = \"hi \\(x)\" // greet\nreturn 42\n```"
        for t in Theme.builtins {
            let ls = lines(md, width: 50, theme: t)
            XCTAssertEqual(ls.map(\.plainText), ["┌ swift", "│ /* setup", "│    spans lines */", "│ let name: String = \"hi \\(x)\" // greet", "│ return 42", "└"], t.name)
            let runs = ls.dropFirst().map { $0.dropFirst().map { "\($0.text)=\(Self.slotName($0.style, t))" } }
            XCTAssertEqual(runs[0], ["/* setup=comment"], t.name)
            XCTAssertEqual(runs[1], ["   spans lines */=comment"], t.name)
            XCTAssertEqual(runs[2], ["let=keyword", " name: =code", "String=type", " = =code", "\"hi \\(x)\"=string", " =code", "// greet=comment"], t.name)
            XCTAssertEqual(runs[3], ["return=keyword", " =code", "42=number"], t.name)
            var s = Fixture.state(width: 50, height: 12)
            s.theme = t
            s.messages = [Fixture.user("q"), Fixture.assistant(md)]
            Snapshot.assert(s, "markdown-code-\(t.name)", styles: true)
        }
    }

    func testAThemeWithoutTokenSlotsDrawsCodeInItsCodeStyle() throws {
        let t = try Theme.parse(##"{"name":"old","slots":{"background":{"bg":"#000000"},"text":{"fg":"#ffffff"},"code":{"fg":"#00ff00","bg":"#101010"}}}"##)
        for slot in ThemeSlot.codeTokens { XCTAssertEqual(t[slot], t[.code], slot.rawValue) }
        // A token slot that sets only its colour is drawn on code's background.
        let u = try Theme.parse(##"{"name":"new","slots":{"background":{"bg":"#000000"},"text":{"fg":"#ffffff"},"code":{"fg":"#00ff00","bg":"#101010"},"keyword":{"fg":"#ff00ff"}}}"##)
        XCTAssertEqual(u[.keyword], Style(fg: .rgb(255, 0, 255), bg: .rgb(16, 16, 16)))
    }

    static func slotName(_ st: Style, _ t: Theme) -> String {
        for slot in ThemeSlot.codeTokens + [.code] where t[slot] == st { return slot.rawValue }
        return "?"
    }

    func testLanguagesAreRecognisedByFenceAndExtension() {
        for (name, line, keyword) in [("py", "def f(): pass", "def"), ("rust", "fn main() {}", "fn"), ("go", "func main() {}", "func"),
                                      ("ts", "const x = 1", "const"), ("cpp", "int main() {}", "int"), ("bash", "if true; then", "if"),
                                      ("json", "{\"a\": true}", "true"), ("yaml", "key: null", "key")] {
            var st = HighlightState()
            let toks = SyntaxHighlighter.tokens(line, SyntaxHighlighter.syntax(named: name)!, &st)
            XCTAssertTrue(toks.contains { $0.0 == keyword && $0.1 == .keyword }, "\(name): \(toks)")
        }
        XCTAssertNotNil(SyntaxHighlighter.syntax(forPath: "Sources/App/main.swift"))
        XCTAssertNotNil(SyntaxHighlighter.syntax(forPath: "a/b.test.tsx"))
        XCTAssertNil(SyntaxHighlighter.syntax(forPath: "Makefile"))
        // Rust: 'a is a lifetime, 'x' a character.
        var st = HighlightState()
        let rust = SyntaxHighlighter.tokens("fn f<'a>(c: char) { 'x' }", SyntaxHighlighter.syntax(named: "rust")!, &st)
        XCTAssertTrue(rust.contains { $0.0 == "'x'" && $0.1 == .string }, "\(rust)")
        XCTAssertFalse(rust.contains { $0.0.hasPrefix("'a") && $0.1 == .string }, "\(rust)")
    }

    func testStreamingKeepsMultiLineStringsAndCommentsCoherent() {
        let md = "```python\ns = \"\"\"first\nsecond\"\"\"\nx = 1\n```\n\nDone."
        let cache = LiveMarkdownCache()
        var m = Message(id: "m", role: .assistant, content: "")
        for ch in md {
            m.content.append(ch)
            XCTAssertEqual(cache.render(m, width: 30, theme: theme), lines(m.content, width: 30), "after \(m.content.count) characters")
        }
        XCTAssertEqual(span(lines(md, width: 30), "second\"\"\"")?.style, theme[.string])
    }

    func testApprovalDiffHighlightsCodeAndKeepsDiffColours() {
        let unified = "--- a/x.swift\n+++ b/x.swift\n@@ -1 +1 @@\n-let a = 1\n+var a = \"two\"\n context"
        let ls = ApprovalView.diffLines(unified, path: "x.swift", theme: theme, width: 40)
        XCTAssertEqual(ls.map(\.plainText), ["@@ -1 +1 @@", "-let a = 1", "+var a = \"two\"", " context"])
        XCTAssertEqual(ls[0][0].style, theme[.accent])
        // The sign and plain text keep the diff colour; keywords, numbers and strings are highlighted on it.
        XCTAssertEqual(ls[1][0].text, "-"); XCTAssertEqual(ls[1][0].style, theme[.error])
        XCTAssertEqual(ls[1].first { $0.text == "let" }?.style, theme[.keyword].on(theme[.error].bg))
        XCTAssertEqual(ls[1].first { $0.text == "1" }?.style, theme[.number].on(theme[.error].bg))
        XCTAssertEqual(ls[2][0].text, "+"); XCTAssertEqual(ls[2][0].style, theme[.code])
        XCTAssertEqual(ls[2].first { $0.text == "\"two\"" }?.style, theme[.string])
        // A file of unknown type: the diff colours alone.
        XCTAssertEqual(ApprovalView.diffLines("+plain", path: "notes", theme: theme, width: 40), [[Span("+plain", theme[.code])]])
    }
}

final class MarkdownStreamTests: XCTestCase {
    /// Streaming a reply with every construct, a few characters at a time, always draws what rendering it whole draws.
    func testStreamingEqualsWholeForEveryConstruct() {
        let theme = Theme.fallback
        let text = """
        # Plan
        Intro with [a link][ref] and ~~old~~ text.
        ```swift
        /* a comment
           that spans */
        let s = \"\"\"
        multi
        \"\"\"
        ```
        after the fence
        > quote
        lazy

        1. one
        2. two

           still two
        - [x] done

        | a | b |
        |---|--:|
        | 1 | 2 |

        ```
        unclosed\tcode

        [ref]: https://example.com
        """
        for step in [1, 3, 7] {
            let cache = LiveMarkdownCache()
            var m = Message(id: "m\(step)", role: .assistant, content: "")
            var i = text.startIndex
            while i < text.endIndex {
                let j = text.index(i, offsetBy: step, limitedBy: text.endIndex) ?? text.endIndex
                m.content += text[i..<j]
                i = j
                XCTAssertEqual(cache.render(m, width: 30, theme: theme), Markdown.render(m.content, width: 30, base: theme[.assistant], theme: theme),
                               "step \(step), after \(m.content.count) characters")
            }
        }
    }
}
