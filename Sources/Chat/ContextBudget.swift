// Keeps what is sent inside the context window: counts the rendered prompt exactly and, when it is too
// long, removes in order — earlier reasoning, then old tool outputs (head+tail kept), then the oldest whole
// turns in chunks, then (last resort) this turn's tool outputs — and reports what went. The stored
// conversation is never touched: the caller gets a new message list. Decisions are sticky through
// `FitState` so the KV-cache prefix stays the same from one turn to the next.
import Foundation

public struct ContextBudget: Sendable, Equatable {
    /// GLM-4.7-Flash's trained context.
    public static let glmContextLength = 202_752

    public var contextLength: Int
    /// Tokens kept free for the reply.
    public var reservedReplyTokens: Int
    /// Bytes of a shortened tool output that are kept (half head, half tail).
    public var toolOutputKeepBytes: Int
    /// When turns must be dropped, free this fraction of the budget beyond what is needed, so the next turns
    /// fit without dropping again (and the cached prompt prefix stays valid).
    public var dropChunkFraction: Double

    public init(contextLength: Int = ContextBudget.glmContextLength, reservedReplyTokens: Int = 16_384,
                toolOutputKeepBytes: Int = 2_000, dropChunkFraction: Double = 0.25) {
        self.contextLength = contextLength; self.reservedReplyTokens = reservedReplyTokens
        self.toolOutputKeepBytes = toolOutputKeepBytes; self.dropChunkFraction = dropChunkFraction
    }

    /// Prompt tokens allowed.
    public var promptBudget: Int { max(0, contextLength - reservedReplyTokens) }

    /// Sticky decisions from the previous fit of the same conversation.
    public struct FitState: Sendable, Equatable, Codable {
        public var dropReasoning = false
        public var shrinkOldToolOutputs = false
        /// Leading turns dropped so far (a turn starts at a user message).
        public var droppedTurns = 0
        /// The compaction these decisions were made under (its last covered message's id; nil: none): the
        /// turns counted above are those after it, so another compaction starts the decisions afresh.
        public var compactedThrough: String? = nil
        public init() {}
        /// Whether anything was decided (the compaction it was made under aside).
        var decidedAnything: Bool { dropReasoning || shrinkOldToolOutputs || droppedTurns > 0 }
    }

    public struct Fitted: Sendable {
        public var messages: [Message]
        public var prompt: String
        public var promptTokens: Int
        public var report: TruncationReport
        public var state: FitState
    }

    public func fit(_ messages: [Message], tools: [JSONValue] = [], template: ChatTemplate, options: TemplateOptions,
                    counter: TokenCounter, previous: FitState = FitState()) throws -> Fitted {
        let fitted = shrink(messages, tools: tools, template: template, options: options, counter: counter, previous: previous)
        guard fitted.promptTokens <= promptBudget else {
            throw ContextError("The conversation needs \(fitted.promptTokens) tokens even after shortening, more than the \(promptBudget) available (context \(contextLength) − \(reservedReplyTokens) reserved for the reply); start a new conversation or use a longer context.")
        }
        return fitted
    }

