// Sending a message, streaming the reply from backend events, and the tool loop (approval, run, send back).
import Chat

func submit(_ s: inout AppState) -> [Effect] {
    guard !s.input.text.trimming(" \n").isEmpty else { return [] }
    if let fx = runSlash(&s) { return fx }
    // Editing the summary (`e` on it): Enter saves it; commands still run.
    if s.editingSummary { return saveSummary(&s) }
    if let ro = s.readOnly { s.notice = ro.refusal; return [] }
    if s.isBusy { return queueMessage(&s) }
    return send(&s, s.input.take())
}

/// Adds the user's message to the conversation and starts the reply.
/// A message naming files with `@path` goes out once App has read them (`Event.attached`).
func send(_ s: inout AppState, _ text: String) -> [Effect] {
    let mentions = Attachment.mentions(in: text)
    if !mentions.isEmpty { return [.attach(text, paths: mentions)] }
    return send(&s, .user(text))
}

/// `autoCompact`: the setting may summarise the earlier turns first (see Update+Compact).
func send(_ s: inout AppState, _ m: Message, autoCompact: Bool = true) -> [Effect] {
    if autoCompact, let fx = autoCompactFirst(&s, m) { return fx }
    s.toolRounds = 0
    var m = m
    if let id = s.editingMessageID, let i = s.messages.firstIndex(where: { $0.id == id }) {
        // An edit: the message it replaces and all after it become the previous version.
        m.versions = s.messages.versionsReplacing(at: i)
        s.messages.removeSubrange(i...)
    }
    s.editingMessageID = nil
    s.messages.append(m)
    if s.title.isEmpty { s.title = defaultTitle(m.content) }
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

/// The request for the conversation as it stands: all of it, with what the backend needs to fit it.
func chatRequest(_ s: AppState) -> ChatRequest {
    let memory = s.fitMemory.flatMap { $0.firstMessageID == s.messages.first?.id ? $0.state : nil }
    return ChatRequest(messages: s.messages, tools: offeredTools(s), sampling: s.settings.sampling, thinking: s.settings.thinking,
                       keepThinking: s.settings.keepThinking, promptLimit: s.promptLimit, fitState: memory ?? ContextBudget.FitState(),
                       conversationID: s.readOnly == nil ? s.sessionID : nil, instructions: s.instructions, compaction: s.compaction)
}

/// The tool declarations sent to the model: in plan mode only the reading tools.
func offeredTools(_ s: AppState) -> [JSONValue] {
    guard s.planMode else { return s.tools }
    return s.tools.filter { d in
        CodingTools.kind(of: d["function"]?["name"]?.stringValue ?? "") == .read
    }
}

func startReply(_ s: inout AppState) -> [Effect] {
    let req = chatRequest(s)
    var reply = Message(role: .assistant, content: "", sampling: s.settings.sampling, incomplete: true)
    reply.reasoning = nil
    let saveFirst = Effect.save(s.conversation, partial: false)
    s.messages.append(reply)
    streamInto(&s, s.messages.count - 1)
    return [saveFirst, .send(req)]
}

/// The reply's events go to message `i` from now on (a new reply, or one continued after `continuedFrom`).
func streamInto(_ s: inout AppState, _ i: Int, continuedFrom: GenerationStats? = nil) {
    s.streaming = StreamingReply(messageIndex: i, startedAt: s.now, lastSaveAt: s.now, continuedFrom: continuedFrom)
    s.scroll = 0
    s.haltToolLoop = false
}

/// The backend's fit of the reply being streamed: what is left out, the context use and the fit's memory.
func applyFit(_ s: inout AppState, _ fit: PromptFit) {
    s.droppedMessages = fit.droppedMessages
    s.contextUsed = fit.promptTokens
    s.contextUsedApproximate = !fit.exact
    s.contextLength = fit.contextLength
    s.promptLimit = fit.promptLimit
    if let first = s.messages.first?.id { s.fitMemory = (first, fit.state) }
}

func handleBackend(_ s: inout AppState, _ ev: ChatEvent, at: Double) -> [Effect] {
    if s.compacting != nil, s.streaming == nil { return compactionEvent(&s, ev) }
    guard var sr = s.streaming, sr.messageIndex < s.messages.count else { return [] }
    var m = s.messages[sr.messageIndex]
    var effects: [Effect] = []
    switch ev {
    case .promptFitted(let fit):
        applyFit(&s, fit)
    case .contextRetry(let note):
        // Shown under the message the reply answers (tool results are drawn with the call they answer).
        if let anchor = s.messages[..<sr.messageIndex].last(where: { $0.role == .user || $0.role == .assistant }) {
            s.messageNotes[anchor.id, default: []].append(note)
        }
    case .prefillProgress(let done, let total):
        if var p = sr.prefill { p.done = done; p.total = total; sr.prefill = p }
        else { sr.prefill = PrefillProgress(done: done, total: total, startedAt: at, startDone: done) }
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
        if m.content.isEmpty, m.toolCalls.isEmpty, s.messageNotes[m.id]?.count == (s.earlyNotes[m.id] ?? 0) + 1 {
            s.earlyNotes[m.id, default: 0] += 1
        }
    case .stats(let st):
        m.stats = st.continuing(sr.continuedFrom)
    case .finished(let reason):
        finishReply(&s, &m, sr, reason: reason, at: at)
        s.messages[sr.messageIndex] = m
        s.streaming = nil
        effects.append(.save(s.conversation, partial: false))
        if reason == .toolCalls || (reason == .stop && !m.toolCalls.isEmpty) {
            s.pendingTools = m.toolCalls
            effects += nextTool(&s)
        } else if s.settings.notify, reason != .cancelled {
            effects.append(.notify("glmchat: the reply is ready"))
        }
        return effects
    case .failed(let msg):
        let note = "✗ the reply failed: " + msg
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
    else { s.contextUsed = (s.contextUsed ?? 0) + estimatedTokens(m) }
}

/// A reply's tokens when the backend did not count them: about 3 bytes per token, plus its role tags.
func estimatedTokens(_ m: Message) -> Int {
    let text = m.content + (m.reasoning ?? "") + m.toolCalls.map { $0.name + $0.arguments.serialized() }.joined()
    return (text.utf8.count + 2) / 3 + 4
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
        if let fx = autoCompactBeforeToolRound(&s) { return fx }
        return startReply(&s)
    }
    guard s.preparingTool == nil else { return [] }
    if s.planMode, let kind = CodingTools.kind(of: call.name), kind.needsApproval {
        // Not offered in plan mode; a call that comes anyway is answered, never run or asked about.
        s.pendingTools.removeFirst()
        var m = Message.tool("plan mode: \(call.name) is not available (the user allows reading only); describe the change instead",
                             callID: call.id, name: call.name)
        m.toolResult?.denied = true
        s.messages.append(m)
        return [.save(s.conversation, partial: false)] + nextTool(&s)
    }
    s.preparingTool = call
    return [.prepareTool(call)]
}

/// What the next call will do is known: ask the user (writes and commands), run it, or answer the model
/// with the refusal when it cannot run.
func toolPrepared(_ s: inout AppState, _ call: ToolCall, _ prep: ToolPreparation) -> [Effect] {
    guard s.preparingTool?.id == call.id else { return [] }
    s.preparingTool = nil
    guard s.pendingTools.first?.id == call.id else { return nextTool(&s) }
    switch prep {
    case .refused(let m):
        s.pendingTools.removeFirst()
        s.messages.append(m)
        return [.save(s.conversation, partial: false)] + nextTool(&s)
    case .ready(let req):
        if !runsWithoutAsking(s, req) {
            s.overlay = .approval(ApprovalPanel(req))
            return s.settings.notify ? [.notify("glmchat: \(req.summary) — waiting for your answer")] : []
        }
        return startTool(&s, call)
    }
}

/// The call leaves the queue and runs.
func startTool(_ s: inout AppState, _ call: ToolCall) -> [Effect] {
    s.pendingTools.removeAll { $0.id == call.id }
    s.runningTool = call
    s.runningToolStartedAt = s.now
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
