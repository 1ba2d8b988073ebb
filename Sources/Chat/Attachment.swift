// A workspace file attached to a user message with `@path`: its text as read when the message was sent (kept
// with the conversation, so the prompt never changes under the model), and how it is shown to the model.
import Foundation

public struct Attachment: Codable, Sendable, Equatable {
    /// The path as written after `@`, relative to the workspace.
    public var path: String
    /// The file's text, cut at `maxBytes`.
    public var text: String
    /// The file's size when it was read.
    public var fileBytes: Int
    public var truncated: Bool { fileBytes > text.utf8.count }

    /// At most this much of one file is attached (about 8K tokens); at most `maxFiles` files a message.
    public static let maxBytes = 32 * 1024
    public static let maxFiles = 8

    enum CodingKeys: String, CodingKey { case path, text, fileBytes = "file_bytes" }

    public init(path: String, text: String, fileBytes: Int) { self.path = path; self.text = text; self.fileBytes = fileBytes }

    /// How the model is shown it, after the message's text.
    public var promptText: String {
        var s = "<file path=\"\(path)\">\n" + text
        if !s.hasSuffix("\n") { s += "\n" }
        if truncated { s += "[… the rest of \(path) is left out: it is \(fileBytes) bytes and at most \(Self.maxBytes) are attached]\n" }
        return s + "</file>"
    }

    /// The `@path` mentions in a message: an `@` at the start or after white space, then the path up to the next
    /// white space (a trailing `.`, `,`, `:`, `;`, `!`, `?` or `)` is punctuation, not path). Each path once, in order.
    public static func mentions(in text: String) -> [String] {
        var out: [String] = []
        var prev: Character = " "
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "@", prev.isWhitespace {
                var j = text.index(after: i)
                while j < text.endIndex, !text[j].isWhitespace { j = text.index(after: j) }
                var path = String(text[text.index(after: i)..<j])
                while let last = path.last, ".,:;!?)".contains(last) { path.removeLast() }
                if !path.isEmpty, !out.contains(path) { out.append(path) }
                prev = " "
                i = j
                continue
            }
            prev = c
            i = text.index(after: i)
        }
        return out
    }
}

extension Message {
    /// A user message's text followed by its attachments, as the model is shown it.
    var textWithAttachments: String {
        attachments.isEmpty ? content : ([content] + attachments.map(\.promptText)).joined(separator: "\n\n")
    }
}