    /// `fit` without the final check: everything that can be left out is, and the result may still be over
    /// the budget (the backend then sends it and the model or server says it is too long).
    public func shrink(_ messages: [Message], tools: [JSONValue] = [], template: ChatTemplate, options: TemplateOptions,
                       counter: TokenCounter, previous: FitState = FitState()) -> Fitted {
        let budget = promptBudget
        func count(_ m: [Message]) -> (String, Int) { let p = template.render(m, tools: tools, options: options); return (p, counter.countTokens(p)) }
        let lastUser = messages.lastIndex { $0.role == .user } ?? -1
        let turnStarts = messages.indices.filter { messages[$0].role == .user }
        // Turns that may be dropped: every turn but the one with the last user message.
        let droppable = max(0, turnStarts.count - 1)
        var state = previous
        state.droppedTurns = min(state.droppedTurns, droppable)
        var report = TruncationReport(budget: budget)
        var (prompt, tokens) = count(messages)
        report.tokensBefore = tokens
        var current = messages

        /// Applies one step and records it when it saved tokens.
        func apply(_ make: (FitState) -> [Message], _ record: (inout TruncationReport, Int) -> Void) {
            let next = make(state)
            let (p, t) = count(next)
            if t < tokens { record(&report, tokens - t) }
            current = next; prompt = p; tokens = t
        }
        func build(_ s: FitState) -> [Message] {
            Self.shortened(messages, lastUser: lastUser, turnStarts: turnStarts, state: s, keepBytes: toolOutputKeepBytes)
        }

        // Re-apply what was decided before, so the prefix is unchanged while it fits.
        if state.decidedAnything { apply({ build($0) }) { r, saved in r.reapplied = saved } }

        if tokens > budget && !state.dropReasoning && options.keepThinking {
            state.dropReasoning = true
            apply({ build($0) }) { r, saved in r.steps.append(.droppedReasoning(replies: Self.reasoningCount(messages, before: lastUser), tokens: saved)) }
        }
        if tokens > budget && !state.shrinkOldToolOutputs {
            state.shrinkOldToolOutputs = true
            apply({ build($0) }) { r, saved in r.steps.append(.shortenedToolOutputs(count: Self.longToolOutputs(messages, before: lastUser, keep: self.toolOutputKeepBytes), tokens: saved)) }
        }
        if tokens > budget && state.droppedTurns < droppable {
            // Estimate each turn's tokens, drop enough for budget − chunk, then verify and drop more if needed.
            let target = Int(Double(budget) * (1 - dropChunkFraction))
            let before = state.droppedTurns, tokensBeforeDrop = tokens
            var excess = tokens - target
            var k = state.droppedTurns
            var undropped = state
            undropped.droppedTurns = 0
            let shortenedAll = build(undropped)   // same indices as `messages`
            let probe = Message(id: "", role: .user, content: "", created: nil)
            let quiet = TemplateOptions(addGenerationPrompt: false, thinking: options.thinking, keepThinking: options.keepThinking)
            let probeCost = counter.countTokens(template.render([probe], options: quiet))
            while k < droppable && excess > 0 {
                let end = k + 1 < turnStarts.count ? turnStarts[k + 1] : messages.count
                let turn = shortenedAll[turnStarts[k]..<end].filter { $0.role != .system }
                // The turn's cost as it appears inside the prompt (followed by a later user message).
                excess -= counter.countTokens(template.render(Array(turn) + [probe], options: quiet)) - probeCost
                k += 1
            }
            state.droppedTurns = max(k, state.droppedTurns + 1)
            while true {
                let next = build(state)
                let (p, t) = count(next)
                current = next; prompt = p
                tokens = t
                if t <= budget || state.droppedTurns >= droppable { break }
                state.droppedTurns += 1
            }
            let dropped = Self.droppedMessages(messages, turnStarts: turnStarts, from: before, to: state.droppedTurns)
            report.steps.append(.droppedTurns(turns: state.droppedTurns - before, messages: dropped.count, tokens: tokensBeforeDrop - tokens))
            report.removedMessageIDs += dropped.map(\.id)
        }
        if tokens > budget {
            // Last resort: shorten this turn's tool outputs too.
            let long = current.filter { $0.role == .tool && $0.content.utf8.count > toolOutputKeepBytes }.count
            apply({ _ in current.map { m in Self.shorten(m, keep: self.toolOutputKeepBytes) } }) { r, saved in
                r.steps.append(.shortenedCurrentToolOutputs(count: long, tokens: saved))
            }
        }
        report.tokensAfter = tokens
        // Which kept messages are sent changed (reasoning hidden, output shortened), for the UI to mark.
        let original = Dictionary(messages.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        report.shortenedMessageIDs = current.filter { m in
            guard let o = original[m.id] else { return false }
            return o.content != m.content || (o.reasoning ?? "") != (m.reasoning ?? "")
        }.map(\.id)
        return Fitted(messages: current, prompt: prompt, promptTokens: tokens, report: report, state: state)
    }

    // MARK: steps

    static func shortened(_ messages: [Message], lastUser: Int, turnStarts: [Int], state: FitState, keepBytes: Int) -> [Message] {
        let dropFrom = turnStarts.first ?? messages.count
        let dropTo = state.droppedTurns == 0 ? dropFrom : (state.droppedTurns < turnStarts.count ? turnStarts[state.droppedTurns] : messages.count)
        var out: [Message] = []
        for (i, m) in messages.enumerated() {
            if i >= dropFrom && i < dropTo && m.role != .system { continue }
            var m = m
            if i < lastUser {
                if state.dropReasoning && m.role == .assistant { m = withoutReasoning(m) }
                if state.shrinkOldToolOutputs { m = shorten(m, keep: keepBytes) }
            }
            out.append(m)
        }
        return out
    }

    /// The reply as the template shows it when it hides the reasoning (reasoning inlined in the content removed too).
    static func withoutReasoning(_ m: Message) -> Message {
        var m = m
        if m.reasoning == nil, PythonText.contains(m.content, "</think>") {
            m.content = PythonText.lstrip(PythonText.split(m.content, "</think>").last ?? "") { $0 == "\n" }
        }
        m.reasoning = ""
        return m
    }

    static func shorten(_ m: Message, keep: Int) -> Message {
        guard m.role == .tool else { return m }
        let (t, cut) = OutputCap.apply(m.content, limit: keep)
        guard cut else { return m }
        var m = m
        m.content = t
        m.toolResult?.truncated = true
        return m
    }

    static func reasoningCount(_ messages: [Message], before: Int) -> Int {
        messages.prefix(max(0, before)).filter { $0.role == .assistant && (!($0.reasoning ?? "").isEmpty || PythonText.contains($0.content, "</think>")) }.count
    }

    static func longToolOutputs(_ messages: [Message], before: Int, keep: Int) -> Int {
        messages.prefix(max(0, before)).filter { $0.role == .tool && $0.content.utf8.count > keep }.count
    }

    static func droppedMessages(_ messages: [Message], turnStarts: [Int], from: Int, to: Int) -> [Message] {
        guard to > from else { return [] }
        let lo = turnStarts[from], hi = to < turnStarts.count ? turnStarts[to] : messages.count
        return messages[lo..<hi].filter { $0.role != .system }
    }
}

public struct ContextError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ d: String) { description = d }
}

