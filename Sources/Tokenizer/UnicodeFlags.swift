// Per-code-point character classes (\p{L}, \p{N}, \s …) with llama.cpp's exact tables (Unicode 15.1).

/// The class bits of one code point, laid out as llama.cpp's `unicode_cpt_flags`.
struct UnicodeFlags {
    static let undefined: UInt16 = 0x0001
    static let number: UInt16 = 0x0002       // \p{N}
    static let letter: UInt16 = 0x0004       // \p{L}
    static let separator: UInt16 = 0x0008    // \p{Z}
    static let mark: UInt16 = 0x0010         // \p{M}
    static let punctuation: UInt16 = 0x0020  // \p{P}
    static let symbol: UInt16 = 0x0040       // \p{S}
    static let control: UInt16 = 0x0080      // \p{C}
    static let categoryMask: UInt16 = 0x00FF
    static let whitespace: UInt16 = 0x0100   // \s (Unicode White_Space)

    static let maxCodePoint: UInt32 = 0x110000

    /// White_Space code points (PropList.txt), the set llama.cpp uses for \s.
    static let whitespaceList: [UInt32] = [
        0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
        0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
    ]

    /// One entry per code point below 0x110000: (0x110000) UInt16 flags.
    static let table: [UInt16] = {
        var t = [UInt16](repeating: undefined, count: Int(maxCodePoint))
        let r = ranges
        for i in 0..<r.count {
            let start = Int(r[i] >> 8)
            let end = i + 1 < r.count ? Int(r[i + 1] >> 8) : Int(maxCodePoint)
            let f = UInt16(r[i] & 0xFF)
            for c in start..<end { t[c] = f }
        }
        for c in whitespaceList { t[Int(c)] |= whitespace }
        return t
    }()

    /// Flags of a code point; code points beyond Unicode are "undefined", as in llama.cpp.
    @inline(__always) static func of(_ cp: UInt32) -> UInt16 {
        cp < maxCodePoint ? table[Int(cp)] : undefined
    }
}
