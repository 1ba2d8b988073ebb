// Why a conversation is shown read-only (another glmchat process holds its writer lock) and the words
// the UI uses for it: the status bar's label and the one-line refusal when sending.

public struct ReadOnlyReason: Equatable, Sendable {
    /// The process holding the session's lock, when its lock file says.
    public var pid: Int?
    public init(pid: Int?) { self.pid = pid }

    /// "read-only: open in another glmchat (pid 4242)"
    public var label: String { "read-only: open in another glmchat" + (pid.map { " (pid \($0))" } ?? "") }
    /// "read-only (pid 4242)", for a narrow status bar.
    public var shortLabel: String { "read-only" + (pid.map { " (pid \($0))" } ?? "") }
    /// The notice when the user tries to send (or rename, or delete) it.
    public var refusal: String { label + ", so nothing is sent or saved here; Ctrl-N starts a new conversation" }
}
