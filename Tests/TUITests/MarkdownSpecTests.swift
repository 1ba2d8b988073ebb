// The Markdown parser measured on CommonMark 0.31.2's spec examples and markdown-it's GFM table and
// strikethrough fixtures (Fixtures/markdown-spec.json, made by Tools/markdown/make_spec_fixture.py): our
// parse written as HTML is compared with the expected HTML, white space around tags ignored.
import XCTest
import Foundation
@testable import TUI

final class MarkdownSpecTests: XCTestCase {
    struct Example: Decodable { var section: String; var example: Int; var markdown: String; var html: String }
    struct Spec: Decodable { var examples: [Example] }

    /// Examples that pass, per section, as measured; a change that passes fewer fails here.
    static let floors: [String: Int] = [
        "Backslash escapes": 11, "Thematic breaks": 19, "ATX headings": 18, "Setext headings": 26, "Indented code blocks": 12,
        "Fenced code blocks": 29, "Paragraphs": 8, "Block quotes": 24, "List items": 48, "Lists": 22, "Code spans": 22,
        "Emphasis and strong emphasis": 132, "Links": 84, "Images": 22, "Autolinks": 17, "Hard line breaks": 15,
        "Soft line breaks": 2, "GFM tables (markdown-it)": 37, "Strikethrough (markdown-it)": 10,
    ]

    func testSpecExamplesPassPerSection() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/markdown-spec.json")
        let spec = try JSONDecoder().decode(Spec.self, from: Data(contentsOf: url))
        var pass: [String: Int] = [:], total: [String: Int] = [:], order: [String] = []
        var failures: [String] = []
        for e in spec.examples {
            if total[e.section] == nil { order.append(e.section) }
            total[e.section, default: 0] += 1
            let ours = Self.normalize(Self.html(e.markdown)), expected = Self.normalize(e.html)
            if ours == expected { pass[e.section, default: 0] += 1 }
            else if ProcessInfo.processInfo.environment["GLMCHAT_MD_FAILURES"] == "1" {
                failures.append("[\(e.section) #\(e.example)] \(e.markdown.debugDescription)\n  expected: \(expected)\n       ours: \(ours)")
            }
        }
        let report = order.map { "\($0): \(pass[$0, default: 0])/\(total[$0]!)" }.joined(separator: "\n")
        print("Markdown spec conformance:\n" + report)
        if !failures.isEmpty { print(failures.joined(separator: "\n")) }
        for s in order { XCTAssertGreaterThanOrEqual(pass[s, default: 0], Self.floors[s] ?? total[s]!, "\(s)\n\(report)") }
    }

    // MARK: Our parse as HTML

    static func html(_ md: String) -> String {
        let (blocks, refs) = MDBlockParser.parse(md.hasSuffix("\n") ? String(md.dropLast()) : md)
        return blocksHTML(blocks, refs: refs, tight: false)
    }

    static func blocksHTML(_ bs: [MDBlock], refs: MDRefs, tight: Bool) -> String {
        bs.map { b -> String in
            switch b {
            case .blank: return ""
            case .paragraph(let t): return tight ? inlineHTML(MDInlineParser.parse(t, refs: refs)) : "<p>\(inlineHTML(MDInlineParser.parse(t, refs: refs)))</p>"
            case .heading(let l, let t): return "<h\(l)>\(inlineHTML(MDInlineParser.parse(t, refs: refs)))</h\(l)>"
            case .rule: return "<hr />"
            case .code(let info, let lines, _, _):
                let cls = info.isEmpty ? "" : " class=\"language-\(esc(info))\""
                return "<pre><code\(cls)>" + lines.map { esc($0) + "\n" }.joined() + "</code></pre>"
            case .quote(let inner): return "<blockquote>\(blocksHTML(inner, refs: refs, tight: false))</blockquote>"
            case .list(let l):
                let open = l.ordered ? (l.start == 1 ? "<ol>" : "<ol start=\"\(l.start)\">") : "<ul>"
                let items = l.items.map { "<li>" + ($0.task.map { $0 ? "[x] " : "[ ] " } ?? "") + blocksHTML($0.blocks, refs: refs, tight: l.tight) + "</li>" }
                return open + items.joined() + (l.ordered ? "</ol>" : "</ul>")
            case .table(let t):
                func row(_ cells: [String], _ tag: String) -> String {
                    "<tr>" + cells.enumerated().map { j, c in
                        let a = t.aligns[j] == .none ? "" : " style=\"text-align:\(t.aligns[j] == .left ? "left" : t.aligns[j] == .right ? "right" : "center")\""
                        return "<\(tag)\(a)>\(inlineHTML(MDInlineParser.parse(c, refs: refs)))</\(tag)>"
                    }.joined() + "</tr>"
                }
                let body = t.rows.isEmpty ? "" : "<tbody>" + t.rows.map { row($0, "td") }.joined() + "</tbody>"
                return "<table><thead>\(row(t.header, "th"))</thead>\(body)</table>"
            }
        }.joined(separator: "\n")
    }

    static func inlineHTML(_ ns: [MDInline]) -> String {
        ns.map { n -> String in
            switch n {
            case .text(let s): return esc(s)
            case .code(let s): return "<code>\(esc(s))</code>"
            case .emph(let c): return "<em>\(inlineHTML(c))</em>"
            case .strong(let c): return "<strong>\(inlineHTML(c))</strong>"
            case .strike(let c): return "<s>\(inlineHTML(c))</s>"
            case .link(let u, let t, let c): return "<a href=\"\(esc(href(u)))\"\(t.map { " title=\"\(esc($0))\"" } ?? "")>\(inlineHTML(c))</a>"
            case .image(let u, let t, let c): return "<img src=\"\(esc(href(u)))\" alt=\"\(esc(c.map(\.plain).joined()))\"\(t.map { " title=\"\(esc($0))\"" } ?? "") />"
            case .html(let s): return s
            case .softBreak: return "\n"
            case .hardBreak: return "<br />\n"
            }
        }.joined()
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Percent-encodes a URL as the reference renderers do (keeping what is already encoded).
    static func href(_ u: String) -> String {
        let keep = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789;/?:@&=+$,-_.!~*'()#".utf8)
        let b = Array(u.utf8)
        var out = ""
        var i = 0
        while i < b.count {
            if keep.contains(b[i]) { out.append(Character(Unicode.Scalar(b[i]))) }
            else if b[i] == UInt8(ascii: "%"), i + 2 < b.count, Character(Unicode.Scalar(b[i + 1])).isHexDigit, Character(Unicode.Scalar(b[i + 2])).isHexDigit { out.append("%") }
            else { out += String(format: "%%%02X", b[i]) }
            i += 1
        }
        return out
    }

    /// White space next to tags dropped, <del> read as <s>, `<br>` as `<br />`.
    static func normalize(_ h: String) -> String {
        var s = h.replacingOccurrences(of: "<del>", with: "<s>").replacingOccurrences(of: "</del>", with: "</s>")
            .replacingOccurrences(of: "<br>", with: "<br />")
        s = s.replacingOccurrences(of: "\\s*(<[^>]+>)\\s*", with: "$1", options: .regularExpression)
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
