// The protocol between the UI and whatever produces replies: the in-process engine, a remote
// OpenAI-compatible server, or a scripted stream for tests and demos.
import Foundation

/// What a backend reports while it produces one reply, in order.
public enum ChatEvent: Sendable, Equatable {
    /// What the backend fitted into the context for this reply: its first event (and again before a retry).
    case promptFitted(PromptFit)
    /// The server said the prompt is longer than its context and a shorter one is being sent: the sentence
    /// says so for the transcript. Nothing of the reply had streamed.
    case contextRetry(String)
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

/// One request: the whole conversation and what fitting it into the context needs. The backend fits it
/// (it has the template and the tokenizer) and reports the fit with `ChatEvent.promptFitted`.
public struct ChatRequest: Sendable {
    public var messages: [Message]
    /// Tool declarations in OpenAI function format: {"type":"function","function":{name, description, parameters}}.
    public var tools: [JSONValue]
    public var sampling: SamplingParams
    public var thinking: Bool
    /// Render past reasoning into the prompt (GLM's clear_thinking = false).
    public var keepThinking: Bool
    /// A cap on the prompt's tokens tighter than the context's budget (a server said the prompt was too long);
    /// nil: the budget alone.
    public var promptLimit: Int?
    /// The sticky decisions of this conversation's previous fit (`PromptFit.state`), so the prompt's prefix
    /// stays the same from one reply to the next.
    public var fitState: ContextBudget.FitState
    /// The saved conversation this request belongs to (its session id), for a backend that keeps per-conversation
    /// state such as a KV cache on disk; nil: not saved (yet), or not to be written from here (read-only).
    public var conversationID: String?
    /// The workspace's instructions, sent in the system message of every turn (see ProjectInstructions.messages).
    public var instructions: ProjectInstructions?
    /// The last message is a stopped or cut-off reply for the model to go on with (`c`, `/continue`): the prompt
    /// ends inside it and the reply's events extend it.
    public var continuing: Bool = false
    /// The conversation's summary of its earlier messages, sent in their place when it applies (see Compaction).
    public var compaction: Compaction?
    public init(messages: [Message], tools: [JSONValue] = [], sampling: SamplingParams = .glmDefault, thinking: Bool = true, keepThinking: Bool = false,
                promptLimit: Int? = nil, fitState: ContextBudget.FitState = ContextBudget.FitState(), conversationID: String? = nil,
                instructions: ProjectInstructions? = nil, compaction: Compaction? = nil) {
        self.messages = messages; self.tools = tools; self.sampling = sampling; self.thinking = thinking; self.keepThinking = keepThinking
        self.promptLimit = promptLimit; self.fitState = fitState; self.conversationID = conversationID; self.instructions = instructions
        self.compaction = compaction
    }
}

public protocol ChatBackend: AnyObject, Sendable {
    /// Shown in the status bar.
    var modelName: String { get }
    /// Tokens the model can attend to.
    var contextLength: Int { get }
    /// Fits the request into the context and starts the reply on a background thread; returns at once.
    /// `onEvent` is called from that thread, `promptFitted` first.
    func send(_ request: ChatRequest, onEvent: @escaping @Sendable (ChatEvent) -> Void)
    /// Stops the reply in progress (it then reports `finished(.cancelled)`). Safe to call at any time.
    func cancel()
    /// Fits the request as `send` would, without replying, and reports the fit from a background thread
    /// (the context use of a conversation just opened).
    func measure(_ request: ChatRequest, completion: @escaping @Sendable (PromptFit) -> Void)
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
