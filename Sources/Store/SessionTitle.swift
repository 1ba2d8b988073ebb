// Default titles: a short summary of the first user message, made without asking the model.
import Chat
import Foundation

public enum SessionTitle {
    public static let maxLength = 60

    /// The first non-empty line of the first user message, whitespace collapsed, control characters removed.
    public static func firstUserLine(_ messages: [Message]) -> String? {
        guard let m = messages.first(where: { $0.role == .user }) else { return nil }
        for line in m.content.split(whereSeparator: \.isNewline) {
            let words = printable(String(line)).split(whereSeparator: \.isWhitespace)
            if !words.isEmpty { return words.joined(separator: " ") }
        }
        return nil
    }

    /// `s` with control characters (escape sequences could restyle a terminal) turned into spaces.
    public static func printable(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// The first user line, without leading Markdown markers, cut at a word boundary to `maxLength`
    /// characters with "…"; nil when there is no user text yet.
    public static func `default`(for messages: [Message]) -> String? {
        guard var line = firstUserLine(messages) else { return nil }
        while let f = line.first, "#>*-`".contains(f) { line.removeFirst() }
        line = line.trimmingCharacters(in: .whitespaces)
        if line.isEmpty { return nil }
        guard line.count > maxLength else { return line }
        let cut = String(line.prefix(maxLength - 1))
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) >= maxLength / 2 {
            return String(cut[..<space]).trimmingCharacters(in: .punctuationCharacters.union(.whitespaces)) + "…"
        }
        return cut + "…"
    }
}
