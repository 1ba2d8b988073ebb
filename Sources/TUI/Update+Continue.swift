// Continue (`c`, `/continue`): the model goes on with a reply that was stopped or cut off, in the same message.
// The prompt ends inside that reply (ChatRequest.continuing), so the engine reuses its cache up to there.
import Chat

/// Why the reply at `i` cannot be continued, or nil when it can.
func continueRefusal(_ s: AppState, _ i: Int) -> String? {
    let m = s.messages[i]
    guard m.role == .assistant else { return "select a reply to continue it" }
    guard i == s.messages.count - 1 else { return "only the last reply can be continued (r asks again for any reply)" }
    guard m.toolCalls.isEmpty else { return "this reply ended with a tool call; it is not cut off" }
    guard m.incomplete || [.cancelled, .length, .error].contains(m.finishReason) else {
        return m.finishReason == .loop ? "this reply was stopped for repeating itself; r asks again instead"
                                       : "this reply is complete; r asks again for a new one"
    }
    return nil
}

func continueReply(_ s: inout AppState, _ index: Int?) -> [Effect] {
    if let ro = s.readOnly { s.notice = ro.refusal; return [] }
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
    guard let i = index ?? s.messages.indices.last else { s.notice = "there is no reply to continue"; return [] }
    if let why = continueRefusal(s, i) { s.notice = why; return [] }
    var req = chatRequest(s)
    req.continuing = true
    s.messageNotes[s.messages[i].id] = nil
    s.earlyNotes[s.messages[i].id] = nil
    s.messages[i].incomplete = true
    s.messages[i].finishReason = nil
    s.toolRounds = 0
    streamInto(&s, i, continuedFrom: s.messages[i].stats)
    s.notice = "continuing the reply"
    return [.send(req)]
}

extension GenerationStats {
    /// The figures of a continued reply: this run's, with the earlier run's tokens and decode time added (its
    /// prompt figures are this run's; its time to first token is the first run's).
    func continuing(_ earlier: GenerationStats?) -> GenerationStats {
        guard let e = earlier else { return self }
        var st = self
        func sum<T: AdditiveArithmetic>(_ a: T?, _ b: T?) -> T? { a == nil && b == nil ? nil : (a ?? .zero) + (b ?? .zero) }
        st.completionTokens = sum(e.completionTokens, completionTokens)
        st.reasoningTokens = sum(e.reasoningTokens, reasoningTokens)
        st.decodeSeconds = sum(e.decodeSeconds, decodeSeconds)
        st.thinkingSeconds = sum(e.thinkingSeconds, thinkingSeconds)
        st.ttftSeconds = e.ttftSeconds ?? ttftSeconds
        return st
    }
}
