// Caps tool output at a byte budget by keeping its head and tail with a marker saying how much was left out.
import Foundation

public enum OutputCap {
    /// The text itself when it fits in `limit` bytes, else its first and last limit/2 bytes (cut at UTF-8
    /// boundaries) around a marker. Returns whether anything was removed.
    public static func apply(_ text: String, limit: Int) -> (text: String, truncated: Bool) {
        let b = Array(text.utf8)
        guard b.count > limit, limit > 0 else { return (text, false) }
        return (join(head: Array(b[..<(limit / 2)]), tail: Array(b[(b.count - limit / 2)...]), total: b.count), true)
    }

    static func marker(omitted: Int) -> String { "\n[… \(omitted) bytes omitted …]\n" }

    static func join(head: [UInt8], tail: [UInt8], total: Int) -> String {
        var h = head[...], t = tail[...]
        // Do not cut a multi-byte character: drop a partial one at the end of head and the start of tail.
        if let lead = h.lastIndex(where: { $0 & 0xC0 != 0x80 }), h[lead] >= 0xC0 {
            let need = h[lead] >= 0xF0 ? 4 : h[lead] >= 0xE0 ? 3 : 2
            if h.endIndex - lead < need { h = h[..<lead] }
        }
        while let f = t.first, f & 0xC0 == 0x80 { t = t.dropFirst() }
        let omitted = total - h.count - t.count
        return String(decoding: h, as: UTF8.self) + marker(omitted: omitted) + String(decoding: t, as: UTF8.self)
    }
}

/// Collects a stream of bytes keeping only the first and last `limit/2` bytes (memory stays bounded).
struct HeadTailCollector {
    let half: Int
    var head: [UInt8] = []
    var tail: [UInt8] = []      // ring buffer of the last `half` bytes
    var tailStart = 0
    var total = 0

    init(limit: Int) { half = max(1, limit / 2) }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        for b in bytes {
            total += 1
            if head.count < half { head.append(b); continue }
            if tail.count < half { tail.append(b) } else { tail[tailStart] = b; tailStart = (tailStart + 1) % half }
        }
    }

    var truncated: Bool { total > head.count + tail.count }

    var text: String {
        let t = Array(tail[tailStart...] + tail[..<tailStart])
        if !truncated { return String(decoding: head + t, as: UTF8.self) }
        return OutputCap.join(head: head, tail: t, total: total)
    }
}
