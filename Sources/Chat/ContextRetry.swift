// After a server said the prompt is longer than its context: lower the prompt's limit, leave out more of
// the oldest turns and send once more, with a notice in the transcript. A second such failure is shown
// and ends the reply (no loop). The conversation keeps every message; only what is sent gets shorter.
import Chat

public enum ContextRetry {
    /// The prompt limit, in this app's token counts, for the retry. With the server's numbers: its context
    /// minus the room kept for the reply, scaled by how its count of the prompt compares with ours; without
    /// them (or when they would not shrink anything): three quarters of what was sent.
    public static func limit(sentTokens: Int, overflow: ContextOverflow, sampling: SamplingParams) -> Int {
        let fallback = sentTokens * 3 / 4
        guard let n = overflow.contextLength else { return fallback }
        let room = n - ContextFit.replyReserve(contextLength: n, sampling: sampling)
        let ours = overflow.promptTokens.map { Double(sentTokens) / Double($0) } ?? 1   // our tokens per server token
        let fromNumbers = Int((Double(room) * ours).rounded(.down))
        return fromNumbers < sentTokens ? max(0, fromNumbers) : fallback
    }

    public static func notice(leftOut: Int, tokens: Int, sentTokens: Int) -> String {
        let what = leftOut > 0 ? "\(leftOut) older message\(leftOut == 1 ? "" : "s") left out"
                               : "a shorter prompt (\(tokens) tokens instead of \(sentTokens))"
        return "⚠ The server said the conversation is too long; retrying with \(what)."
    }
}

enum ContextRetryOutcome {
    /// The shorter prompt was sent.
    case retry([Effect])
    /// The reply already streamed something; it is kept as it is.
    case notApplicable
    /// Nothing more can be left out (only the last turn is sent).
    case cannotShrink
    /// This reply was the retry.
    case alreadyRetried
}

/// Handles a context-too-long failure of the reply `sr`: drops the empty reply, tightens the limit and
/// starts the reply again when that sends less than before.
func retryShorter(_ s: inout AppState, _ sr: StreamingReply, reply m: Message, error: String) -> ContextRetryOutcome {
    if sr.contextRetry { return .alreadyRetried }
    guard m.content.isEmpty, (m.reasoning ?? "").isEmpty, m.toolCalls.isEmpty, sr.messageIndex == s.messages.count - 1 else {
        return .notApplicable
    }
    let overflow = ContextOverflow(message: error)
    // The server's context is a fact about it: the status bar and later fits use it from now on.
    if let n = overflow.contextLength, n < s.contextLength { s.contextLength = n }
    s.promptLimit = min(s.promptLimit ?? .max, ContextRetry.limit(sentTokens: sr.sentPromptTokens, overflow: overflow, sampling: s.settings.sampling))
    var trial = s
    trial.messages.removeLast()
    let fitted = fitConversation(trial)
    let shorter = fitted.messages.count < sr.sentMessages || (fitted.promptTokens ?? .max) < sr.sentPromptTokens
    guard shorter else { return .cannotShrink }
    s = trial
    s.streaming = nil
    s.messageNotes[m.id] = nil
    let note = ContextRetry.notice(leftOut: s.messages.count - fitted.messages.count, tokens: fitted.promptTokens ?? 0,
                                   sentTokens: sr.sentPromptTokens)
    // Shown under the message the reply answers (tool results are drawn with the call they answer).
    if let anchor = s.messages.last(where: { $0.role == .user || $0.role == .assistant }) {
        s.messageNotes[anchor.id, default: []].append(note)
    }
    return .retry(startReply(&s, contextRetry: true))
}
