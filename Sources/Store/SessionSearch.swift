// Full-text search across sessions: titles, message text, reasoning and tool calls, case-insensitive.
import Chat
import Foundation

public struct SearchMatch: Sendable, Equatable {
    /// Index in `messages`, nil for a title match.
    public var messageIndex: Int?
    public var role: Role?
    /// "title", "content", "reasoning" or "tool call".
    public var field: String
    /// The matched text with some context, on one line.
    public var snippet: String
}

public struct SearchHit: Sendable, Equatable {
    public var summary: SessionSummary
    public var matches: [SearchMatch]
}

extension SessionStore {
    /// Sessions containing `text` (case- and diacritic-insensitive), newest first. Damaged files are skipped
    /// (they show in `list()`).
    public func search(_ text: String) -> [SearchHit] {
        let needle = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !needle.isEmpty else { return [] }
        var hits: [SearchHit] = []
        for id in ids(in: directory) {
            guard let s = try? read(id: id, at: path(for: id), keepUnknown: false).session else { continue }
            let matches = Self.matches(in: s, needle: needle)
            if !matches.isEmpty { hits.append(SearchHit(summary: Self.summary(s, path: path(for: id)), matches: matches)) }
        }
        return hits.sorted { ($0.summary.updated, $0.summary.id) > ($1.summary.updated, $1.summary.id) }
    }

    static func matches(in s: Session, needle: String) -> [SearchMatch] {
        var out: [SearchMatch] = []
        if let snip = snippet(s.displayTitle, needle) { out.append(SearchMatch(messageIndex: nil, role: nil, field: "title", snippet: snip)) }
        for (i, m) in s.messages.enumerated() {
            var fields: [(String, String)] = [("content", m.content)]
            if let r = m.reasoning { fields.append(("reasoning", r)) }
            for c in m.toolCalls { fields.append(("tool call", "\(c.name) \(c.arguments.serialized(.compact))")) }
            for (name, text) in fields {
                if let snip = snippet(text, needle) { out.append(SearchMatch(messageIndex: i, role: m.role, field: name, snippet: snip)) }
            }
        }
        return out
    }

    /// Up to 40 characters either side of the first match, newlines as spaces; nil when there is no match.
    static func snippet(_ text: String, _ needle: String) -> String? {
        guard let r = text.range(of: needle, options: [.caseInsensitive, .diacriticInsensitive]) else { return nil }
        let start = text.index(r.lowerBound, offsetBy: -40, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(r.upperBound, offsetBy: 40, limitedBy: text.endIndex) ?? text.endIndex
        var s = text[start..<end].split(whereSeparator: \.isNewline).joined(separator: " ")
        if start > text.startIndex { s = "…" + s }
        if end < text.endIndex { s += "…" }
        return s
    }
}
