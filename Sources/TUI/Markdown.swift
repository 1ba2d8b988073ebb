// Markdown in the transcript: parsed (MarkdownBlocks, MarkdownInline) and drawn as styled lines at a
// width — headings by level, rules, quotes with a bar, nested and task lists, tables (MarkdownTable),
// highlighted code with a continuation mark, ~~strikethrough~~ and links with their address dimmed.
//
// Measured on CommonMark 0.31.2's spec examples and markdown-it's GFM fixtures by MarkdownSpecTests (our parse
// written as HTML against the expected HTML; floors per section there): ATX headings 18/18, setext 26/27,
// thematic breaks 19/19, fenced code 29/29, indented code 12/12, paragraphs 8/8, block quotes 24/25, list items
// 48/48, lists 22/26, emphasis 132/132, links 84/90, images 22/22, code spans 22/22, autolinks 17/19 (bare URLs
// are links, as GFM has them), backslash escapes 11/13, hard/soft breaks 17/17, GFM tables 37/42, strikethrough
// 10/15 (exactly ~~, as GFM; markdown-it also nests longer runs). Left out on purpose: HTML blocks (shown as
// text), multi-line link definitions. A line break in the source stays a line break on screen (as in chat apps).
// Links are drawn as text plus a dim address; OSC 8 hyperlinks would need escape output beside curses' cells.

public enum Markdown {
    /// Renders Markdown text into wrapped lines.
    ///
    /// The text is cut into independent pieces at blank lines that no construct can continue past (the next
    /// line starts at column 0 and is not a list item, and no fence is open), and each piece is parsed alone:
    /// the result is the same as parsing the whole, and a streaming reply re-renders only its last piece.
    public static func render(_ text: String, width: Int, base: Style, theme: Theme) -> [StyledLine] {
        let refs = references(text)
        var out: [StyledLine] = []
        for p in pieces(text) {
            out += renderPiece(p.text, width: width, base: base, theme: theme, refs: refs)
            if p.blankAfter { out.append([]) }
        }
        return out
    }

    /// One piece (see `render`), without the blank lines at its end; `refs`: the document's link definitions.
    static func renderPiece<S: StringProtocol>(_ text: S, width: Int, base: Style, theme: Theme, refs: MDRefs) -> [StyledLine] {
        let (blocks, all) = MDBlockParser.parse(String(text), refs: refs)
        let r = MarkdownRenderer(theme: theme, refs: all)
        return r.blocks(blocks, width: max(4, width), base: base, depth: 0)
    }

    /// The link definitions anywhere in the text (a definition may come after the links that use it).
    static func references(_ text: String) -> MDRefs {
        guard text.contains("]:") else { return [:] }
        var refs: MDRefs = [:]
        for l in text.split(separator: "\n") where l.contains("]:") {
            let s = l.drop(while: { $0 == " " })
            if l.count - s.count < 4, let (label, url, title) = MDBlockParser.refDefinition(String(s)), refs[label] == nil { refs[label] = (url, title) }
        }
        return refs
    }

    struct Piece { var text: Substring; var blankAfter: Bool }

