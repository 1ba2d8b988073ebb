// Where conversations are kept: a small protocol the UI talks to (the Store module implements it for
// files; tests use the in-memory one here).
import Foundation
import Chat

public struct StoredConversation: Equatable, Sendable {
    public var id: String
    public var title: String
    public var messages: [Message]
    public var model: String?
    /// Set when the conversation was opened read-only because another glmchat is writing it.
    public var readOnly: ReadOnlyReason?
    public init(id: String, title: String, messages: [Message], model: String? = nil, readOnly: ReadOnlyReason? = nil) {
        self.id = id; self.title = title; self.messages = messages; self.model = model; self.readOnly = readOnly
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
    public init(id: String, title: String, updated: Date? = nil, messageCount: Int = 0, preview: String = "", damaged: String? = nil, heldBy: Int? = nil) {
        self.id = id; self.title = title; self.updated = updated; self.messageCount = messageCount; self.preview = preview; self.damaged = damaged
        self.heldBy = heldBy
    }
}

public protocol ConversationPersistence: AnyObject {
    /// Newest first.
    func list() throws -> [SessionEntry]
    /// Opens a conversation to continue it; one another process is writing comes back with `readOnly` set.
    func load(_ id: String) throws -> StoredConversation
    /// Writes the whole conversation; `partial` when its last reply is still streaming. An empty id
    /// creates a new session. Returns the session's id.
    func save(_ c: StoredConversation, partial: Bool) throws -> String
    func rename(_ id: String, to title: String) throws
    func delete(_ id: String) throws
    /// Writes anything held back and releases locks (at exit).
    func close()
    /// Text typed into conversation `id` (nil: one not saved yet) but not sent, as last kept by saveDraft.
    func loadDraft(for id: String?) -> String?
    /// Keeps the unsent text of a conversation (empty: none), so that a crash or a kill does not lose it.
    func saveDraft(_ text: String, for id: String?) throws
}

public struct PersistenceError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Keeps conversations in memory (tests, and `--no-save`).
public final class InMemoryPersistence: ConversationPersistence {
    public private(set) var conversations: [String: StoredConversation] = [:]
    public private(set) var order: [String] = []
    public private(set) var partialSaves = 0
    /// Unsent text by conversation id ("" for the conversation not saved yet).
    public private(set) var drafts: [String: String] = [:]
    private var nextID = 0
    public init() {}
    public func list() throws -> [SessionEntry] {
        order.reversed().compactMap { id in
            conversations[id].map { c in
                SessionEntry(id: c.id, title: c.title, messageCount: c.messages.count,
                               preview: c.messages.first { $0.role == .user }?.content.split(separator: "\n").first.map(String.init) ?? "")
            }
        }
    }
    public func load(_ id: String) throws -> StoredConversation {
        guard let c = conversations[id] else { throw PersistenceError("there is no session \(id)") }
        return c
    }
    public func save(_ c: StoredConversation, partial: Bool) throws -> String {
        if partial { partialSaves += 1 }
        var c = c
        if c.id.isEmpty { nextID += 1; c.id = "mem\(nextID)" }
        order.removeAll { $0 == c.id }; order.append(c.id)
        conversations[c.id] = c
        return c.id
    }
    public func close() {}
    public func loadDraft(for id: String?) -> String? { drafts[id ?? ""] }
    public func saveDraft(_ text: String, for id: String?) throws { drafts[id ?? ""] = text.isEmpty ? nil : text }
    public func rename(_ id: String, to title: String) throws {
        guard conversations[id] != nil else { throw PersistenceError("there is no session \(id)") }
        conversations[id]?.title = title
    }
    public func delete(_ id: String) throws {
        guard conversations.removeValue(forKey: id) != nil else { throw PersistenceError("there is no session \(id)") }
        order.removeAll { $0 == id }
    }
}
