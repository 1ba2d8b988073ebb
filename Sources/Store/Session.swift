// One saved conversation as the program sees it: header, settings, messages, and the fields it keeps unread.
import Chat
import Foundation

/// The model a conversation ran on. Every field is optional: imports and tests may not know them.
public struct SessionModel: Codable, Sendable, Equatable {
    public var name: String?
    public var path: String?
    /// File size in bytes (cheap identity check on resume).
    public var size: Int?
    public var sha256: String?
    public init(name: String? = nil, path: String? = nil, size: Int? = nil, sha256: String? = nil) {
        self.name = name; self.path = path; self.size = size; self.sha256 = sha256
    }
}

/// Settings the conversation was held with, restored on resume.
public struct SessionSettings: Codable, Sendable, Equatable {
    public var sampling: SamplingParams?
    public var thinking: Bool?
    /// Render past reasoning into the prompt (GLM's clear_thinking = false).
    public var keepThinking: Bool?
    /// The tool permission policy, in whatever shape the Chat module gives it.
    public var tools: JSONValue?
    /// The folder tools ran in.
    public var workspace: String?
    /// The conversation this one was forked from.
    public var forkedFrom: ForkOrigin?
    enum CodingKeys: String, CodingKey { case sampling, thinking, keepThinking = "keep_thinking", tools, workspace, forkedFrom = "forked_from" }
    public init(sampling: SamplingParams? = nil, thinking: Bool? = nil, keepThinking: Bool? = nil, tools: JSONValue? = nil, workspace: String? = nil,
                forkedFrom: ForkOrigin? = nil) {
        self.sampling = sampling; self.thinking = thinking; self.keepThinking = keepThinking; self.tools = tools; self.workspace = workspace
        self.forkedFrom = forkedFrom
    }
}

public struct Session: Sendable, Equatable {
    public var id: String
    /// Empty until set; the store then fills in `SessionTitle.default(for:)` when it saves.
    public var title: String
    public var created: Date
    public var updated: Date
    public var model: SessionModel?
    public var settings: SessionSettings
    public var messages: [Message]
    /// The summary sent in place of the earlier messages (they stay in `messages`); nil: none.
    public var compaction: Compaction?
    /// Fields read from the file that this build does not model: the document's, and each message's by id.
    var keptDocument: UnknownFields?
    /// By message id, then by occurrence of that id in `messages` (a hand-edited file may repeat an id).
    var keptMessages: [String: [Int: UnknownFields]] = [:]

    public init(id: String, title: String = "", created: Date = Date(), updated: Date? = nil, model: SessionModel? = nil,
                settings: SessionSettings = SessionSettings(), messages: [Message] = [], compaction: Compaction? = nil) {
        self.id = id; self.title = title; self.created = created; self.updated = updated ?? created
        self.model = model; self.settings = settings; self.messages = messages; self.compaction = compaction
    }

    /// The title to show: the stored one, or the default made from the first user message.
    public var displayTitle: String {
        title.isEmpty ? (SessionTitle.default(for: messages) ?? "(empty conversation)") : SessionTitle.printable(title)
    }
    /// The first non-empty line of the first user message.
    public var firstUserLine: String? { SessionTitle.firstUserLine(messages) }
    /// True when the last message is a reply that was cut off while streaming.
    public var endsIncomplete: Bool { messages.last?.incomplete ?? false }
}