    /// Where the text can be cut (see `render`): after blank lines before a line at column 0 that is not a
    /// list item (the pieces drawn a blank row apart), and right before a fence at column 0 (nothing can
    /// continue into it). With `completeOnly`, a last line without its newline is not trusted (it may grow).
    static func pieces(_ text: String, completeOnly: Bool = false) -> [Piece] {
        var cuts: [(String.Index, Bool)] = []
        var fence: (Character, Int)? = nil
        var sawBlank = false, hasContent = false
        var lineStart = text.startIndex
        while lineStart < text.endIndex {
            let nl = text[lineStart...].firstIndex(of: "\n")
            if nl == nil, completeOnly { break }
            let line = String(text[lineStart..<(nl ?? text.endIndex)])
            let ind = MDBlockParser.indent(line)
            if MDBlockParser.isBlank(line) {
                if fence == nil { sawBlank = true }
            } else {
                let opens = fence == nil && ind == 0 ? MDBlockParser.fenceOpen(line) : nil
                if hasContent, fence == nil, ind == 0 {
                    if sawBlank, MDBlockParser.listMarker(line) == nil { cuts.append((lineStart, true)) }
                    else if !sawBlank, opens != nil { cuts.append((lineStart, false)) }
                }
                sawBlank = false; hasContent = true
                if ind < 4 {
                    let s = String(line.dropFirst(ind))
                    if let f = fence { if MDBlockParser.isFenceClose(s, f.0, f.1) { fence = nil } }
                    else if let f = opens ?? MDBlockParser.fenceOpen(s) { fence = (f.char, f.count) }
                }
            }
            guard let nl else { break }
            lineStart = text.index(after: nl)
        }
        var out: [Piece] = []
        var from = text.startIndex
        for (c, blank) in cuts { out.append(Piece(text: text[from..<c], blankAfter: blank)); from = c }
        out.append(Piece(text: text[from...], blankAfter: false))
        return out
    }

    /// The contents of each fenced code block, in order (what `y` copies).
    public static func codeBlocks(_ text: String) -> [String] {
        func collect(_ bs: [MDBlock]) -> [String] {
            bs.flatMap { b -> [String] in
                switch b {
                case .code(_, let lines, true, _): return [lines.joined(separator: "\n")]
                case .quote(let inner): return collect(inner)
                case .list(let l): return l.items.flatMap { collect($0.blocks) }
                default: return []
                }
            }
        }
        return collect(MDBlockParser.parse(text).blocks)
    }

    /// Inline Markdown on one line: emphasis, code, links, strikethrough (line breaks become spaces).
    static func inline(_ s: String, base: Style, code: Style) -> StyledLine {
        var t = Theme.plain
        t.slots[.code] = code
        return MarkdownRenderer(theme: t, refs: [:]).inlineLines(MDInlineParser.parse(s), base: base).joinedLine(base)
    }
}

/// Draws parsed Markdown in a theme.
struct MarkdownRenderer {
    let theme: Theme
    let refs: MDRefs

    static let bullets = ["•", "◦", "▪"]

    func blocks(_ bs: [MDBlock], width w: Int, base: Style, depth: Int) -> [StyledLine] {
        var out: [StyledLine] = []
        for b in bs {
            switch b {
            case .blank:
                out.append([])
            case .paragraph(let text):
                for l in inlineLines(MDInlineParser.parse(text, refs: refs), base: base) { out += Wrap.line(l, width: w) }
            case .heading(let level, let text):
                let st: Style = level == 1 ? theme[.accent].with([.bold, .underline])
                    : level == 2 ? theme[.accent].with(.bold)
                    : level == 3 ? base.with(.bold) : base.with([.bold, .italic])
                for l in inlineLines(MDInlineParser.parse(text, refs: refs), base: st) { out += Wrap.line(l, width: w) }
            case .rule:
                out.append([Span(String(repeating: "─", count: w), theme[.dim])])
            case .code(let info, let lines, let fenced, let closed):
                out += code(info: info, lines: lines, footer: fenced && closed, width: w)
            case .quote(let inner):
                let body = blocks(inner, width: w - 2, base: theme[.dim], depth: depth)
                for l in body.isEmpty ? [[]] : body { out.append([Span("│ ", theme[.dim])] + l) }
            case .list(let list):
                out += self.list(list, width: w, base: base, depth: depth)
            case .table(let t):
                out += table(t, width: w, base: base)
            }
        }
        return out
    }

