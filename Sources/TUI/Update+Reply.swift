// Sending a message, streaming the reply from backend events, and the tool loop (approval, run, send back).
import Chat

func submit(_ s: inout AppState) -> [Effect] {
    let text = s.input.text
    guard !text.trimming(" \n").isEmpty else { return [] }
    if let ro = s.readOnly { s.notice = ro.refusal; return [] }
    if s.isBusy { return queueMessage(&s) }
    return send(&s, s.input.take())
}

/// Adds the user's message to the conversation and starts the reply.
func send(_ s: inout AppState, _ text: String) -> [Effect] {
    s.toolRounds = 0
    s.messages.append(.user(text))
    if s.title.isEmpty { s.title = defaultTitle(text) }
    return startReply(&s)
}

/// A short title from the first user message.
public func defaultTitle(_ text: String) -> String {
    let line = text.split(separator: "\n").first.map { String($0).trimming(" ") } ?? ""
    if line.count <= 48 { return line }
    var cut = String(line.prefix(48))
    if let sp = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: sp) > 24 { cut = String(cut[..<sp]) }
    return cut + "…"
}

/// What to send for the conversation as it stands: the plugged-in fitter, else ContextFit's whole-turn drop;
/// both within `promptLimit` when a server asked for less.
func fitConversation(_ s: AppState) -> ContextFitResult {
    if let f = s.fitter { return f(s.messages, s.settings, s.promptLimit) }
    let fit = ContextFit.fit(s.messages, contextLength: s.contextLength, sampling: s.settings.sampling, counter: s.tokenCounter,
                             promptLimit: s.promptLimit)
    return ContextFitResult(messages: ContextFit.kept(s.messages, dropped: fit.dropped), droppedMessages: fit.dropped, promptTokens: fit.tokens)
}

func startReply(_ s: inout AppState, contextRetry: Bool = false) -> [Effect] {
    let fitted = fitConversation(s)
    s.droppedMessages = fitted.droppedMessages
    if let p = fitted.promptTokens {
        s.contextUsed = p
        s.contextUsedApproximate = s.tokenCounter.map { !$0.isExact } ?? false
    }
    let req = ChatRequest(messages: fitted.messages, tools: s.tools, sampling: s.settings.sampling,
                          thinking: s.settings.thinking, keepThinking: s.settings.keepThinking)
    var reply = Message(role: .assistant, content: "", sampling: s.settings.sampling, incomplete: true)
    reply.reasoning = nil
    let saveFirst = Effect.save(s.conversation, partial: false)
    s.messages.append(reply)
    var sr = StreamingReply(messageIndex: s.messages.count - 1, startedAt: s.now, lastSaveAt: s.now)
    sr.sentMessages = fitted.messages.count
    sr.sentPromptTokens = fitted.promptTokens ?? fitted.messages.reduce(0) { $0 + ContextFit.tokens($1, counter: s.tokenCounter) }
    sr.contextRetry = contextRetry
    s.streaming = sr
    s.scroll = 0
    s.haltToolLoop = false
    return [saveFirst, .send(req)]
}

