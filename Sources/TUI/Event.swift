// What the UI reacts to (keys, paste, resize, time, backend and tool results) and what it asks
// the outside world to do (Effect).
import Chat

public enum Key: Equatable, Sendable {
    case char(Character)
    /// Ctrl plus a letter, as the lowercase letter (Ctrl-C is .ctrl("c")).
    case ctrl(Character)
    case enter, tab, backTab, backspace, delete, escape
    case up, down, left, right, home, end, pageUp, pageDown
    case wheelUp, wheelDown
    case function(Int)
}

public struct KeyPress: Equatable, Sendable {
    public var key: Key
    public var alt: Bool
    public init(_ key: Key, alt: Bool = false) { self.key = key; self.alt = alt }
}

public enum Event: Sendable {
    case key(KeyPress)
    /// A bracketed paste, delivered whole.
    case paste(String)
    /// The left mouse button pressed at a cell (with --mouse).
    case click(x: Int, y: Int)
    case resize(width: Int, height: Int)
    /// Time passes (seconds on a monotonic clock); drives spinners and partial saves.
    case tick(Double)
    case backend(ChatEvent, at: Double)
    /// What a tool call will do (the answer to `Effect.prepareTool`), or why it cannot run.
    case toolPrepared(ToolCall, ToolPreparation)
    /// Output a running tool printed just now.
    case toolOutput(callID: String, String)
    /// A tool finished: the `tool` message holding its output and ToolResult.
    case toolFinished(Message, at: Double)
    /// The answer to `Effect.editExternally`: the edited text (nil: unchanged), and a line for the notice.
    case editedExternally(String?, note: String?)
    /// The workspace's files (relative paths).
    case workspaceFiles([String])
    /// Message `text` with the files its `@path`s name (those that are files); `note` says what was not attached.
    case attached(String, [Attachment], note: String?)
    /// The answer to `Effect.undoWrite`.
    case writeUndone(UndoResult)
    case sessions([SessionEntry])
    case sessionLoaded(StoredConversation)
    /// The conversations whose text holds `query`, by id, with a snippet of the match.
    case sessionsFound(query: String, hits: [String: String])
    /// The conversation was written under this id.
    case saved(id: String)
    /// Something the user should read in the notice line (e.g. a failed save).
    case notice(String)
    /// A line from the backend about its own work (e.g. its KV cache on disk), added to the notice line.
    case backendNote(String)
    /// Text typed into this conversation earlier and never sent (kept by the controller): back into the editor.
    case draftRestored(String)
    /// The backend's fit of the opened conversation `sessionID` (the answer to `Effect.measure`).
    case contextMeasured(PromptFit, sessionID: String)
}

public enum Effect: Sendable {
    case send(ChatRequest)
    /// Ask the backend for a compaction's summary (its events come back as `Event.backend`, like a reply's).
    case summarize(ChatRequest)
    case cancel
    /// Ask the tools what this call will do (answered by `Event.toolPrepared`).
    case prepareTool(ToolCall)
    case runTool(ToolCall)
    /// Stop the running tool call with this id.
    case cancelTool(String)
    /// Restore the file of the open conversation's most recent write not undone yet.
    case undoWrite
    case copy(String)
    /// Ring the bell with a desktop notification (the setting "Notify" is on).
    case notify(String)
    /// Open the text in $VISUAL / $EDITOR (answered by `Event.editedExternally`).
    case editExternally(String)
    /// Write the conversation (partial: the last reply is still streaming).
    case save(StoredConversation, partial: Bool)
    case listSessions
    /// List the workspace's files for `@` completion (answered by `Event.workspaceFiles`).
    case listWorkspaceFiles
    /// Read the files `paths` names for message `text` and send it with them (answered by `Event.attached`).
    case attach(String, paths: [String])
    /// Write the conversation to a new file in the workspace, as Markdown or OpenAI-format JSON (answered by a notice).
    case export(StoredConversation, json: Bool)
    /// Search the saved conversations' message text (answered by `Event.sessionsFound`).
    case searchSessions(String)
    case openSession(String)
    case renameSession(String, String)
    case deleteSession(String)
    case saveSettings(Settings)
    /// Keep this unsent text as the draft of conversation `for` (nil: the one not saved yet), which is being left.
    case keepDraft(String, for: String?)
    /// Ask the backend, off the UI thread, how much of the context the opened conversation `sessionID` takes.
    case measure(ChatRequest, sessionID: String)
    case quit
}

extension Key {
    public static func ch(_ s: Character) -> KeyPress { KeyPress(.char(s)) }
}
