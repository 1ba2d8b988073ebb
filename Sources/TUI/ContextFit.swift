// Fits a conversation into the model's context: drops the oldest whole turns (never system messages or
// the last turn) until the prompt plus room for the reply fits. The UI shows what was dropped.
import Chat

public enum ContextFit {
    /// Tokens of one message: exact through the counter when there is one, else ~3 bytes per token.
    public static func tokens(_ m: Message, counter: TokenCounter?) -> Int {
        let text = m.content + (m.reasoning ?? "") + m.toolCalls.map { $0.name + $0.arguments.serialized() }.joined()
        let n = counter?.countTokens(text) ?? (text.utf8.count + 2) / 3
        return n + 4   // role tags
    }

    /// Room kept free for the reply.
    public static func replyReserve(contextLength: Int, sampling: SamplingParams) -> Int {
        min(contextLength / 2, sampling.maxTokens ?? max(256, min(8192, contextLength / 8)))
    }

    /// How many leading messages (whole turns) to leave out so the rest fits, and the tokens that remain.
    /// `promptLimit` lowers the prompt's budget further (after a server said the prompt was too long).
    public static func fit(_ messages: [Message], contextLength: Int, sampling: SamplingParams, counter: TokenCounter?,
                           promptLimit: Int? = nil) -> (dropped: Int, tokens: Int) {
        let budget = min(contextLength - replyReserve(contextLength: contextLength, sampling: sampling), promptLimit ?? .max)
        let sizes = messages.map { tokens($0, counter: counter) }
        var total = sizes.reduce(0, +)
        let turnStarts = messages.indices.filter { messages[$0].role == .user }
        var dropped = 0
        for start in turnStarts.dropFirst() where total > budget {
            // Drop everything before this turn except system messages.
            total -= (dropped..<start).filter { messages[$0].role != .system }.reduce(0) { $0 + sizes[$1] }
            dropped = start
        }
        return (dropped, total)
    }

    /// The messages to send: system messages always, then everything from `dropped` on.
    public static func kept(_ messages: [Message], dropped: Int) -> [Message] {
        messages.prefix(dropped).filter { $0.role == .system } + messages.dropFirst(dropped)
    }
}

/// What is sent for one reply: the fitted messages, how many leading messages of the conversation were
/// left out (shown as a notice), and the prompt's size when known.
public struct ContextFitResult: Sendable {
    public var messages: [Message]
    public var droppedMessages: Int
    public var promptTokens: Int?
    public init(messages: [Message], droppedMessages: Int, promptTokens: Int?) {
        self.messages = messages; self.droppedMessages = droppedMessages; self.promptTokens = promptTokens
    }
}

/// A replacement for the built-in fit (e.g. Chat's ContextBudget with exact token counts). `promptLimit`, when
/// given, is a tighter cap on the prompt's tokens than the context allows (see ContextRetry).
public typealias ContextFitter = @Sendable (_ conversation: [Message], _ settings: Settings, _ promptLimit: Int?) -> ContextFitResult
