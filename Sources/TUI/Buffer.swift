// The screen as a grid of cells (grapheme + style + width); render() draws here, Terminal diffs it.

public struct Cell: Equatable, Sendable {
    /// One grapheme; "" for the right half of a wide character.
    public var text: String
    /// 1 or 2 for a character cell, 0 for the continuation of a wide character.
    public var width: UInt8
    public var style: Style
    public init(text: String = " ", width: UInt8 = 1, style: Style = .plain) { self.text = text; self.width = width; self.style = style }
}

public struct Buffer: Equatable, Sendable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]   // (height, width), row-major
    /// Where the terminal cursor should sit (the input caret), or nil to hide it.
    public var cursor: (x: Int, y: Int)? = nil

    public init(width: Int, height: Int, style: Style = .plain) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: Cell(style: style), count: self.width * self.height)
    }

    public static func == (a: Buffer, b: Buffer) -> Bool {
        a.width == b.width && a.height == b.height && a.cells == b.cells && a.cursor?.x == b.cursor?.x && a.cursor?.y == b.cursor?.y
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    public mutating func fill(_ style: Style, x: Int = 0, y: Int = 0, w: Int? = nil, h: Int? = nil) {
        let x1 = min(width, x + (w ?? width)), y1 = min(height, y + (h ?? height))
        guard x < x1, y < y1 else { return }
        for yy in max(0, y)..<y1 { for xx in max(0, x)..<x1 { self[xx, yy] = Cell(style: style) } }
    }

    /// Draws text from column x on row y, clipped at column `limit` (default: the right edge). A wide
    /// character that does not fit is replaced by spaces, never split. Returns the column after the text.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let end = min(width, limit ?? width)
        var col = x
        for ch in text {
            var w = CharWidth.of(ch)
            var g = String(ch)
            if ch.unicodeScalars.first.map({ $0.value < 0x20 || $0.value == 0x7F }) ?? false { g = "�"; w = 1 }
            if w == 0 {
                // A lone mark joins the grapheme on its left.
                if col > x, col - 1 < end, col - 1 >= 0 {
                    var p = col - 1
                    if self[p, y].width == 0, p > 0 { p -= 1 }
                    self[p, y].text += g
                }
                continue
            }
            if col >= end { break }
            if col < 0 { col += w; continue }
            if col + w > end {
                for c in col..<end { self[c, y] = Cell(style: style) }
                col = end
                break
            }
            clearWide(at: col, y: y)
            self[col, y] = Cell(text: g, width: UInt8(w), style: style)
            if w == 2 { clearWide(at: col + 1, y: y); self[col + 1, y] = Cell(text: "", width: 0, style: style) }
            col += w
        }
        return col
    }

    @discardableResult
    public mutating func put(_ line: StyledLine, x: Int, y: Int, limit: Int? = nil) -> Int {
        var col = x
        for s in line { col = put(s.text, x: col, y: y, style: s.style, limit: limit) }
        return col
    }

    /// Overwriting half of a wide character blanks its other half.
    private mutating func clearWide(at x: Int, y: Int) {
        guard x >= 0, x < width else { return }
        let c = self[x, y]
        if c.width == 0, x > 0 { self[x - 1, y] = Cell(style: self[x - 1, y].style) }
        if c.width == 2, x + 1 < width { self[x + 1, y] = Cell(style: c.style) }
    }

    /// Row y as text (wide characters once, trailing spaces kept).
    public func rowText(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where self[x, y].width > 0 { s += self[x, y].text }
        return s
    }

    /// All rows with trailing spaces trimmed: what snapshot tests compare.
    public var lines: [String] {
        (0..<height).map { y in
            var s = rowText(y)
            while s.last == " " { s.removeLast() }
            return s
        }
    }
}
