// What runs the model's tool calls for the UI: their declarations, and a run that reports back
// with a `tool` message (output + ToolResult). The Chat module's tools plug in here.
import Chat

public protocol ToolExecutor: AnyObject, Sendable {
    /// Declarations sent with each request (OpenAI function format).
    var declarations: [JSONValue] { get }
    /// Whether calls wait for the user's yes.
    var needsApproval: Bool { get }
    /// Runs one call on a background thread; `completion` gets the `tool` message, from any thread.
    func run(_ call: ToolCall, completion: @escaping @Sendable (Message) -> Void)
}
