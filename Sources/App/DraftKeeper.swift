// Unsent text on disk: the queued messages and the editor's text of the open conversation, written at most
// once a second while it changes and at exit, so a crash or `kill -9` loses at most the last second of typing.
import TUI

/// What the store holds for which conversation; `ChatController` asks it to sync on every tick.
struct DraftKeeper {
    /// The conversation the kept text belongs to (nil: the one not saved yet).
    private(set) var owner: String?
    /// The text last kept for `owner`.
    private(set) var kept = ""
    private var keptAt = -Double.infinity
    static let interval = 1.0

    /// Keeps the state's unsent text if it changed, once `interval` has passed since the last write (at once with
    /// `force`). When the conversation changed, the text went with the editor: the old one's draft is cleared.
    /// Read-only conversations belong to another glmchat: nothing is written for them.
    mutating func sync(_ s: AppState, in p: ConversationPersistence, now: Double, force: Bool = false) throws {
        guard s.readOnly == nil else { return }
        if s.sessionID != owner {
            if !kept.isEmpty { try p.saveDraft("", for: owner) }
            owner = s.sessionID; kept = ""
        }
        let text = s.unsentText ?? ""
        guard text != kept, force || now - keptAt >= Self.interval else { return }
        try p.saveDraft(text, for: owner)
        kept = text; keptAt = now
    }
}
