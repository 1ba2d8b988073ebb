// The permission side of tools: what needs the user's approval (writing files, running commands), the
// request shown before such a call runs, the answer `CodingTools.execute` gets, the outcome it returns,
// and what an undo did.
import Foundation

/// What a tool does, for the permission policy: reads are allowed; writes and commands need approval.
public enum ToolKind: String, Sendable, Equatable, Hashable {
    case read, write, run
    public var needsApproval: Bool { self != .read }
}

/// What a call will do, in the form the approval panel shows it whole.
public enum ToolPreview: Sendable, Equatable {
    /// A file write: the unified diff against the file on disk ("" when nothing changes), a new file all added.
    case diff(path: String, isNew: Bool, unified: String, added: Int, removed: Int)
    /// A command: the exact line, the folder it runs in and its timeout.
    case command(line: String, directory: String, timeoutSeconds: Int)
    /// Any other call: its arguments, pretty-printed JSON.
    case arguments(String)
}

/// Shown to the user before a write or a command runs (reads carry one too, and run without asking).
public struct ApprovalRequest: Sendable, Equatable {
    public let call: ToolCall
    public let kind: ToolKind
    /// One line, e.g. "Edit src/main.swift (1 replacement)" or "Run: swift build".
    public let summary: String
    public let preview: ToolPreview
    public init(call: ToolCall, kind: ToolKind, summary: String, preview: ToolPreview) {
        self.call = call; self.kind = kind; self.summary = summary; self.preview = preview
    }
    /// The preview as plain text: the diff, the command with its folder and timeout, or the arguments.
    public var detail: String {
        switch preview {
        case .diff(_, _, let unified, _, _): return unified.isEmpty ? "(no change)" : unified
        case .command(let line, let dir, let timeout): return "\(line)\n(in \(dir), timeout \(timeout) s)"
        case .arguments(let json): return json
        }
    }
}

/// The answer to "what would this call do?", asked before it runs.
public enum ToolPreparation: Sendable, Equatable {
    /// The call can run; what it will do (a `.read` kind runs without asking).
    case ready(ApprovalRequest)
    /// The call cannot run (unknown tool, bad arguments, text not found): the `tool` message the model gets.
    case refused(Message)
}

/// The answer to an `ApprovalRequest`.
public enum ApprovalDecision: Sendable, Equatable {
    case approve
    /// Refuse; the optional reason is passed to the model.
    case deny(String?)
}

/// What `undoLastWrite` did.
public enum UndoResult: Sendable, Equatable {
    /// The file of call `callID` is back as it was before it (`summary`, e.g. "src/a.swift restored").
    case undone(callID: String, summary: String)
    /// Nothing was restored, and why (one sentence).
    case failed(String)
}

/// The result of one tool call, ready to be stored as a `tool` message.
public struct ToolOutcome: Sendable, Equatable {
    public var output: String
    /// 0 for success; a command's exit status; 1 for a tool error.
    public var exitStatus: Int
    public var truncated: Bool
    public var denied: Bool
    /// The user stopped it while it ran.
    public var stopped: Bool
    public var seconds: Double
    public init(output: String, exitStatus: Int, truncated: Bool = false, denied: Bool = false, stopped: Bool = false, seconds: Double = 0) {
        self.output = output; self.exitStatus = exitStatus; self.truncated = truncated; self.denied = denied; self.stopped = stopped
        self.seconds = seconds
    }

    public func message(answering call: ToolCall) -> Message {
        var m = Message(role: .tool, content: output,
                        toolResult: ToolResult(callID: call.id, name: call.name, exitStatus: exitStatus, durationSeconds: seconds,
                                               truncated: truncated ? true : nil, denied: denied ? true : nil))
        if stopped { m.toolResult?.stopped = true }
        return m
    }
}