func handleBackend(_ s: inout AppState, _ ev: ChatEvent, at: Double) -> [Effect] {
    guard var sr = s.streaming, sr.messageIndex < s.messages.count else { return [] }
    var m = s.messages[sr.messageIndex]
    var effects: [Effect] = []
    switch ev {
    case .prefillProgress(let done, let total):
        sr.prefill = (done, total)
    case .reasoning(let text):
        if sr.firstTokenAt == nil { sr.firstTokenAt = at }
        if sr.reasoningStartAt == nil { sr.reasoningStartAt = at }
        m.reasoning = (m.reasoning ?? "") + text
        sr.reasoningChunks += 1
    case .content(let text):
        if sr.firstTokenAt == nil { sr.firstTokenAt = at }
        if sr.reasoningStartAt != nil, sr.reasoningEndAt == nil { sr.reasoningEndAt = at }
        m.content += m.content.isEmpty ? String(text.drop(while: { $0 == "\n" })) : text
        sr.contentChunks += 1
    case .toolCall(let call):
        if sr.reasoningStartAt != nil, sr.reasoningEndAt == nil { sr.reasoningEndAt = at }
        m.toolCalls.append(call)
    case .warning(let w):
        s.messageNotes[m.id, default: []].append("⚠ " + w)
    case .stats(let st):
        m.stats = st
    case .finished(let reason):
        finishReply(&s, &m, sr, reason: reason, at: at)
        s.messages[sr.messageIndex] = m
        s.streaming = nil
        effects.append(.save(s.conversation, partial: false))
        if reason == .toolCalls || (reason == .stop && !m.toolCalls.isEmpty) {
            s.pendingTools = m.toolCalls
            effects += nextTool(&s)
        }
        return effects
    case .failed(let msg):
        var note = "✗ the reply failed: " + msg
        if ev.isContextTooLong {
            switch retryShorter(&s, sr, reply: m, error: msg) {
            case .retry(let effects): return effects
            case .cannotShrink: note += " Nothing older can be left out: shorten the message or start a new conversation (Ctrl-N)."
            case .alreadyRetried: note += " (This was the retry with a shorter prompt.)"
            case .notApplicable: break
            }
        }
        finishReply(&s, &m, sr, reason: .error, at: at)
        s.messageNotes[m.id, default: []].append(note)
        // Sending the queued messages into the same failure would only repeat it: back to the editor.
        let back = returnQueuedToEditor(&s)
        if !back.isEmpty { s.notice = "the reply failed; " + back }
        s.messages[sr.messageIndex] = m
        s.streaming = nil
        return [.save(s.conversation, partial: false)]
    }
    s.messages[sr.messageIndex] = m
    if at - sr.lastSaveAt >= 2 {
        sr.lastSaveAt = at
        s.streaming = sr
        return [.save(s.conversation, partial: true)]
    }
    s.streaming = sr
    return effects
}

func finishReply(_ s: inout AppState, _ m: inout Message, _ sr: StreamingReply, reason: FinishReason, at: Double) {
    m.incomplete = false
    m.finishReason = reason
    var st = m.stats ?? GenerationStats()
    if st.ttftSeconds == nil, let f = sr.firstTokenAt { st.ttftSeconds = f - sr.startedAt }
    if st.thinkingSeconds == nil, let a = sr.reasoningStartAt { st.thinkingSeconds = (sr.reasoningEndAt ?? at) - a }
    if st.reasoningTokens == nil, sr.reasoningChunks > 0, m.stats == nil { st.reasoningTokens = sr.reasoningChunks }
    m.stats = st
    s.lastStats = st
    if let p = st.promptTokens, let c = st.completionTokens { s.contextUsed = p + c; s.contextUsedApproximate = false }
    else { s.contextUsed = (s.contextUsed ?? 0) + ContextFit.tokens(m, counter: s.tokenCounter) }
}

/// Runs or asks about the next queued tool call; when none are left, sends their results back.
func nextTool(_ s: inout AppState) -> [Effect] {
    guard s.runningTool == nil else { return [] }
    if s.haltToolLoop { s.pendingTools = []; s.haltToolLoop = false; return [] }
    guard let call = s.pendingTools.first else {
        // All results are in: continue the conversation if the last message is a tool result.
        guard s.messages.last?.role == .tool else { return [] }
        s.toolRounds += 1
        if s.toolRounds > AppState.maxToolRounds {
            s.notice = "stopped after \(AppState.maxToolRounds) rounds of tool calls; send a message to go on"
            return []
        }
        return startReply(&s)
    }
    if s.toolsNeedApproval && !s.alwaysAllowed.contains(call.name) {
        s.overlay = .approval(call)
        return []
    }
    s.pendingTools.removeFirst()
    s.runningTool = call
    return [.runTool(call)]
}

func stopToolLoop(_ s: inout AppState) -> [Effect] {
    s.pendingTools = []
    if case .approval = s.overlay { s.overlay = nil }
    s.notice = "tool calls stopped"
    guard let running = s.runningTool else { return [] }
    s.haltToolLoop = true
    return [.cancelTool(running.id)]
}
