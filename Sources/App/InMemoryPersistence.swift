// Conversations kept in memory only: `--no-save`, and tests.
import Foundation
import TUI

/// Keeps conversations in memory (tests, and `--no-save`).
public final class InMemoryPersistence: ConversationPersistence {
    public private(set) var conversations: [String: StoredConversation] = [:]
    public private(set) var order: [String] = []
    public private(set) var partialSaves = 0
    /// Unsent text by conversation id ("" for the conversation not saved yet).
    public private(set) var drafts: [String: String] = [:]
    private var nextID = 0
    public init() {}
    public func search(_ query: String, completion: @escaping @Sendable ([String: String]) -> Void) {
        let q = query.lowercased()
        var hits: [String: String] = [:]
        for (id, c) in conversations {
            if let m = c.messages.first(where: { $0.content.lowercased().contains(q) }) { hits[id] = String(m.content.prefix(80)) }
        }
        completion(hits)
    }

    public func list() throws -> [SessionEntry] {
        order.reversed().compactMap { id in
            conversations[id].map { c in
                SessionEntry(id: c.id, title: c.title, messageCount: c.messages.count,
                               preview: c.messages.first { $0.role == .user }?.content.split(separator: "\n").first.map(String.init) ?? "",
                               forkedFrom: c.forkedFrom?.title)
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
