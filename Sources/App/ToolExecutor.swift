// What runs the model's tool calls for the UI: their declarations, and a run that reports back
// with a `tool` message (output + ToolResult). The Chat module's tools plug in here (CodingToolsExecutor).
import Chat

public protocol ToolExecutor: AnyObject, Sendable {
    /// Declarations sent with each request (OpenAI function format).
    var declarations: [JSONValue] { get }
    /// Whether calls wait for the user's yes.
    var needsApproval: Bool { get }
    /// Tools that run without asking even when `needsApproval` (e.g. read-only ones).
    var autoApproved: Set<String> { get }
    /// Runs one call on a background thread; `completion` gets the `tool` message, from any thread.
    func run(_ call: ToolCall, completion: @escaping @Sendable (Message) -> Void)
    /// Asks a running call to stop (it still completes, with whatever it has).
    func cancel(_ callID: String)
}

extension ToolExecutor {
    public var autoApproved: Set<String> { [] }
    public func cancel(_ callID: String) {}
}
