// Maps theme colours to what the terminal has: xterm-256 indices, 16 or 8 colours, or none.
import TUI

public struct ColorMapper: Sendable {
    /// Colours the terminal reports (COLORS): 256, 16, 8 or 0.
    public let colors: Int
    public init(colors: Int) { self.colors = colors }

    /// The curses colour number for a theme colour; -1 is the terminal's default.
    public func number(_ c: Color) -> Int {
        switch c {
        case .default: return -1
        case .indexed(let i): return fromIndex(Int(i))
        case .rgb(let r, let g, let b):
            if colors >= 256 { return ColorMapper.nearest256(Int(r), Int(g), Int(b)) }
            if colors >= 16 { return ColorMapper.nearest16(Int(r), Int(g), Int(b)) }
            if colors >= 8 { return ColorMapper.nearest((Int(r), Int(g), Int(b)), among: 0..<8) }
            return -1
        }
    }

    func fromIndex(_ i: Int) -> Int {
        if colors >= 256 || (colors >= 16 && i < 16) { return i }
        if colors >= 16 { return ColorMapper.nearest16(rgbOf256(i)) }
        // 8 colours: the nearest of the basic eight (bright black becomes white, not an invisible black).
        if colors >= 8 { return ColorMapper.nearest(rgbOf256(i), among: 0..<8) }
        return -1
    }

    /// xterm-256: 16 system colours, a 6×6×6 cube (levels 0,95,135,175,215,255), 24 greys (8..238).
    static let levels = [0, 95, 135, 175, 215, 255]

    public static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        func lvl(_ v: Int) -> Int { levels.indices.min { abs(levels[$0] - v) < abs(levels[$1] - v) } ?? 0 }
        let ri = lvl(r), gi = lvl(g), bi = lvl(b)
        let cube = 16 + 36 * ri + 6 * gi + bi
        let cubeD = dist((r, g, b), (levels[ri], levels[gi], levels[bi]))
        let avg = (r + g + b) / 3
        let gi2 = max(0, min(23, (avg - 3) / 10))
        let grey = 8 + 10 * gi2
        let greyD = dist((r, g, b), (grey, grey, grey))
        return greyD < cubeD ? 232 + gi2 : cube
    }

    /// The usual xterm values of the 16 system colours.
    static let palette16: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    public static func nearest16(_ r: Int, _ g: Int, _ b: Int) -> Int { nearest((r, g, b), among: 0..<16) }

    static func nearest(_ c: (Int, Int, Int), among r: Range<Int>) -> Int {
        r.min { dist(c, palette16[$0]) < dist(c, palette16[$1]) } ?? 0
    }
    static func nearest16(_ c: (Int, Int, Int)) -> Int { nearest16(c.0, c.1, c.2) }

    func rgbOf256(_ i: Int) -> (Int, Int, Int) {
        if i < 16 { return ColorMapper.palette16[i] }
        if i >= 232 { let v = 8 + 10 * (i - 232); return (v, v, v) }
        let n = i - 16
        return (ColorMapper.levels[n / 36], ColorMapper.levels[(n / 6) % 6], ColorMapper.levels[n % 6])
    }

    static func dist(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        // Weighted RGB distance plus a chroma term, so greys go to greys rather than to a dim colour.
        let ca = max(a.0, a.1, a.2) - min(a.0, a.1, a.2), cb = max(b.0, b.1, b.2) - min(b.0, b.1, b.2)
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db + 3 * (ca - cb) * (ca - cb)
    }
}
