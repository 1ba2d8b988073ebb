// Turns bytes read in arbitrary pieces into text without splitting a character: a multi-byte character cut
// at the end of one read waits for the rest from the next.
struct UTF8Chunks {
    private var pending: [UInt8] = []

    /// The text of `bytes` after what was held back, keeping back an incomplete character at the end.
    mutating func take(_ bytes: UnsafeRawBufferPointer) -> String {
        pending.append(contentsOf: bytes)
        guard !pending.isEmpty else { return "" }
        var cut = pending.count
        // A lead byte among the last three whose character needs more bytes than follow it.
        for back in 1...min(3, pending.count) {
            let b = pending[pending.count - back]
            if b & 0xC0 == 0x80 { continue }
            let need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            if need > back { cut = pending.count - back }
            break
        }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeSubrange(..<cut)
        return text
    }

    /// Whatever is still held back (an incomplete character at the very end: shown as U+FFFD).
    mutating func finish() -> String {
        defer { pending = [] }
        return pending.isEmpty ? "" : String(decoding: pending, as: UTF8.self)
    }
}
