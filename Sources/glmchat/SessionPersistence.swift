// Connects the chat to saved sessions: the Store module's SessionStore behind the TUI's
// ConversationPersistence protocol (one open, locked session at a time).
import Foundation
import Chat
import Store
import TUI

func makeSessionPersistence() throws -> ConversationPersistence { StorePersistence(store: SessionStore()) }

final class StorePersistence: ConversationPersistence {
    let store: SessionStore
    /// The session this window writes to (holds its lock).
    private var current: OpenSession?
    /// Messages the file holds as complete (the rest of a partial save is the streaming reply).
    private var savedCount = 0

    init(store: SessionStore) { self.store = store }

    func list() throws -> [SessionEntry] {
        store.list().map { s in
            SessionEntry(id: s.id, title: s.title, updated: s.updated, messageCount: s.messageCount,
                         preview: s.firstUserLine ?? "", damaged: s.damage.map { "\($0)" })
        }
    }

    func load(_ id: String) throws -> StoredConversation {
        let full = try store.resolve(id)
        if current?.id != full {
            let o = try store.open(full)
            try? current?.close()
            current = o
        }
        guard let o = current else { throw PersistenceError("the session \(id) could not be opened") }
        let s = o.session
        savedCount = s.messages.count
        return StoredConversation(id: s.id, title: s.displayTitle, messages: s.messages, model: s.model?.name)
    }

    func save(_ c: StoredConversation, partial: Bool) throws -> String {
        let o: OpenSession
        if let cur = current, cur.id == c.id {
            o = cur
        } else if !c.id.isEmpty {
            o = try store.open(c.id)
            try? current?.close()
            current = o; savedCount = o.messages.count
        } else {
            o = try store.create(title: c.title, model: c.model.map { SessionModel(name: $0) })
            try? current?.close()
            current = o; savedCount = 0
        }
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

    func rename(_ id: String, to title: String) throws {
        if let o = current, o.id == id { try o.setTitle(title) } else { try store.rename(id, to: title) }
    }

    func delete(_ id: String) throws {
        if let o = current, o.id == id { try o.close(); current = nil; savedCount = 0 }
        try store.delete(id)
    }

    func close() {
        try? current?.close()
        current = nil
    }
}
