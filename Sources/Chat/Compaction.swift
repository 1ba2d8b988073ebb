// A conversation's compaction: the model's summary of its earlier messages, sent in their place (in the system
// message, after the conversation's own prompt and the workspace's instructions) while the saved conversation
// keeps every message. It is anchored to the id of the last message it covers, so it applies only while that
// message is on the shown path: an edit or regeneration of a covered message (a new version) sets it aside, and
// showing the old version again brings it back.
// Why the system message rather than a made-up user/assistant pair: both templates render a system message as it is
// (GLM `<|system|>`, ChatML `<|im_start|>system`, a server's "system" role); it stays in the prompt's unchanging prefix
// until the next compaction (the engine's KV cache reuses it); the budget never leaves system messages out, whereas a
// fake user message would be a turn it could drop first; and GLM's rule of showing reasoning only after the last user
// message, like the model itself, never mistakes the summary for something the user said.
import Foundation

public struct Compaction: Codable, Sendable, Equatable {
    /// What is sent instead of the covered messages.
    public var summary: String
    /// The id of the last message covered: every message up to it (system messages aside) is summarised.
    public var through: String
    /// How many messages it covered when it was made (for the transcript; the path decides what is covered).
    public var messages: Int
    public var created: Date?
    /// The user changed the model's summary.
    public var edited: Bool

    enum CodingKeys: String, CodingKey { case summary, through, messages, created, edited }

    public init(summary: String, through: String, messages: Int, created: Date? = Date(), edited: Bool = false) {
        self.summary = summary; self.through = through; self.messages = messages; self.created = created; self.edited = edited
    }

    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        summary = try c.decode(String.self, forKey: .summary)
        through = try c.decode(String.self, forKey: .through)
        messages = try c.decodeIfPresent(Int.self, forKey: .messages) ?? 0
        created = try c.decodeIfPresent(Date.self, forKey: .created)
        edited = try c.decodeIfPresent(Bool.self, forKey: .edited) ?? false
    }

    public func encode(to e: Encoder) throws {
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(summary, forKey: .summary)
        try c.encode(through, forKey: .through)
        try c.encode(messages, forKey: .messages)
        try c.encodeIfPresent(created, forKey: .created)
        if edited { try c.encode(true, forKey: .edited) }
    }

    /// The index of the first message after the covered ones in `messages`; nil when the summary does not apply
    /// (its last covered message is not on this path).
    public func end(in messages: [Message]) -> Int? {
        messages.firstIndex { $0.id == through }.map { $0 + 1 }
    }

    /// The part of the system message it makes.
    public var block: String {
        Self.heading + "\n\n" + PythonText.strip(summary)
    }

    public static let heading = "# Summary of the earlier conversation\n\nThe messages before the ones below were summarised to save context; this summary stands in for them."

    /// The messages as the model gets them: with a compaction that applies, the leading system messages (the summary
    /// added to the first one's text, or a system message of its own when there is none) and the messages after the
    /// covered ones. Returns how many of `messages` the summary stands in for (0: none).
    public static func apply(_ c: Compaction?, to messages: [Message]) -> (messages: [Message], covered: Int) {
        guard let c, let end = c.end(in: messages) else { return (messages, 0) }
        // System messages are never summarised (like the budget, which never leaves them out).
        var out = messages[..<end].filter { $0.role == .system } + messages[end...]
        if var first = out.first, first.role == .system {
            first.content += (first.content.isEmpty ? "" : "\n\n") + c.block
            out[0] = first
        } else {
            out.insert(Message(id: "compaction-summary", role: .system, content: c.block, created: nil), at: 0)
        }
        return (out, end)
    }

    // MARK: making one

    /// Turns `/compact` keeps as they are (a turn is a user message and all that answers it): the last exchange and
    /// the one before it stay word for word, which is what a follow-up question usually refers to.
    public static let defaultKeepTurns = 2
    /// Automatic compaction (the setting) summarises before a message that would take the prompt past this
    /// fraction of its room in the context (the context less the reply's reserve, where truncation would begin).
    public static let autoThreshold = 0.85

    /// The longest summary asked for: an eighth of the context, 256 to 2,048 tokens (its reply reserve, so the
    /// messages to summarise get the rest of the context).
    public static func maxSummaryTokens(contextLength: Int) -> Int { min(2048, max(256, contextLength / 8)) }

    /// What the model is asked, after the messages to summarise.
    public static let instruction = """
        Summarise the conversation above so that it can go on without its messages: the user's goals and requests, \
        decisions and their reasons, facts learned (file names, commands, results, errors, code details that matter), \
        what has been done and what is still open. Be concise and specific, in short bullet points. Write only the summary.
        """

    /// Where a compaction keeping the last `keepTurns` turns (a turn starts at a user message) would end: the index
    /// of the first kept message; nil when there are not more turns than that before it.
    public static func boundary(_ messages: [Message], keepTurns: Int) -> Int? {
        let starts = messages.indices.filter { messages[$0].role == .user }
        guard keepTurns >= 0, starts.count > keepTurns else { return nil }
        return keepTurns == 0 ? messages.count : starts[starts.count - keepTurns]
    }

    /// The messages of the request that asks for a summary of `messages[..<end]`: the conversation's system
    /// messages, an earlier summary that applies (so the new one covers what it covered), the messages after it up
    /// to `end`, then the instruction as a user message.
    public static func requestMessages(_ messages: [Message], upTo end: Int, previous: Compaction?) -> [Message] {
        let (head, _) = apply(previous, to: Array(messages[..<end]))
        return head + [Message(id: "compaction-request", role: .user, content: instruction, created: nil)]
    }
}
