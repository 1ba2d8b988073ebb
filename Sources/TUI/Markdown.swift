// Light Markdown for the transcript: headings, emphasis, lists, quotes, inline code and fenced code
// blocks in their own style, wrapped to a width.

public enum Markdown {
    /// Renders Markdown text into wrapped lines. Fenced code keeps its spacing and breaks anywhere.
    public static func render(_ text: String, width: Int, base: Style, theme: Theme) -> [StyledLine] {
        var inFence = false
        return render(text, width: width, base: base, theme: theme, inFence: &inFence)
    }

    /// Same, starting inside or outside a fenced block and reporting where the text ends (so a streaming
    /// reply can be rendered a piece at a time).
    public static func render(_ text: String, width: Int, base: Style, theme: Theme, inFence: inout Bool) -> [StyledLine] {
        let width = max(4, width)
        var out: [StyledLine] = []
        let code = theme[.code]
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                inFence.toggle()
                let lang = trimmed.dropFirst(3).trimming(" ")
                out.append([Span(inFence ? "┌ " + (lang.isEmpty ? "code" : lang) : "└", theme[.dim])])
                continue
            }
            if inFence {
                for l in Wrap.line([Span(line.isEmpty ? " " : line, code)], width: width - 2, words: false) {
                    out.append([Span("│ ", theme[.dim])] + l)
                }
                continue
            }
            if let h = heading(trimmed) {
                out += Wrap.line(inline(h, base: theme[.accent].with(.bold), code: code), width: width)
                continue
            }
            if let (marker, rest) = listItem(line) {
                let indentW = CharWidth.of(marker)
                let body = Wrap.line(inline(rest, base: base, code: code), width: width - indentW)
                for (i, l) in body.enumerated() {
                    out.append([Span(i == 0 ? marker : String(repeating: " ", count: indentW), i == 0 ? theme[.accent] : base)] + l)
                }
                continue
            }
            if trimmed.hasPrefix(">") {
                let rest = String(trimmed.dropFirst().drop(while: { $0 == " " }))
                for l in Wrap.line(inline(rest, base: theme[.dim], code: code), width: width - 2) {
                    out.append([Span("▏ ", theme[.dim])] + l)
                }
                continue
            }
            out += Wrap.line(inline(line, base: base, code: code), width: width)
        }
        return out
    }

    /// The contents of each fenced code block, in order (what `y` copies).
    public static func codeBlocks(_ text: String) -> [String] {
        var blocks: [String] = [], cur: [String]? = nil
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = raw.drop(while: { $0 == " " })
            if t.hasPrefix("```") || t.hasPrefix("~~~") {
                if let c = cur { blocks.append(c.joined(separator: "\n")); cur = nil } else { cur = [] }
            } else if cur != nil { cur?.append(String(raw)) }
        }
        if let c = cur { blocks.append(c.joined(separator: "\n")) }
        return blocks
    }

    static func heading(_ s: Substring) -> String? {
        let hashes = s.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(hashes), s.dropFirst(hashes).first == " " else { return nil }
        return String(s.dropFirst(hashes + 1))
    }

    static func listItem(_ line: String) -> (String, String)? {
        let indent = line.prefix(while: { $0 == " " }).count
        let s = line.dropFirst(indent)
        let pad = String(repeating: " ", count: min(indent, 8))
        if (s.hasPrefix("- ") || s.hasPrefix("* ") || s.hasPrefix("+ ")) { return (pad + "• ", String(s.dropFirst(2))) }
        let digits = s.prefix(while: { $0.isASCII && $0.isNumber })
        if !digits.isEmpty, digits.count <= 3 {
            let after = s.dropFirst(digits.count)
            if after.hasPrefix(". ") || after.hasPrefix(") ") { return (pad + digits + ". ", String(after.dropFirst(2))) }
        }
        return nil
    }

    /// Inline emphasis: **bold**, *italic* / _italic_, `code`. Unclosed markers stay as text.
    static func inline(_ s: String, base: Style, code: Style) -> StyledLine {
        var out: StyledLine = []
        func emit(_ t: String, _ st: Style) {
            guard !t.isEmpty else { return }
            if let l = out.last, l.style == st { out[out.count - 1].text += t } else { out.append(Span(t, st)) }
        }
        let chars = Array(s)
        var i = 0
        var bold = false, italic = false
        func cur() -> Style { var st = base; if bold { st.attrs.insert(.bold) }; if italic { st.attrs.insert(.italic) }; return st }
        func closes(_ marker: [Character], from j: Int) -> Bool {
            var k = j
            while k + marker.count <= chars.count {
                if Array(chars[k..<k + marker.count]) == marker { return true }
                k += 1
            }
            return false
        }
        while i < chars.count {
            let c = chars[i]
            if c == "`" {
                if let end = chars[(i + 1)...].firstIndex(of: "`") {
                    emit(String(chars[(i + 1)..<end]), code)
                    i = end + 1; continue
                }
            } else if c == "*" && i + 1 < chars.count && chars[i + 1] == "*" {
                if bold || closes(["*", "*"], from: i + 2) { bold.toggle(); i += 2; continue }
            } else if (c == "*" || c == "_") {
                let prevAlnum = i > 0 && (chars[i - 1].isLetter || chars[i - 1].isNumber)
                if italic || (!prevAlnum && i + 1 < chars.count && chars[i + 1] != " " && closes([c], from: i + 1)) {
                    italic.toggle(); i += 1; continue
                }
            }
            emit(String(c), cur())
            i += 1
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
