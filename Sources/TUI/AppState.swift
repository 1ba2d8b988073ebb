// Everything the UI shows, as one value: the conversation, the reply in progress, the editor,
// focus, scroll, overlays, search and the status numbers.
import Chat

public enum Focus: Equatable, Sendable { case input, transcript }

/// The reply being streamed, with the times that make up its stats.
public struct StreamingReply: Equatable, Sendable {
    public var messageIndex: Int
    public var startedAt: Double
    public var firstTokenAt: Double? = nil
    public var reasoningStartAt: Double? = nil
    public var reasoningEndAt: Double? = nil
    public var reasoningChunks = 0
    public var contentChunks = 0
    public var prefill: PrefillProgress? = nil
    public var lastSaveAt: Double
    /// The user asked to stop it; the backend has not finished yet.
    public var stopping = false
    /// A continued reply (`c`): the figures of its earlier run, added to this run's.
    public var continuedFrom: GenerationStats? = nil
    public static func == (a: StreamingReply, b: StreamingReply) -> Bool {
        a.messageIndex == b.messageIndex && a.startedAt == b.startedAt && a.reasoningChunks == b.reasoningChunks && a.contentChunks == b.contentChunks
    }
}

public enum Overlay: Equatable, Sendable {
    case help
    case sessions(SessionPicker)
    case approval(ApprovalPanel)
    case settings(SettingsPanel)
}

public struct SessionPicker: Equatable, Sendable {
    public var all: [SessionEntry]
    public var queryField = InputEditor()
    public var selected = 0
    /// Non-nil while typing a new title for the selected session.
    public var renameField: InputEditor? = nil
    public var confirmDelete = false
    /// The conversations whose messages hold `contentQuery`, with a snippet of the match (the answer to
    /// `Effect.searchSessions`, searched off the UI thread).
    public var contentHits: [String: String] = [:]
    public var contentQuery = ""
    public init(all: [SessionEntry]) { self.all = all }
    public var query: String { queryField.text }
    public var renaming: String? { renameField?.text }
    public var visible: [SessionEntry] {
        guard !query.isEmpty else { return all }
        let q = query.lowercased()
        return all.filter { $0.title.lowercased().contains(q) || $0.preview.lowercased().contains(q) || $0.id.hasPrefix(q) || snippet(for: $0.id) != nil }
    }
    /// The message text that matched the query in conversation `id`, when only its text did.
    public func snippet(for id: String) -> String? { contentQuery == query ? contentHits[id] : nil }
}

public struct SettingsPanel: Equatable, Sendable {
    public var selected = SettingsRow.thinking
    /// A command rule of this workspace is selected instead of a row (its index in `AppState.commandRules`).
    public var rule: Int? = nil
    public init() {}
}

public struct SearchState: Equatable, Sendable {
    public var field = InputEditor()
    public var query: String { field.text }
    /// Still typing the query.
    public var editing: Bool
    /// Transcript row of the current match.
    public var matchRow: Int? = nil
    public init(editing: Bool = true) { self.editing = editing }
}

