// A backend's one way of fitting a request into the context: ContextBudget with the backend's template and
// token counter (exact with the model's tokenizer, an estimate without), the reply's reserve, the request's
// prompt limit and sticky decisions, and the fit report the UI shows (`PromptFit`).
import Foundation

/// What a backend fitted into the context for one reply, for the UI: what was left out, the prompt's size,
/// and the memory the next request of the same conversation sends back.
public struct PromptFit: Sendable, Equatable {
    /// Leading messages of the conversation not sent (its system messages are sent all the same), the ones a
    /// summary stands in for included.
    public var droppedMessages: Int
    /// Leading messages of the conversation the compaction's summary was sent in place of (0: none).
    public var compactedMessages: Int = 0
    /// Messages sent.
    public var sentMessages: Int
    public var promptTokens: Int
    /// False when the tokens are an estimate (no tokenizer of the model's at hand).
    public var exact: Bool
    /// The context the fit was made for (below the backend's when a server said its own is shorter).
    public var contextLength: Int
    /// The prompt cap this fit kept to (the request's, or a tighter one after a server said the prompt was too long).
    public var promptLimit: Int?
    /// The fit's sticky decisions (`ChatRequest.fitState` of the next request of the conversation).
    public var state: ContextBudget.FitState
    /// What was left out or shortened; its `description` is the sentence for the user.
    public var report: TruncationReport

    public init(droppedMessages: Int, sentMessages: Int, promptTokens: Int, exact: Bool, contextLength: Int,
                promptLimit: Int? = nil, state: ContextBudget.FitState = ContextBudget.FitState(), report: TruncationReport) {
        self.droppedMessages = droppedMessages; self.sentMessages = sentMessages; self.promptTokens = promptTokens; self.exact = exact
        self.contextLength = contextLength; self.promptLimit = promptLimit; self.state = state; self.report = report
    }
}

/// A fitted request: the messages sent, their prompt text as the template renders it, and the report.
public struct FittedPrompt: Sendable {
    public var messages: [Message]
    public var prompt: String
    public var fit: PromptFit
}

public final class PromptFitter: @unchecked Sendable {
    public let template: ChatTemplate
    public let counter: TokenCounter
    private let lock = NSLock()
    private var context: Int

    public init(template: ChatTemplate, counter: TokenCounter, contextLength: Int) {
        self.template = template; self.counter = counter; context = contextLength
    }

    /// The context fits are made for.
    public var contextLength: Int { lock.lock(); defer { lock.unlock() }; return context }

    /// Lowers the context for every later fit (a server said its own is `n` tokens).
    public func lowerContext(to n: Int) { lock.lock(); context = max(1, min(context, n)); lock.unlock() }

    /// Tokens kept free for the reply: the request's maximum, else a quarter of the context up to 16K (at
    /// least 256), never more than half the context.
    public static func replyReserve(contextLength: Int, sampling: SamplingParams) -> Int {
        min(contextLength / 2, sampling.maxTokens ?? min(16_384, max(256, contextLength / 4)))
    }

    /// Fits the request's conversation (see ContextBudget). When nothing more can be left out the result may be
    /// over the budget: it is sent all the same and the model or server says so.
    public func fit(_ r: ChatRequest) -> FittedPrompt {
        let n = contextLength
        let reserve = max(Self.replyReserve(contextLength: n, sampling: r.sampling), n - min(n, r.promptLimit ?? n))
        let budget = ContextBudget(contextLength: n, reservedReplyTokens: reserve)
        // System, summary and the turns after it; truncation below is the fallback when that is still too long.
        let (start, compacted) = r.promptMessages
        var previous = r.fitState
        let through = compacted > 0 ? r.compaction?.through : nil
        // Decisions made under another compaction (or none) counted other turns: they start afresh.
        if previous.compactedThrough != through { previous = ContextBudget.FitState(); previous.compactedThrough = through }
        let f = budget.shrink(start, tools: template.supportsTools ? r.tools : [], template: template, options: r.templateOptions,
                              counter: counter, previous: previous)
        // The UI's "not sent" line goes before the first message still sent (leading system messages always are).
        var firstSent = f.messages.first { $0.role != .system }.flatMap { m in r.messages.firstIndex { $0.id == m.id } } ?? compacted
        // Only system messages before it (the conversation's prompt): nothing was left out.
        if !r.messages[..<firstSent].contains(where: { $0.role != .system }) { firstSent = 0 }
        var fit = PromptFit(droppedMessages: firstSent, sentMessages: f.messages.count, promptTokens: f.promptTokens, exact: counter.isExact,
                            contextLength: n, promptLimit: r.promptLimit, state: f.state, report: f.report)
        fit.compactedMessages = compacted
        return FittedPrompt(messages: f.messages, prompt: f.prompt, fit: fit)
    }
}