    func list(_ l: MDList, width w: Int, base: Style, depth: Int) -> [StyledLine] {
        var out: [StyledLine] = []
        let last = l.start + l.items.count - 1
        let numW = String(last).count
        for (k, item) in l.items.enumerated() {
            if !l.tight, k > 0 { out.append([]) }
            var marker = l.ordered ? String(repeating: " ", count: numW - String(l.start + k).count) + "\(l.start + k). "
                                   : Self.bullets[depth % Self.bullets.count] + " "
            if let done = item.task { marker += done ? "[x] " : "[ ] " }
            let mw = CharWidth.of(marker)
            let body = blocks(item.blocks, width: max(4, w - mw), base: base, depth: depth + 1)
            for (i, line) in (body.isEmpty ? [[]] : body).enumerated() {
                out.append([Span(i == 0 ? marker : String(repeating: " ", count: mw), i == 0 ? theme[.accent] : base)] + line)
            }
        }
        return out
    }

    /// A code block: a header naming the language, each line highlighted and broken anywhere, rows that
    /// continue a wrapped line marked "↪" in the gutter, and a footer once the closing fence has come.
    func code(info: String, lines: [String], footer: Bool, width w: Int) -> [StyledLine] {
        let syntax = SyntaxHighlighter.syntax(named: info)
        var state = HighlightState()
        var out: [StyledLine] = [codeHeader(info)]
        for line in lines { out += codeRows(line, syntax, &state, width: w) }
        if footer { out.append([Span("└", theme[.dim])]) }
        return out
    }

    func codeHeader(_ info: String) -> StyledLine { [Span("┌ " + (info.isEmpty ? "code" : info), theme[.dim])] }

    /// One line of code: highlighted, broken anywhere, continuation rows marked.
    func codeRows(_ line: String, _ syntax: Syntax?, _ state: inout HighlightState, width w: Int) -> [StyledLine] {
        let spans = SyntaxHighlighter.styled(line, syntax, &state, theme: theme, base: theme[.code])
        let rows = Wrap.line(spans.isEmpty ? [Span(" ", theme[.code])] : spans, width: w - 2, words: false)
        return rows.enumerated().map { i, r in [Span(i == 0 ? "│ " : "↪ ", theme[.dim])] + r }
    }

    // MARK: Inlines

    /// Inlines as styled lines (a line break in the source starts a new line).
    func inlineLines(_ nodes: [MDInline], base: Style) -> [StyledLine] {
        var lines: [StyledLine] = [[]]
        func add(_ s: String, _ st: Style) {
            guard !s.isEmpty else { return }
            if let l = lines[lines.count - 1].last, l.style == st { lines[lines.count - 1][lines[lines.count - 1].count - 1].text += s }
            else { lines[lines.count - 1].append(Span(s, st)) }
        }
        func walk(_ ns: [MDInline], _ st: Style) {
            for n in ns {
                switch n {
                case .text(let s), .html(let s): add(s, st)
                case .code(let s): add(s, theme[.code])
                case .emph(let c): walk(c, st.with(.italic))
                case .strong(let c): walk(c, st.with(.bold))
                case .strike(let c): walk(c, st.with(.strike))
                case .softBreak, .hardBreak: lines.append([])
                case .link(let url, _, let c):
                    walk(c, st.with(.underline))
                    let shown = c.map(\.plain).joined()
                    if url != shown, url != "mailto:" + shown, url != "http://" + shown, !url.isEmpty { add(" (" + url + ")", theme[.dim]) }
                case .image(let url, _, let c):
                    add("[image: ", theme[.dim]); walk(c, st.with(.italic)); add("]", theme[.dim])
                    if !url.isEmpty { add(" (" + url + ")", theme[.dim]) }
                }
            }
        }
        walk(nodes, base)
        return lines
    }
}

extension Array where Element == StyledLine {
    /// The lines as one, a space between them.
    func joinedLine(_ space: Style) -> StyledLine { StyledLine(joined(separator: [Span(" ", space)])).merged }
}

extension Array where Element == Span {
    /// Adjacent spans of one style joined.
    var merged: StyledLine {
        var out: StyledLine = []
        for s in self where !s.text.isEmpty {
            if let l = out.last, l.style == s.style { out[out.count - 1].text += s.text } else { out.append(s) }
        }
        return out
    }
}

extension Substring {
    func trimming(_ set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
