// The permission side of tools: what needs the user's approval (writing files, running commands), the
// request shown before such a call runs, the answer `CodingTools.execute` gets, and the outcome it returns.
import Foundation

/// What a tool does, for the permission policy: reads are allowed; writes and commands need approval.
public enum ToolKind: String, Sendable, Equatable, Hashable {
    case read, write, run
    public var needsApproval: Bool { self != .read }
}

/// Shown to the user before a write or a command runs.
public struct ApprovalRequest: Sendable, Equatable {
    public let call: ToolCall
    public let kind: ToolKind
    /// One line, e.g. "Edit src/main.swift (1 replacement)" or "Run: swift build".
    public let summary: String
    /// The unified diff of a write, or the command with its folder and timeout.
    public let detail: String
}

/// The answer to an `ApprovalRequest`.
public enum ApprovalDecision: Sendable, Equatable {
    case approve
    /// Refuse; the optional reason is passed to the model.
    case deny(String?)
}

/// The result of one tool call, ready to be stored as a `tool` message.
public struct ToolOutcome: Sendable, Equatable {
    public var output: String
    /// 0 for success; a command's exit status; 1 for a tool error.
    public var exitStatus: Int
    public var truncated: Bool
    public var denied: Bool
    public var seconds: Double
    public init(output: String, exitStatus: Int, truncated: Bool = false, denied: Bool = false, seconds: Double = 0) {
        self.output = output; self.exitStatus = exitStatus; self.truncated = truncated; self.denied = denied; self.seconds = seconds
    }

    public func message(answering call: ToolCall) -> Message {
        Message(role: .tool, content: output,
                toolResult: ToolResult(callID: call.id, name: call.name, exitStatus: exitStatus, durationSeconds: seconds,
                                       truncated: truncated ? true : nil, denied: denied ? true : nil))
    }
}
