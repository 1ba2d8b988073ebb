// After a server said the prompt is longer than its context: lower the prompt's limit, leave out more of
// the oldest turns and send once more, with a sentence for the transcript (`ChatEvent.contextRetry`). A
// second such failure is reported and ends the reply (no loop). The conversation keeps every message; only
// what is sent gets shorter. Runs on the backend's side, next to the fitter.
import Foundation

public enum ContextRetry {
    /// The prompt limit, in this backend's token counts, for the retry. With the server's numbers: its context
    /// minus the room kept for the reply, scaled by how its count of the prompt compares with ours; without
    /// them (or when they would not shrink anything): three quarters of what was sent.
    public static func limit(sentTokens: Int, overflow: ContextOverflow, sampling: SamplingParams) -> Int {
        let fallback = sentTokens * 3 / 4
        guard let n = overflow.contextLength else { return fallback }
        let room = n - PromptFitter.replyReserve(contextLength: n, sampling: sampling)
        let ours = overflow.promptTokens.map { Double(sentTokens) / Double($0) } ?? 1   // our tokens per server token
        let fromNumbers = Int((Double(room) * ours).rounded(.down))
        return fromNumbers < sentTokens ? max(0, fromNumbers) : fallback
    }

    public static func notice(leftOut: Int, tokens: Int, sentTokens: Int) -> String {
        let what = leftOut > 0 ? "\(leftOut) older message\(leftOut == 1 ? "" : "s") left out"
                               : "a shorter prompt (\(tokens) tokens instead of \(sentTokens))"
        return "⚠ The server said the conversation is too long; retrying with \(what)."
    }

    /// One reply: fits `request`, reports the fit and sends it with `attempt`; when that fails with a
    /// context-too-long error before anything streamed, fits again within a tighter limit (and the server's
    /// context, when it said) and sends once more.
    public static func run(_ request: ChatRequest, fitter: PromptFitter, onEvent: @escaping @Sendable (ChatEvent) -> Void,
                           attempt: (FittedPrompt, _ onEvent: @escaping @Sendable (ChatEvent) -> Void) async -> Void) async {
        var fitted = fitter.fit(request)
        onEvent(.promptFitted(fitted.fit))
        var retried = false
        while true {
            let watch = AttemptWatch()
            await attempt(fitted) { e in if watch.passes(e) { onEvent(e) } }
            guard let error = watch.heldFailure else { return }
            if retried { return onEvent(.failed(error + " (This was the retry with a shorter prompt.)")) }
            retried = true
            let overflow = ContextOverflow(message: error)
            // The server's context is a fact about it: later fits use it too.
            if let n = overflow.contextLength { fitter.lowerContext(to: n) }
            var tighter = request
            tighter.promptLimit = min(request.promptLimit ?? .max, limit(sentTokens: fitted.fit.promptTokens, overflow: overflow, sampling: request.sampling))
            tighter.fitState = fitted.fit.state
            let next = fitter.fit(tighter)
            guard next.messages.count < fitted.messages.count || next.fit.promptTokens < fitted.fit.promptTokens else {
                return onEvent(.failed(error + " Nothing older can be left out: shorten the message or start a new conversation (Ctrl-N)."))
            }
            let all = request.promptMessages.messages.count
            onEvent(.contextRetry(notice(leftOut: all - next.messages.count, tokens: next.fit.promptTokens,
                                         sentTokens: fitted.fit.promptTokens)))
            onEvent(.promptFitted(next.fit))
            fitted = next
        }
    }
}

/// Watches one attempt's events: holds back a context-too-long failure that came before any of the reply.
private final class AttemptWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var streamed = false
    private var held: String?

    var heldFailure: String? { lock.lock(); defer { lock.unlock() }; return held }

    /// Whether the event goes on to the caller.
    func passes(_ e: ChatEvent) -> Bool {
        lock.lock(); defer { lock.unlock() }
        switch e {
        case .reasoning, .content, .toolCall: streamed = true
        case .failed(let m) where e.isContextTooLong && !streamed: held = m; return false
        default: break
        }
        return true
    }
}
