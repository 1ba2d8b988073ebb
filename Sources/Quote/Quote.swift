// File and server text on its way to a terminal or into an error message: short and inert. Every module that puts
// text it did not write (a GGUF key, a session field, a server's reply) into a message goes through `quoted`, so a
// corrupt length cannot make a message megabytes long and a stray ESC cannot drive the user's terminal; whole
// stored texts printed to a terminal (`sessions show`, `info`) go through `terminalSafe`.

/// `text` as at most `limit` bytes of UTF-8 (then "…"), with control characters (C0, DEL, C1, and the bidi
/// controls that reorder what follows them) written as `\u{1B}`-style escapes. The limit counts the escapes, so a
/// whole message stays short whatever the text holds.
public func quoted(_ text: some StringProtocol, limit: Int = 160) -> String {
    var out = ""
    var bytes = 0
    for u in text.unicodeScalars {
        let piece = isUnsafeForTerminal(u) ? escaped(u) : String(u)
        let n = piece.utf8.count
        if bytes + n > limit { return out + "…" }
        out += piece
        bytes += n
    }
    return out
}

/// `quoted` for raw bytes (invalid UTF-8 shows as U+FFFD); decodes no more than the limit can show.
public func quoted(bytes: some Collection<UInt8>, limit: Int = 160) -> String {
    let head = bytes.prefix(limit + 4)
    let s = quoted(String(decoding: head, as: UTF8.self), limit: limit)
    return head.count < bytes.count && !s.hasSuffix("…") ? s + "…" : s
}

/// How `terminalSafe` writes a character it escapes.
public enum EscapeStyle: Sendable {
    /// `\u{1B}`: readable in plain text.
    case swift
    /// `\u001b`: for JSON text, which stays valid JSON with the same value (the characters escaped can only
    /// stand inside its strings).
    case json
}

/// The whole of `text`, every character `isUnsafeForTerminal` names escaped except line feeds and tabs, which keep
/// their layout; nothing is cut. What a command prints to a terminal when the text comes from a file.
public func terminalSafe(_ text: some StringProtocol, style: EscapeStyle = .swift) -> String {
    guard text.unicodeScalars.contains(where: { isUnsafeForTerminal($0) && $0 != "\n" && $0 != "\t" }) else { return String(text) }
    var out = ""
    out.reserveCapacity(text.utf8.count + 16)
    for u in text.unicodeScalars {
        if isUnsafeForTerminal(u) && u != "\n" && u != "\t" { out += escaped(u, style: style) } else { out.unicodeScalars.append(u) }
    }
    return out
}

/// One character written as a visible escape.
public func escaped(_ u: Unicode.Scalar, style: EscapeStyle = .swift) -> String {
    let hex = String(u.value, radix: 16, uppercase: style == .swift)
    switch style {
    case .swift: return "\\u{" + hex + "}"
    case .json: return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

/// C0 controls, DEL, C1 controls (0x9B is a one-byte CSI), and the Unicode bidi embedding, override and isolate
/// controls (and the marks) that make a terminal show text in another order than it is.
public func isUnsafeForTerminal(_ u: Unicode.Scalar) -> Bool {
    switch u.value {
    case 0x00...0x1F, 0x7F...0x9F: return true
    case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
    default: return false
    }
}
