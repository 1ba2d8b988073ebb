// Streaming detokenizer: token pieces in, text out only at UTF-8 character boundaries.

/// Feed token ids one at a time; each call returns the text that is complete so far. A character split across
/// tokens is held back until its last byte arrives; bytes that can never form a character come out as U+FFFD,
/// exactly as decoding all bytes at once would show them.
public struct StreamingDetokenizer {
    let tokenizer: Tokenizer
    let renderSpecial: Bool
    /// Bytes of an unfinished character (at most 3).
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    public mutating func push(_ id: Int) -> String {
        pending += tokenizer.piece(id, renderSpecial: renderSpecial)
        let cut = Self.completePrefix(pending)
        guard cut > 0 else { return "" }
        let s = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return s
    }

    /// Whatever is left (an unfinished character shows as U+FFFD).
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that ends outside any character still able to complete.
    static func completePrefix(_ b: [UInt8]) -> Int {
        let n = b.count
        // The last lead byte within the final 4 bytes.
        var i = n - 1
        while i >= 0 && i >= n - 4 && b[i] & 0xC0 == 0x80 { i -= 1 }
        guard i >= 0, i >= n - 4 else { return n }
        let lead = b[i]
        let need: Int
        switch lead {
        case 0xC2...0xDF: need = 2
        case 0xE0...0xEF: need = 3
        case 0xF0...0xF4: need = 4
        default: return n
        }
        let have = n - i
        guard have < need else { return n }
        // The bytes after the lead must be a valid start of the sequence (second byte ranges per lead).
        if have >= 2 {
            let s = b[i + 1]
            let ok: Bool
            switch lead {
            case 0xE0: ok = (0xA0...0xBF).contains(s)
            case 0xED: ok = (0x80...0x9F).contains(s)
            case 0xF0: ok = (0x90...0xBF).contains(s)
            case 0xF4: ok = (0x80...0x8F).contains(s)
            default: ok = (0x80...0xBF).contains(s)
            }
            if !ok { return n }
        }
        return i
    }
}
