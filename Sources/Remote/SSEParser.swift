// Server-sent events decoder (WHATWG EventSource rules): fed raw body bytes in arbitrary pieces, it yields
// complete events. Lines end in LF, CRLF or CR (also when the CR and LF arrive in different pieces);
// lines starting with ':' are comments (keep-alives); text is decoded per whole line, so a UTF-8 sequence
// split between pieces is kept intact.
import Foundation

public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field; "message" when absent.
    public var type: String
    /// The `data:` lines joined with "\n".
    public var data: String
    public init(type: String = "message", data: String) { self.type = type; self.data = data }
}

public struct SSEParser: Sendable {
    /// Largest event accepted (its `data:` lines together, or one line); a larger one means the peer is not
    /// speaking SSE, or never ends its events, and reading stops rather than growing without bound.
    public static let maxEventBytes = 8 << 20

    private var line: [UInt8] = []       // bytes of the current, unfinished line
    private var lastWasCR = false        // the previous piece ended in CR: a leading LF belongs to it
    private var dataLines: [String] = []
    private var hasData = false
    private var eventType = ""
    private var eventBytes = 0
    /// An event or line went over `maxEventBytes`: the caller stops reading and reports it.
    public private(set) var overflow = false

    public init() {}

    /// Consumes one piece of the body and returns the events it completed.
    public mutating func feed<C: Collection>(_ bytes: C) -> [SSEEvent] where C.Element == UInt8 {
        var out: [SSEEvent] = []
        for b in bytes {
            if lastWasCR {
                lastWasCR = false
                if b == 0x0A { continue }
            }
            if b == 0x0A || b == 0x0D {
                lastWasCR = b == 0x0D
                if let e = endLine() { out.append(e) }
            } else if line.count + eventBytes < Self.maxEventBytes {
                line.append(b)
            } else {
                overflow = true
                return out
            }
        }
        return out
    }

    /// The body ended: an event not closed by a blank line is dropped, as the EventSource rules say,
    /// except a final unterminated `data:` line, which is kept (some servers omit the last blank line).
    public mutating func finish() -> [SSEEvent] {
        var out: [SSEEvent] = []
        if !line.isEmpty, let e = endLine() { out.append(e) }
        if hasData { out.append(SSEEvent(type: eventType.isEmpty ? "message" : eventType, data: dataLines.joined(separator: "\n"))) }
        reset()
        return out
    }

    private mutating func reset() { dataLines = []; hasData = false; eventType = ""; eventBytes = 0 }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            guard hasData else { eventType = ""; return nil }
            let e = SSEEvent(type: eventType.isEmpty ? "message" : eventType, data: dataLines.joined(separator: "\n"))
            reset()
            return e
        }
        if line[0] == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = String(decoding: line[..<(colon ?? line.count)], as: UTF8.self)
        var valueStart = colon.map { $0 + 1 } ?? line.count
        if valueStart < line.count, line[valueStart] == 0x20 { valueStart += 1 }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch name {
        case "data": dataLines.append(value); hasData = true; eventBytes += line.count + 1
        case "event": eventType = value
        default: break  // id, retry and unknown fields do not matter for one response
        }
        return nil
    }
}
