// Terminal column widths of graphemes (wcwidth rules): wide East Asian, emoji incl. ZWJ sequences and
// flags, zero-width combining marks and format characters.

public enum CharWidth {
    /// Columns a grapheme takes: 0 (combining/format only), 1 or 2. Control characters count 0.
    public static func of(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count > 1 {
            var riCount = 0
            for s in scalars {
                // VS16 asks for emoji presentation; ZWJ joins emoji into one picture; skin tones and
                // keycaps likewise make a two-column emoji.
                if s.value == 0xFE0F || (s.value == 0x200D && first.properties.isEmoji) || (0x1F3FB...0x1F3FF).contains(s.value) {
                    if first.properties.isEmoji { return 2 }
                }
                if (0x1F1E6...0x1F1FF).contains(s.value) { riCount += 1 }
            }
            if riCount >= 2 { return 2 }
        }
        let w = scalarWidth(first)
        if w == 0 {
            // A grapheme that starts with a mark (no base) still takes the widest of its scalars.
            return scalars.map(scalarWidth).max() ?? 0
        }
        return w
    }

    /// Columns of a string: the sum over its graphemes.
    public static func of<S: StringProtocol>(_ s: S) -> Int { s.reduce(0) { $0 + of($1) } }

    /// wcwidth of one scalar: 0, 1 or 2 (controls 0).
    public static func scalarWidth(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v == 0 { return 0 }
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        if v < 0x300 { return 1 }
        if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 }   // Hangul medial/final jamo
        if v == 0x200B || (0x200C...0x200F).contains(v) || (0x2028...0x202E).contains(v) || (0x2060...0x2064).contains(v) { return 0 }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1F1E6...0x1F1FF).contains(v) { return 1 }   // a lone regional indicator (pairs are flags: 2)
        if s.properties.isEmojiPresentation { return 2 }
        if isWide(v) { return 2 }
        return 1
    }

    /// East Asian Wide (W) and Fullwidth (F) ranges, Unicode 15.
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x2E99, 0x2E9B...0x2EF3, 0x2F00...0x2FD5, 0x2FF0...0x2FFB,
        0x3000...0x303E, 0x3041...0x3096, 0x3099...0x30FF, 0x3105...0x312F, 0x3131...0x318E, 0x3190...0x31E3,
        0x31F0...0x321E, 0x3220...0x3247, 0x3250...0x4DBF, 0x4E00...0xA48C, 0xA490...0xA4C6, 0xA960...0xA97C,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE52, 0xFE54...0xFE66, 0xFE68...0xFE6B,
        0xFF01...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x16FF0...0x16FF1, 0x17000...0x187F7,
        0x18800...0x18CD5, 0x18D00...0x18D08, 0x1AFF0...0x1B2FB, 0x1F200...0x1F202, 0x1F210...0x1F23B,
        0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        var lo = 0, hi = wideRanges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = wideRanges[mid]
            if v < r.lowerBound { hi = mid - 1 } else if v > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }
}
