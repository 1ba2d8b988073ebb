// GFM tables on screen: aligned columns with wrapped cell text, a bold header over a light rule; when the
// columns cannot fit without breaking their words, each row becomes a short list of "header: value" lines.

extension MarkdownRenderer {
    /// Columns narrower than this many cells (or their longest word, if shorter) make the table a list.
    static let minColumn = 6
    /// A longer word may be broken inside its column rather than forcing the list form.
    static let longWord = 16

    func table(_ t: MDTable, width w: Int, base: Style) -> [StyledLine] {
        let n = t.aligns.count
        let header = t.header.map { cell($0, base: base.with(.bold)) }
        let rows = t.rows.map { $0.map { cell($0, base: base) } }
        guard let widths = columnWidths(header: header, rows: rows, width: w) else { return tableAsList(header: header, rows: rows, width: w, base: base) }
        let dim = theme[.dim]
        var out: [StyledLine] = []
        func emit(_ cells: [StyledLine]) {
            let wrapped = (0..<n).map { Wrap.line(cells[$0], width: widths[$0]) }
            let height = wrapped.map(\.count).max() ?? 1
            for r in 0..<height {
                var line: StyledLine = []
                for j in 0..<n {
                    if j > 0 { line.append(Span(" │ ", dim)) }
                    let content = r < wrapped[j].count ? wrapped[j][r] : []
                    let pad = widths[j] - content.columns
                    let (left, right): (Int, Int) = switch t.aligns[j] {
                    case .right: (pad, 0)
                    case .center: (pad / 2, pad - pad / 2)
                    default: (0, pad)
                    }
                    if left > 0 { line.append(Span(String(repeating: " ", count: left), base)) }
                    line += content
                    if right > 0, j < n - 1 { line.append(Span(String(repeating: " ", count: right), base)) }
                }
                out.append(line.merged)
            }
        }
        let rule: StyledLine = [Span(widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─"), dim)]
        emit(header)
        out.append(rule)
        // Rows that wrap get a rule between them so each row reads as one.
        let tall = rows.contains { r in (0..<n).contains { Wrap.line(r[$0], width: widths[$0]).count > 1 } }
        for (k, r) in rows.enumerated() {
            if tall, k > 0 { out.append([Span(widths.map { String(repeating: "╌", count: $0) }.joined(separator: "╌┼╌"), dim)]) }
            emit(r)
        }
        return out
    }

    /// One cell's inlines on one line.
    func cell(_ s: String, base: Style) -> StyledLine {
        inlineLines(MDInlineParser.parse(s, refs: refs), base: base).joinedLine(base)
    }

    /// Each column's width: its natural width when all fit, else shared out so that no column gets less
    /// than its longest word (up to `longWord`); nil when even that does not fit.
    func columnWidths(header: [StyledLine], rows: [[StyledLine]], width w: Int) -> [Int]? {
        let n = header.count
        let cols = (0..<n).map { j in [header[j]] + rows.map { $0[j] } }
        let natural = cols.map { c in max(1, c.map(\.columns).max() ?? 1) }
        let budget = w - 3 * (n - 1)
        if natural.reduce(0, +) <= budget { return natural }
        let longest = cols.map { c in c.map { l in l.plainText.split(separator: " ").map { CharWidth.of($0) }.max() ?? 0 }.max() ?? 0 }
        var widths = (0..<n).map { min(natural[$0], max(min(longest[$0], Self.longWord), Self.minColumn)) }
        guard widths.reduce(0, +) <= budget else { return nil }
        var extra = budget - widths.reduce(0, +)
        // Give the rest a cell at a time to the column that is furthest from its natural width.
        while extra > 0, let j = (0..<n).filter({ widths[$0] < natural[$0] }).max(by: { natural[$0] - widths[$0] < natural[$1] - widths[$1] }) {
            widths[j] += 1; extra -= 1
        }
        return widths
    }

    /// The narrow form: per row, "• header: value" then "  header: value" for the other columns.
    func tableAsList(header: [StyledLine], rows: [[StyledLine]], width w: Int, base: Style) -> [StyledLine] {
        var out: [StyledLine] = []
        for r in rows {
            for (j, value) in r.enumerated() {
                let label: StyledLine = header[j].isEmpty ? [] : header[j] + [Span(": ", base.with(.bold))]
                // A value that wraps hangs under its label's start, two columns in.
                let body = Wrap.line((label + value).merged, width: w - 4)
                for (i, l) in body.enumerated() {
                    out.append([Span(i > 0 ? "    " : j == 0 ? "• " : "  ", theme[.accent])] + l)
                }
            }
        }
        return out
    }
}
