// The project's instructions (the workspace's AGENTS.md or .glmchat/instructions.md) and how they join the
// conversation's own system prompt in the system message sent with every turn.
import Foundation

public struct ProjectInstructions: Sendable, Equatable {
    /// The file, relative to the workspace (e.g. "AGENTS.md").
    public var source: String
    /// What is sent: the file's text, cut at `maxBytes` (at a line end when one is near).
    public var text: String
    /// The file's size in bytes.
    public var fileBytes: Int
    public var truncated: Bool { fileBytes > text.utf8.count }

    /// At most this much of the file is sent (about 8K tokens).
    public static let maxBytes = 32 * 1024
    /// The files looked for in the workspace, in order; the first one found is used.
    public static let candidates = ["AGENTS.md", ".glmchat/instructions.md"]

    public init(source: String, text: String, fileBytes: Int) { self.source = source; self.text = text; self.fileBytes = fileBytes }

    /// The part of the system message they make.
    public var block: String {
        var s = "# Project instructions (from \(source))\n\n" + text
        if truncated {
            if !s.hasSuffix("\n") { s += "\n" }
            s += "[… the rest of \(source) is left out: it is \(fileBytes) bytes and at most \(Self.maxBytes) are sent]"
        }
        return s
    }

    /// The messages as the model gets them: the instructions added to the conversation's leading system message
    /// (after its text), or sent as a system message of their own before the conversation.
    public static func messages(_ messages: [Message], with instructions: ProjectInstructions?) -> [Message] {
        guard let instructions else { return messages }
        var out = messages
        if var first = out.first, first.role == .system {
            first.content += (first.content.isEmpty ? "" : "\n\n") + instructions.block
            out[0] = first
        } else {
            out.insert(Message(id: "project-instructions", role: .system, content: instructions.block, created: nil), at: 0)
        }
        return out
    }
}
