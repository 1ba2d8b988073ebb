// Word wrap of styled text to a column width: breaks at spaces, breaks over-long words between
// graphemes, never splits a wide character, keeps a paragraph's leading indentation.

public enum Wrap {
    private struct Glyph { var ch: Character; var w: Int; var style: Style }

    /// Wraps one paragraph (no newlines) to `width` columns. `words: false` breaks anywhere (code).
    public static func line(_ spans: StyledLine, width: Int, words: Bool = true) -> [StyledLine] {
        let width = max(1, width)
        var glyphs: [Glyph] = []
        for s in spans {
            for ch in s.text {
                if ch == "\t" { for _ in 0..<4 { glyphs.append(Glyph(ch: " ", w: 1, style: s.style)) }; continue }
                glyphs.append(Glyph(ch: ch, w: CharWidth.of(ch), style: s.style))
            }
        }
        if glyphs.isEmpty { return [[]] }
        var lines: [[Glyph]] = [[]]
        var col = 0
        func newLine() { lines.append([]); col = 0 }
        func place(_ g: Glyph) {
            if col + g.w > width && col > 0 { newLine() }
            lines[lines.count - 1].append(g); col += g.w
        }
        if !words {
            for g in glyphs { place(g) }
            return lines.map(spans(of:))
        }
        // Leading indentation stays with the first line.
        var i = 0
        while i < glyphs.count, glyphs[i].ch == " " { place(glyphs[i]); i += 1 }
        while i < glyphs.count {
            var spaceEnd = i
            while spaceEnd < glyphs.count, glyphs[spaceEnd].ch == " " { spaceEnd += 1 }
            var wordEnd = spaceEnd
            while wordEnd < glyphs.count, glyphs[wordEnd].ch != " " { wordEnd += 1 }
            let spaceW = spaceEnd - i
            let wordW = glyphs[spaceEnd..<wordEnd].reduce(0) { $0 + $1.w }
            if wordEnd == spaceEnd { break }   // trailing spaces are dropped
            if col > 0 && col + spaceW + wordW > width {
                newLine()
            } else if col > 0 || lines.count == 1 {
                for g in glyphs[i..<spaceEnd] { place(g) }
            }
            if wordW > width - col {
                // Too long for any line: break between graphemes.
                for g in glyphs[spaceEnd..<wordEnd] { place(g) }
            } else {
                for g in glyphs[spaceEnd..<wordEnd] { lines[lines.count - 1].append(g); col += g.w }
            }
            i = wordEnd
        }
        return lines.map(spans(of:))
    }

    /// Wraps text with hard newlines in one style.
    public static func text(_ s: String, style: Style, width: Int, words: Bool = true) -> [StyledLine] {
        s.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line(StyledLine([Span(String($0), style)]), width: width, words: words) }
    }

    private static func spans(of glyphs: [Glyph]) -> StyledLine {
        var out: StyledLine = []
        for g in glyphs {
            if let last = out.last, last.style == g.style { out[out.count - 1].text.append(g.ch) }
            else { out.append(Span(String(g.ch), g.style)) }
        }
        return out
    }
}