/// What was left out of the prompt so it fits, for the UI to show.
public struct TruncationReport: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        case droppedReasoning(replies: Int, tokens: Int)
        case shortenedToolOutputs(count: Int, tokens: Int)
        case droppedTurns(turns: Int, messages: Int, tokens: Int)
        case shortenedCurrentToolOutputs(count: Int, tokens: Int)
    }
    public var budget: Int
    public var tokensBefore = 0
    public var tokensAfter = 0
    /// Tokens saved by repeating the previous turn's decisions.
    public var reapplied = 0
    /// New removals in this fit, in the order applied.
    public var steps: [Step] = []
    /// Messages left out by dropping turns in this fit.
    public var removedMessageIDs: [String] = []
    /// Messages sent in a shorter form (reasoning left out, tool output cut to head and tail), this fit or before.
    public var shortenedMessageIDs: [String] = []

    public init(budget: Int) { self.budget = budget }

    public var isEmpty: Bool { steps.isEmpty && reapplied == 0 }

    public var description: String {
        if isEmpty { return "The whole conversation fits (\(tokensAfter) of \(budget) tokens)." }
        var parts: [String] = []
        if reapplied > 0 { parts.append("kept out what earlier turns left out (−\(reapplied) tokens)") }
        for s in steps {
            switch s {
            case let .droppedReasoning(n, t): parts.append("left out the reasoning of \(n) earlier repl\(n == 1 ? "y" : "ies") (−\(t) tokens)")
            case let .shortenedToolOutputs(n, t): parts.append("shortened \(n) old tool output\(n == 1 ? "" : "s") to their start and end (−\(t) tokens)")
            case let .droppedTurns(n, m, t): parts.append("left out the \(n) oldest turn\(n == 1 ? "" : "s") (\(m) messages, −\(t) tokens)")
            case let .shortenedCurrentToolOutputs(n, t): parts.append("shortened \(n) tool output\(n == 1 ? "" : "s") of this turn (−\(t) tokens)")
            }
        }
        return "To fit the context (\(tokensAfter) of \(budget) tokens), glmchat " + parts.joined(separator: "; ") + ". The saved conversation is unchanged."
    }
}
