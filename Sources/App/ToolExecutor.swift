// What runs the model's tool calls for the UI: their declarations; a prepare step that says what a call
// will do (shown whole in the approval panel) or why it cannot run; a run that streams output and reports
// back with a `tool` message; a stop; and undo of the writes it made, kept per conversation.
import Chat

public protocol ToolExecutor: AnyObject, Sendable {
    /// Declarations sent with each request (OpenAI function format).
    var declarations: [JSONValue] { get }
    /// Whether writes and commands wait for the user's yes.
    var needsApproval: Bool { get }
    /// Checks `call` without running it, off the UI thread: what it will do, or the refusal the model gets.
    func prepare(_ call: ToolCall, completion: @escaping @Sendable (ToolPreparation) -> Void)
    /// Runs one call on a background thread, exactly as prepared when it was. `output` gets what a command
    /// prints as it prints it; `completion` the `tool` message (both from any thread). Writes keep the old
    /// bytes as a checkpoint of `conversationID` (nil: not saved yet, nothing to undo later).
    func run(_ call: ToolCall, conversationID: String?, output: @escaping @Sendable (String) -> Void,
             completion: @escaping @Sendable (Message) -> Void)
    /// Asks a running call to stop (it still completes, saying it was stopped).
    func cancel(_ callID: String)
    /// Stops everything still running (at exit).
    func cancelAll()
    /// Restores the most recent write of `conversationID` not undone yet; reports the call it undid, or why not.
    func undoLastWrite(conversationID: String, completion: @escaping @Sendable (UndoResult) -> Void)
    /// Forgets the writes kept for undoing in `conversationID` (it was deleted).
    func deleteCheckpoints(conversationID: String)
}

extension ToolExecutor {
    public func prepare(_ call: ToolCall, completion: @escaping @Sendable (ToolPreparation) -> Void) {
        completion(.ready(ApprovalRequest(call: call, kind: CodingTools.kind(of: call.name) ?? .run, summary: call.name,
                                          preview: .arguments(call.arguments.serialized(.pretty)))))
    }
    public func cancel(_ callID: String) {}
    public func cancelAll() {}
    public func deleteCheckpoints(conversationID: String) {}
    public func undoLastWrite(conversationID: String, completion: @escaping @Sendable (UndoResult) -> Void) {
        completion(.failed("there is no write to undo"))
    }
}
