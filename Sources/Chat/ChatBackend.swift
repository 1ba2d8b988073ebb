// The protocol between the UI and whatever produces replies: the in-process engine, a remote
// OpenAI-compatible server, or a scripted stream for tests and demos.
import Foundation

/// What a backend reports while it produces one reply, in order.
public enum ChatEvent: Sendable, Equatable {
    /// Prompt tokens processed so far (prefill), for a progress display.
    case prefillProgress(done: Int, total: Int)
    case reasoning(String)
    case content(String)
    case toolCall(ToolCall)
    /// Something the user should see but that does not end the reply (e.g. a malformed tool call shown as text).
    case warning(String)
    case stats(GenerationStats)
    /// The reply is over; always the last event unless `failed` is.
    case finished(FinishReason)
    case failed(String)
}

/// One request: the conversation as it should be sent (already fitted to the context budget).
public struct ChatRequest: Sendable {
    public var messages: [Message]
    /// Tool declarations in OpenAI function format: {"type":"function","function":{name, description, parameters}}.
    public var tools: [JSONValue]
    public var sampling: SamplingParams
    public var thinking: Bool
    /// Render past reasoning into the prompt (GLM's clear_thinking = false).
    public var keepThinking: Bool
    public init(messages: [Message], tools: [JSONValue] = [], sampling: SamplingParams = .glmDefault, thinking: Bool = true, keepThinking: Bool = false) {
        self.messages = messages; self.tools = tools; self.sampling = sampling; self.thinking = thinking; self.keepThinking = keepThinking
    }
}

public protocol ChatBackend: AnyObject, Sendable {
    /// Shown in the status bar.
    var modelName: String { get }
    /// Tokens the model can attend to.
    var contextLength: Int { get }
    /// Counts tokens exactly as the model will see them, when the backend can.
    var tokenCounter: TokenCounter? { get }
    /// Starts a reply on a background thread and returns at once; `onEvent` is called from that thread.
    func send(_ request: ChatRequest, onEvent: @escaping @Sendable (ChatEvent) -> Void)
    /// Stops the reply in progress (it then reports `finished(.cancelled)`). Safe to call at any time.
    func cancel()
}

extension ChatEvent {
    /// How a `failed` message begins when the prompt did not fit the model's context (a remote server said
    /// so): the caller should shrink the conversation and retry once.
    public static let contextTooLongPrefix = "The conversation is too long for the model's context"
    /// A `failed` event saying the prompt did not fit the model's context.
    public static func contextTooLong(_ detail: String) -> ChatEvent { .failed("\(contextTooLongPrefix) (\(detail)).") }
    public var isContextTooLong: Bool {
        if case .failed(let m) = self { return m.hasPrefix(Self.contextTooLongPrefix) }
        return false
    }
}
