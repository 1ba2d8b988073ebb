// Connects the chat to saved sessions: the Store module's SessionStore behind the ConversationPersistence
// protocol (one open, locked session at a time; one that another glmchat holds is opened read-only).
import Foundation
import Chat
import Store
import TUI

public final class StorePersistence: ConversationPersistence {
    public let store: SessionStore
    /// The session this window writes to (holds its lock).
    private var current: OpenSession?
    /// Messages the file holds as complete (the rest of a partial save is the streaming reply).
    private var savedCount = 0

    public init(store: SessionStore) { self.store = store }

    public func search(_ query: String, completion: @escaping @Sendable ([String: String]) -> Void) {
        let store = self.store
        DispatchQueue.global(qos: .userInitiated).async {
            var hits: [String: String] = [:]
            for h in store.search(query) { hits[h.summary.id] = h.matches.first { $0.field != "title" }?.snippet ?? h.matches.first?.snippet ?? "" }
            completion(hits)
        }
    }

    public func list() throws -> [SessionEntry] {
        store.list().map { s in
            SessionEntry(id: s.id, title: s.title, updated: s.updated, messageCount: s.messageCount,
                         preview: s.firstUserLine ?? "", damaged: s.damage.map { "\($0)" }, heldBy: store.holder(of: s.id),
                         forkedFrom: s.forkedFrom)
        }
    }

    public func load(_ id: String) throws -> StoredConversation {
        let full = try store.resolve(id)
        var heldBy: ReadOnlyReason? = nil
        // A read-only current session is opened again: its other writer may be gone by now.
        if current?.id != full || current?.isReadOnly == true {
            let o: OpenSession
            do { o = try store.open(full) } catch StoreError.locked(_, let pid) {
                // Another glmchat writes it: show it without the lock; saves to it throw, so the file is never written.
                o = try store.open(full, readOnly: true)
                heldBy = ReadOnlyReason(pid: pid)
            }
            try? current?.close()
            current = o
        }
        guard let o = current else { throw PersistenceError("the session \(id) could not be opened") }
        let s = o.session
        savedCount = s.messages.count
        return StoredConversation(id: s.id, title: s.displayTitle, messages: s.messages, model: s.model?.name, readOnly: heldBy,
                                  forkedFrom: s.settings.forkedFrom, compaction: s.compaction)
    }

    public func save(_ c: StoredConversation, partial: Bool) throws -> String {
        let o: OpenSession
        if let cur = current, cur.id == c.id {
            o = cur
        } else if !c.id.isEmpty {
            o = try store.open(c.id)
            try? current?.close()
            current = o; savedCount = o.messages.count
        } else {
            o = try store.create(title: c.title, model: c.model.map { SessionModel(name: $0) }, settings: SessionSettings(forkedFrom: c.forkedFrom))
            try? current?.close()
            current = o; savedCount = 0
        }
        // Written with the header before the messages (a compaction only changes on /compact, an edit of it, or a drop).
        if o.session.compaction != c.compaction { try o.update { $0.compaction = c.compaction } }
        if partial, let last = c.messages.last {
            let done = Array(c.messages.dropLast())
            if done.count != savedCount { try o.save(done); savedCount = done.count }
            try o.savePartial(last)
        } else {
            try o.save(c.messages)
            savedCount = c.messages.count
        }
        if !c.title.isEmpty, o.session.title != c.title { try o.setTitle(c.title) }
        return o.id
    }

    public func rename(_ id: String, to title: String) throws {
        if let o = current, o.id == id { try o.setTitle(title) } else { try store.rename(id, to: title) }
    }

    public func delete(_ id: String) throws {
        if let o = current, o.id == id { try o.close(); current = nil; savedCount = 0 }
        try store.delete(id)
    }

    public func loadDraft(for id: String?) -> String? { store.readDraft(for: id) }

    public func saveDraft(_ text: String, for id: String?) throws { try store.writeDraft(text, for: id) }

    public func close() throws {
        defer { current = nil }
        try current?.close()
    }
}