public struct AppState: Sendable {
    public var messages: [Message] = []
    public var streaming: StreamingReply? = nil
    public var sessionID: String? = nil
    /// The open session is another glmchat's (it holds the lock): shown, never sent to or saved.
    public var readOnly: ReadOnlyReason? = nil
    public var title: String = ""
    /// The message being edited (`e`): the next message sent replaces it as a new version.
    public var editingMessageID: String? = nil
    /// The conversation this one was forked from (saved with it, shown in the picker).
    public var forkedFrom: ForkOrigin? = nil
    /// The summary sent in place of the earlier messages (saved with the conversation; see Update+Compact).
    public var compaction: Compaction? = nil
    /// A summary being written by the model (`/compact`, or automatic compaction before a message).
    public var compacting: CompactionRun? = nil
    /// The editor holds the summary (`e` on it): Enter saves it instead of sending.
    public var editingSummary = false
    public var modelName: String
    public var contextLength: Int
    public var settings: Settings
    public var theme: Theme
    public var width: Int
    public var height: Int
    public var input = InputEditor()
    public var focus: Focus = .input
    /// Transcript rows scrolled up from the bottom (0 follows new text).
    public var scroll = 0
    /// Selected block key in the transcript.
    public var selectedBlock: String? = nil
    /// Per-block open/closed choices that override the defaults.
    public var expanded: [String: Bool] = [:]
    public var overlay: Overlay? = nil
    /// First line of the help overlay shown (it scrolls when the screen is short).
    public var helpOffset = 0
    public var search: SearchState? = nil
    /// One line of feedback under the transcript; cleared by the next key.
    public var notice: String? = nil
    /// When Ctrl-C was pressed while idle (`now`): a second one within `quitWindow` seconds quits.
    public var quitArmedAt: Double? = nil
    public static let quitWindow = 2.0
    /// Ctrl-T's view of the thinking blocks (nil: the setting "Open thinking blocks" decides).
    public var showThinking: Bool? = nil
    public var now: Double = 0
    /// Commands from `.glmchat/commands/` and the config folder's `commands/` (see CustomCommand).
    public var customCommands: [CustomCommand] = []
    /// The workspace's files, for `@` completion (App lists them off the UI thread).
    public var workspaceFiles: [String] = []
    /// The chosen line of the completion list (commands, or files for `@`).
    public var completionSelected = 0
    /// The workspace's instructions file, sent in the system message of every turn (nil: none, or --no-instructions).
    public var instructions: ProjectInstructions? = nil
    /// Tool declarations sent with each request, and whether calls need the user's approval.
    public var tools: [JSONValue] = []
    public var toolsNeedApproval = true
    /// Tools the user allowed ("a") for the rest of this conversation; emptied when another one starts or opens.
    public var alwaysAllowed: Set<String> = []
    /// Plan mode: the write and run tools are not offered to the model, and a call to one is refused.
    public var planMode = false
    /// The folder the tools work in; the key of its command rules in `settings.allowedCommands`.
    public var workspacePath = ""
    /// Tool calls of the last reply still to run, in order.
    public var pendingTools: [ToolCall] = []
    /// Messages typed (Enter) while a reply was in progress, oldest first: each is sent, in order, when the
    /// reply and its tool calls are done; stopping the reply (Esc, Ctrl-C) puts them back in the editor.
    public var queued: [String] = []
    public var runningTool: ToolCall? = nil
    /// When the running tool started (`now`), for its "running… 3.2 s".
    public var runningToolStartedAt: Double? = nil
    /// The call whose preparation (`Effect.prepareTool`) is awaited.
    public var preparingTool: ToolCall? = nil
    /// What the running tool has printed so far (its tail), by call id; dropped when it finishes.
    public var liveToolOutput: [String: String] = [:]
    /// The user stopped the tool loop: finish the running tool, then do not send its result.
    public var haltToolLoop = false
    /// Replies in a row that only answered tool results (a runaway guard).
    public var toolRounds = 0
    public static let maxToolRounds = 25
    /// Themes the settings panel can switch between.
    public var themes: [Theme] = []
    /// Messages (from the start) not sent with the last request because of the context budget.
    public var droppedMessages = 0
    /// Errors and warnings shown under a message, by message id.
    public var messageNotes: [String: [String]] = [:]
    /// How many of a reply's first notes arrived before its answer (drawn above it, in the order they came).
    public var earlyNotes: [String: Int] = [:]
    /// Last reply's numbers for the status bar.
    public var lastStats: GenerationStats? = nil
    public var contextUsed: Int? = nil
    /// `contextUsed` comes from an approximate token counter (shown with a leading "~").
    public var contextUsedApproximate = false
    /// A cap on the prompt's tokens, tighter than the context, set after a server said the prompt was too
    /// long (the backend's ContextRetry); kept for the rest of the conversation.
    public var promptLimit: Int? = nil
    /// The backend's sticky fit decisions, for the conversation whose first message they were made for.
    public var fitMemory: (firstMessageID: String, state: ContextBudget.FitState)? = nil
    /// Memo of laid-out finished messages (shared by copies of the state; pure memoization).
    public var layoutCache = LayoutCache()
    public var approvalCache = ApprovalCache()
    public var liveCache = LiveMarkdownCache()
    public var liveThinkingCache = LivePrefixCache()

    public init(modelName: String, contextLength: Int, settings: Settings = Settings(), theme: Theme = .fallback, width: Int = 80, height: Int = 24) {
        self.modelName = modelName; self.contextLength = contextLength; self.settings = settings; self.theme = theme
        self.width = width; self.height = height
    }

    /// A second Ctrl-C now would quit.
    public var quitArmed: Bool { quitArmedAt.map { now - $0 < Self.quitWindow } ?? false }

    public var isBusy: Bool { streaming != nil || compacting != nil || runningTool != nil || preparingTool != nil || !pendingTools.isEmpty }

    /// What the user typed that was never sent (queued messages, then the editor), for printing at exit.
    public var unsentText: String? {
        let parts = queued + (input.text.trimming(" \n").isEmpty ? [] : [input.text])
        return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
    }

    /// The command prefixes allowed without asking in this workspace ("p" in the approval panel).
    public var commandRules: [String] { settings.allowedCommands[workspacePath] ?? [] }

    public var conversation: StoredConversation {
        StoredConversation(id: sessionID ?? "", title: title, messages: messages, model: modelName, forkedFrom: forkedFrom, compaction: compaction)
    }
}
