// Where conversations are kept: the small protocol the controller talks to (StorePersistence over the
// Store module's files; InMemoryPersistence for --no-save and tests).
import TUI

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
    /// Writes anything held back and releases locks (at exit); throws when that write fails.
    func close() throws
    /// Text typed into conversation `id` (nil: one not saved yet) but not sent, as last kept by saveDraft.
    func loadDraft(for id: String?) -> String?
    /// Keeps the unsent text of a conversation (empty: none), so that a crash or a kill does not lose it.
    func saveDraft(_ text: String, for id: String?) throws
    /// The conversations whose text holds `query`, by id, with a snippet of the first match; `completion` may be
    /// called from another thread (a store reads every file).
    func search(_ query: String, completion: @escaping @Sendable ([String: String]) -> Void)
}

public struct PersistenceError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
