// The multi-line input editor: text as lines of graphemes, a caret, history, and the wrapped layout
// that tells the terminal where the caret is.

public struct InputEditor: Equatable, Sendable {
    public private(set) var lines: [[Character]] = [[]]
    /// Caret: line index and grapheme index within that line.
    public private(set) var row = 0, col = 0
    public private(set) var history: [String] = []
    /// Position while browsing history (nil = editing a new entry).
    private var historyIndex: Int? = nil
    private var draft: String = ""

    public init() {}

    public var text: String { lines.map { String($0) }.joined(separator: "\n") }
    public var isEmpty: Bool { lines.count == 1 && lines[0].isEmpty }

    public mutating func setText(_ s: String) {
        lines = s.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        if lines.isEmpty { lines = [[]] }
        row = lines.count - 1; col = lines[row].count
    }

    /// Inserts text at the caret (newlines split lines, tabs become spaces, other controls are dropped).
    /// Works a line at a time, so a large paste costs time in proportion to its size.
    public mutating func insert(_ s: String) {
        var segment: [Character] = []
        func flush() {
            guard !segment.isEmpty else { return }
            // A combining mark typed alone merges with the grapheme before it.
            if col > 0 {
                let joined = String(lines[row][col - 1]) + String(segment[0])
                if joined.count == 1 { lines[row][col - 1] = Character(joined); segment.removeFirst() }
            }
            lines[row].insert(contentsOf: segment, at: col)
            col += segment.count
            segment.removeAll(keepingCapacity: true)
        }
        for ch in s {
            if ch == "\n" || ch == "\r\n" || ch == "\r" { flush(); newline(); continue }
            if ch == "\t" { segment += [" ", " ", " ", " "]; continue }
            if let v = ch.unicodeScalars.first?.value, v < 0x20 || v == 0x7F { continue }
            segment.append(ch)
        }
        flush()
    }

    public mutating func newline() {
        let rest = Array(lines[row][col...])
        lines[row].removeSubrange(col...)
        lines.insert(rest, at: row + 1)
        row += 1; col = 0
    }

    public mutating func backspace() {
        if col > 0 { lines[row].remove(at: col - 1); col -= 1 }
        else if row > 0 {
            let cur = lines.remove(at: row)
            row -= 1; col = lines[row].count
            lines[row] += cur
        }
    }

    public mutating func deleteForward() {
        if col < lines[row].count { lines[row].remove(at: col) }
        else if row + 1 < lines.count { lines[row] += lines.remove(at: row + 1) }
    }

    public mutating func deleteWordBack() {
        while col > 0, lines[row][col - 1] == " " { backspace() }
        while col > 0, lines[row][col - 1] != " " { backspace() }
    }

    public mutating func killToStart() { lines[row].removeSubrange(0..<col); col = 0 }
    public mutating func killToEnd() { lines[row].removeSubrange(col...) }

    public mutating func left() {
        if col > 0 { col -= 1 } else if row > 0 { row -= 1; col = lines[row].count }
    }
    public mutating func right() {
        if col < lines[row].count { col += 1 } else if row + 1 < lines.count { row += 1; col = 0 }
    }
    /// Alt-B / Alt-F: to the start of this or the previous word, or past the end of the next one.
    public mutating func wordLeft() {
        if col == 0 { left(); return }
        while col > 0, lines[row][col - 1] == " " { col -= 1 }
        while col > 0, lines[row][col - 1] != " " { col -= 1 }
    }
    public mutating func wordRight() {
        if col == lines[row].count { right(); return }
        while col < lines[row].count, lines[row][col] == " " { col += 1 }
        while col < lines[row].count, lines[row][col] != " " { col += 1 }
    }
    public mutating func home() { col = 0 }
    public mutating func end() { col = lines[row].count }

    /// Up: previous line, or the previous history entry when on the first line. Returns false when nothing moved.
    @discardableResult
    public mutating func up() -> Bool {
        if row > 0 { row -= 1; col = min(col, lines[row].count); return true }
        guard !history.isEmpty else { return false }
        let i: Int
        if let h = historyIndex { guard h > 0 else { return false }; i = h - 1 } else { draft = text; i = history.count - 1 }
        historyIndex = i
        setText(history[i])
        return true
    }

    @discardableResult
    public mutating func down() -> Bool {
        if row + 1 < lines.count { row += 1; col = min(col, lines[row].count); return true }
        guard let h = historyIndex else { return false }
        if h + 1 < history.count { historyIndex = h + 1; setText(history[h + 1]) }
        else { historyIndex = nil; setText(draft) }
        return true
    }

    /// Empties the editor (history stays).
    public mutating func clear() { lines = [[]]; row = 0; col = 0; historyIndex = nil; draft = "" }

    /// Takes the text out for sending, remembers it in history and clears the editor.
    public mutating func take() -> String {
        let t = text
        if !t.trimming(" \n").isEmpty, history.last != t { history.append(t) }
        clear()
        return t
    }

    /// Wraps the text to `width` columns (breaking anywhere, never inside a wide character).
    /// Returns the visual rows and the caret's (x, row) among them.
    public func layout(width: Int) -> (rows: [String], caretX: Int, caretRow: Int) {
        let width = max(2, width)
        var rows: [String] = []
        var caretX = 0, caretRow = 0
        for (li, line) in lines.enumerated() {
            var cur = "", w = 0
            for (ci, ch) in line.enumerated() {
                let cw = CharWidth.of(ch)
                if w + cw > width { rows.append(cur); cur = ""; w = 0 }
                if li == row && ci == col { caretX = w; caretRow = rows.count }
                cur.append(ch); w += cw
            }
            if li == row && col >= line.count {
                // The caret after the last character needs one free column.
                if w + 1 > width { rows.append(cur); cur = ""; w = 0 }
                caretX = w; caretRow = rows.count
            }
            rows.append(cur)
        }
        return (rows, caretX, caretRow)
    }
}

extension String {
    func trimming(_ set: String) -> String { Substring(self).trimming(set) }
}
