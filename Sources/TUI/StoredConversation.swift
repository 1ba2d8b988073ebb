// A saved conversation as the UI sees it, and the session picker's entries (App's persistence loads them).
import Foundation
import Chat

public struct StoredConversation: Equatable, Sendable {
    public var id: String
    public var title: String
    public var messages: [Message]
    public var model: String?
    /// Set when the conversation was opened read-only because another glmchat is writing it.
    public var readOnly: ReadOnlyReason?
    /// The conversation this one was forked from.
    public var forkedFrom: ForkOrigin?
    /// The summary sent in place of its earlier messages (see Compaction).
    public var compaction: Compaction?
    public init(id: String, title: String, messages: [Message], model: String? = nil, readOnly: ReadOnlyReason? = nil, forkedFrom: ForkOrigin? = nil,
                compaction: Compaction? = nil) {
        self.id = id; self.title = title; self.messages = messages; self.model = model; self.readOnly = readOnly; self.forkedFrom = forkedFrom
        self.compaction = compaction
    }
}

public struct SessionEntry: Equatable, Sendable {
    public var id: String
    public var title: String
    public var updated: Date?
    public var messageCount: Int
    /// First user line, for the picker.
    public var preview: String
    /// Why the file cannot be opened, when it cannot.
    public var damaged: String?
    /// Another glmchat that has it open (so it opens read-only here), by pid.
    public var heldBy: Int?
    /// The title of the conversation it was forked from.
    public var forkedFrom: String? = nil
    public init(id: String, title: String, updated: Date? = nil, messageCount: Int = 0, preview: String = "", damaged: String? = nil, heldBy: Int? = nil,
                forkedFrom: String? = nil) {
        self.id = id; self.title = title; self.updated = updated; self.messageCount = messageCount; self.preview = preview; self.damaged = damaged
        self.heldBy = heldBy; self.forkedFrom = forkedFrom
    }
}
