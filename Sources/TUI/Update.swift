// The state machine: update(&state, event) changes the state and returns the effects to perform
// (send, cancel, run a tool, save, copy, quit). No I/O here.
import Chat

public func update(_ s: inout AppState, _ e: Event) -> [Effect] {
    switch e {
    case .key(let k):
        return handleKey(&s, k)
    case .paste(let text):
        s.quitArmed = false
        if case .sessions(var p) = s.overlay {
            if p.renaming != nil { p.renaming! += text.filter { $0 != "\n" } } else { p.query += text.filter { $0 != "\n" } }
            s.overlay = .sessions(p); return []
        }
        if s.overlay != nil { return [] }
        if s.search?.editing == true { s.search?.query += text.filter { $0 != "\n" }; return [] }
        s.focus = .input
        s.input.insert(text)
        let n = text.split(separator: "\n", omittingEmptySubsequences: false).count
        if n > 1 { s.notice = "pasted \(n) lines" }
        return []
    case .resize(let w, let h):
        s.width = w; s.height = h
        clampScroll(&s)
        return []
    case .tick(let t):
        s.now = t
        return []
    case .backend(let ev, let at):
        s.now = at
        return handleBackend(&s, ev, at: at)
    case .toolFinished(let m, let at):
        s.now = at
        s.messages.append(m)
        if s.runningTool?.id == m.toolResult?.callID { s.runningTool = nil }
        return [.save(s.conversation, partial: false)] + nextTool(&s)
    case .sessions(let list):
        if case .sessions(var p) = s.overlay { p.all = list; p.selected = min(p.selected, max(0, p.visible.count - 1)); s.overlay = .sessions(p) }
        else if s.overlay == nil { s.overlay = .sessions(SessionPicker(all: list)) }
        return []
    case .sessionLoaded(let c):
        s.messages = c.messages; s.sessionID = c.id; s.title = c.title
        s.streaming = nil; s.pendingTools = []; s.runningTool = nil; s.scroll = 0; s.selectedBlock = nil
        s.expanded = [:]; s.messageNotes = [:]; s.droppedMessages = 0; s.overlay = nil; s.focus = .input
        s.lastStats = c.messages.last(where: { $0.role == .assistant && $0.stats != nil })?.stats
        s.contextUsed = ContextFit.fit(c.messages, contextLength: s.contextLength, sampling: s.settings.sampling, counter: s.tokenCounter).tokens
        for m in c.messages where m.incomplete { s.messageNotes[m.id, default: []].append("⚠ this reply was cut off (glmchat stopped while it streamed)") }
        s.notice = "opened “\(c.title.isEmpty ? c.id : c.title)”"
        return []
    case .saved(let id):
        s.sessionID = id
        return []
    case .notice(let text):
        s.notice = text
        return []
    }
}

// MARK: keys

func handleKey(_ s: inout AppState, _ k: KeyPress) -> [Effect] {
    let wasArmed = s.quitArmed
    s.quitArmed = false
    if k.key == .ctrl("c") {
        if wasArmed { return [.cancel, .quit] }
        if s.streaming != nil {
            s.quitArmed = true
            s.notice = "stopping the reply (Ctrl-C again quits)"
            return [.cancel]
        }
        if s.runningTool != nil || !s.pendingTools.isEmpty {
            let fx = stopToolLoop(&s)
            s.quitArmed = true
            s.notice = "tool calls stopped (Ctrl-C again quits)"
            return fx
        }
        if s.overlay != nil { return closeOverlay(&s) }
        s.quitArmed = true
        s.notice = "press Ctrl-C again to quit"
        return []
    }
    s.notice = nil
    if s.overlay != nil { return overlayKey(&s, k) }
    if let se = s.search, se.editing { return searchKey(&s, k) }
    switch k.key {
    case .escape:
        if s.streaming != nil { s.notice = "stopping…"; return [.cancel] }
        if s.runningTool != nil || !s.pendingTools.isEmpty { return stopToolLoop(&s) }
        if s.search != nil { s.search = nil; return [] }
        if s.focus == .transcript { s.focus = .input; s.selectedBlock = nil }
        return []
    case .tab, .backTab:
        s.focus = s.focus == .input ? .transcript : .input
        if s.focus == .transcript, s.selectedBlock == nil { s.selectedBlock = s.layoutTranscript().blocks.last?.key }
        return []
    case .ctrl("t"):
        return toggleAllThinking(&s)
    case .pageUp: scrollBy(&s, max(1, s.transcriptRows - 2)); return []
    case .pageDown: scrollBy(&s, -max(1, s.transcriptRows - 2)); return []
    case .wheelUp: scrollBy(&s, 3); return []
    case .wheelDown: scrollBy(&s, -3); return []
    case .function(1), .ctrl("g"): s.overlay = .help; return []
    case .function(2), .ctrl("o"):
        s.overlay = .sessions(SessionPicker(all: []))
        return [.listSessions]
    case .function(3), .ctrl("s"): s.overlay = .settings(SettingsPanel()); return []
    case .ctrl("n"):
        if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
        s.messages = []; s.sessionID = nil; s.title = ""; s.scroll = 0; s.selectedBlock = nil; s.expanded = [:]
        s.messageNotes = [:]; s.droppedMessages = 0; s.contextUsed = 0; s.lastStats = nil
        s.notice = "new conversation"
        return []
    default: break
    }
    return s.focus == .input ? inputKey(&s, k) : transcriptKey(&s, k)
}

func inputKey(_ s: inout AppState, _ k: KeyPress) -> [Effect] {
    switch k.key {
    case .enter where k.alt, .ctrl("j"): s.input.newline()
    case .enter: return submit(&s)
    case .char(let c): if !k.alt { s.input.insert(String(c)) }
    case .backspace: if k.alt { s.input.deleteWordBack() } else { s.input.backspace() }
    case .delete, .ctrl("d"): s.input.deleteForward()
    case .left, .ctrl("b"): s.input.left()
    case .right, .ctrl("f"): s.input.right()
    case .up, .ctrl("p"): s.input.up()
    case .down: s.input.down()
    case .home, .ctrl("a"): s.input.home()
    case .end, .ctrl("e"): s.input.end()
    case .ctrl("u"): s.input.killToStart()
    case .ctrl("k"): s.input.killToEnd()
    case .ctrl("w"): s.input.deleteWordBack()
    default: break
    }
    return []
}

func transcriptKey(_ s: inout AppState, _ k: KeyPress) -> [Effect] {
    let layout = s.layoutTranscript()
    let cur = layout.blockIndex(s.selectedBlock)
    switch k.key {
    case .up, .char("k"):
        guard !layout.blocks.isEmpty else { return [] }
        let i = max(0, (cur ?? layout.blocks.count) - 1)
        select(&s, i, layout)
    case .down, .char("j"):
        guard !layout.blocks.isEmpty else { return [] }
        let i = min(layout.blocks.count - 1, (cur ?? layout.blocks.count - 2) + 1)
        select(&s, i, layout)
    case .enter, .char(" "):
        if let i = cur, layout.blocks[i].collapsible {
            s.expanded[layout.blocks[i].key] = !layout.blocks[i].open
            select(&s, i, s.layoutTranscript())
        }
    case .char("t"): return toggleAllThinking(&s)
    case .home, .char("g"): s.scroll = Int.max; clampScroll(&s)
    case .end, .char("G"): s.scroll = 0
    case .char("/"): s.search = SearchState(query: "", editing: true)
    case .char("n"): findMatch(&s, older: true)
    case .char("N"): findMatch(&s, older: false)
    case .char("y"):
        if let i = cur { s.notice = "copied \(layout.blocks[i].copyText.count) characters"; return [.copy(layout.blocks[i].copyText)] }
    case .char("Y"):
        if let i = cur {
            let code = Markdown.codeBlocks(layout.blocks[i].copyText)
            if code.isEmpty { s.notice = "this block has no code"; return [] }
            let text = code.joined(separator: "\n\n")
            s.notice = "copied \(code.count) code block\(code.count == 1 ? "" : "s")"
            return [.copy(text)]
        }
    case .char(let c) where !k.alt:
        // Typing anywhere goes to the input.
        s.focus = .input; s.selectedBlock = nil
        s.input.insert(String(c))
    default: break
    }
    return []
}

func select(_ s: inout AppState, _ i: Int, _ layout: TranscriptLayout) {
    s.selectedBlock = layout.blocks[i].key
    let h = s.transcriptRows, total = layout.rows.count
    let start = layout.starts[i], end = start + layout.blocks[i].lines.count - 1
    let top = max(0, total - h - s.scroll)
    if start < top { s.scroll = total - h - start }
    else if end > top + h - 1 { s.scroll = max(0, total - h - max(start, end - h + 1)) }
    clampScroll(&s)
}

func toggleAllThinking(_ s: inout AppState) -> [Effect] {
    s.settings.expandThinking.toggle()
    for k in s.expanded.keys where k.hasSuffix(":thinking") { s.expanded[k] = nil }
    s.notice = s.settings.expandThinking ? "thinking blocks open" : "thinking blocks closed"
    return [.saveSettings(s.settings)]
}

func scrollBy(_ s: inout AppState, _ d: Int) {
    s.scroll = max(0, s.scroll &+ d)
    clampScroll(&s)
}

func clampScroll(_ s: inout AppState) {
    let total = s.layoutTranscript().rows.count
    s.scroll = max(0, min(s.scroll, total - s.transcriptRows))
}

// MARK: sending and the tool loop

func submit(_ s: inout AppState) -> [Effect] {
    let text = s.input.text
    guard !text.trimming(" \n").isEmpty else { return [] }
    if s.isBusy { s.notice = "a reply is in progress: Esc stops it"; return [] }
    _ = s.input.take()
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

func startReply(_ s: inout AppState) -> [Effect] {
    let fit = ContextFit.fit(s.messages, contextLength: s.contextLength, sampling: s.settings.sampling, counter: s.tokenCounter)
    s.droppedMessages = fit.dropped
    s.contextUsed = fit.tokens
    let req = ChatRequest(messages: ContextFit.kept(s.messages, dropped: fit.dropped), tools: s.tools, sampling: s.settings.sampling,
                          thinking: s.settings.thinking, keepThinking: s.settings.keepThinking)
    var reply = Message(role: .assistant, content: "", sampling: s.settings.sampling, incomplete: true)
    reply.reasoning = nil
    let saveFirst = Effect.save(s.conversation, partial: false)
    s.messages.append(reply)
    s.streaming = StreamingReply(messageIndex: s.messages.count - 1, startedAt: s.now, lastSaveAt: s.now)
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
        finishReply(&s, &m, sr, reason: .error, at: at)
        s.messageNotes[m.id, default: []].append("✗ the reply failed: " + msg)
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
    if let p = st.promptTokens, let c = st.completionTokens { s.contextUsed = p + c }
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
    if s.runningTool != nil { s.haltToolLoop = true }
    if case .approval = s.overlay { s.overlay = nil }
    s.notice = "tool calls stopped"
    return []
}

// MARK: search

func searchKey(_ s: inout AppState, _ k: KeyPress) -> [Effect] {
    switch k.key {
    case .escape: s.search = nil
    case .enter:
        s.search?.editing = false
        s.search?.matchRow = nil
        findMatch(&s, older: true)
    case .backspace: if s.search?.query.isEmpty == true { s.search = nil } else { s.search?.query.removeLast() }
    case .char(let c): s.search?.query.append(c)
    default: break
    }
    return []
}

/// Moves to the next match above (older) or below the current one; starts from the bottom.
func findMatch(_ s: inout AppState, older: Bool) {
    guard let se = s.search, !se.query.isEmpty else { return }
    let layout = s.layoutTranscript()
    let q = se.query.lowercased()
    let rows = layout.rows.map { $0.plainText.lowercased() }
    let from = se.matchRow ?? (older ? rows.count : -1)
    let order = older ? Array(stride(from: from - 1, through: 0, by: -1)) : Array(stride(from: from + 1, to: rows.count, by: 1))
    guard let r = order.first(where: { rows[$0].contains(q) }) else {
        s.notice = se.matchRow == nil ? "no match for “\(se.query)”" : "no more matches"
        return
    }
    s.search?.matchRow = r
    let h = s.transcriptRows
    s.scroll = max(0, rows.count - h - max(0, r - h / 2))
    clampScroll(&s)
}

// MARK: overlays

func closeOverlay(_ s: inout AppState) -> [Effect] {
    let o = s.overlay
    s.overlay = nil
    switch o {
    case .settings: return [.saveSettings(s.settings)]
    case .approval(let call): return denyTool(&s, call)
    default: return []
    }
}

func denyTool(_ s: inout AppState, _ call: ToolCall) -> [Effect] {
    s.pendingTools.removeAll { $0.id == call.id }
    var m = Message.tool("The user refused to run this tool call.", callID: call.id, name: call.name)
    m.toolResult?.denied = true
    s.messages.append(m)
    return [.save(s.conversation, partial: false)] + nextTool(&s)
}

func overlayKey(_ s: inout AppState, _ k: KeyPress) -> [Effect] {
    guard let o = s.overlay else { return [] }
    switch o {
    case .help:
        switch k.key {
        case .escape, .enter, .function(1), .char("q"), .ctrl("g"): s.overlay = nil; s.helpOffset = 0
        case .down, .char("j"), .wheelDown: s.helpOffset = min(Keymap.helpMaxOffset(height: s.height), s.helpOffset + 1)
        case .up, .char("k"), .wheelUp: s.helpOffset = max(0, s.helpOffset - 1)
        case .pageDown: s.helpOffset = min(Keymap.helpMaxOffset(height: s.height), s.helpOffset + max(1, s.height - 8))
        case .pageUp: s.helpOffset = max(0, s.helpOffset - max(1, s.height - 8))
        default: break
        }
        return []
    case .approval(let call):
        switch k.key {
        case .char("y"), .char("a"), .enter:
            if k.key == .char("a") { s.alwaysAllowed.insert(call.name) }
            s.overlay = nil
            s.pendingTools.removeAll { $0.id == call.id }
            s.runningTool = call
            return [.runTool(call)]
        case .char("n"), .escape:
            s.overlay = nil
            return denyTool(&s, call)
        default: return []
        }
    case .settings(var p):
        let n = AppState.settingsRows.count
        switch k.key {
        case .escape, .function(3), .ctrl("s"): return closeOverlay(&s)
        case .up, .char("k"): p.selected = (p.selected + n - 1) % n
        case .down, .char("j"): p.selected = (p.selected + 1) % n
        case .left, .right, .enter, .char(" "):
            let sign: Double = k.key == .left ? -1 : 1
            switch p.selected {
            case 0: s.settings.thinking.toggle()
            case 1: s.settings.keepThinking.toggle()
            case 2: s.settings.expandThinking.toggle()
            case 3: s.settings.sampling.temperature = clampStep(s.settings.sampling.temperature, 0.05 * sign, 0, 2)
            case 4: s.settings.sampling.topP = clampStep(s.settings.sampling.topP, 0.05 * sign, 0.05, 1)
            case 5: s.settings.sampling.minP = clampStep(s.settings.sampling.minP, 0.01 * sign, 0, 1)
            case 6:
                guard !s.themes.isEmpty else { break }
                let i = s.themes.firstIndex { $0.name == s.theme.name } ?? 0
                s.theme = s.themes[(i + (sign > 0 ? 1 : s.themes.count - 1)) % s.themes.count]
                s.settings.theme = s.theme.name
            default: break
            }
        default: break
        }
        s.overlay = .settings(p)
        return []
    case .sessions(var p):
        let vis = p.visible
        if p.confirmDelete {
            p.confirmDelete = false
            if k.key == .char("y"), let e = vis[safe: p.selected] {
                p.all.removeAll { $0.id == e.id }
                p.selected = min(p.selected, max(0, p.visible.count - 1))
                s.overlay = .sessions(p)
                if e.id == s.sessionID { s.sessionID = nil }
                return [.deleteSession(e.id)]
            }
            s.overlay = .sessions(p)
            return []
        }
        if var r = p.renaming {
            switch k.key {
            case .escape: p.renaming = nil
            case .enter:
                p.renaming = nil
                if let e = vis[safe: p.selected], !r.trimming(" ").isEmpty {
                    let title = r.trimming(" ")
                    if let i = p.all.firstIndex(where: { $0.id == e.id }) { p.all[i].title = title }
                    if e.id == s.sessionID { s.title = title }
                    s.overlay = .sessions(p)
                    return [.renameSession(e.id, title)]
                }
            case .backspace: if !r.isEmpty { r.removeLast() }; p.renaming = r
            case .char(let c): r.append(c); p.renaming = r
            default: break
            }
            s.overlay = .sessions(p)
            return []
        }
        switch k.key {
        case .escape, .ctrl("o"): s.overlay = nil; return []
        case .up: p.selected = max(0, p.selected - 1)
        case .down: p.selected = min(max(0, vis.count - 1), p.selected + 1)
        case .enter:
            guard let e = vis[safe: p.selected] else { return [] }
            if let d = e.damaged { s.notice = "cannot open: \(d)"; return [] }
            if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
            s.overlay = nil
            return [.openSession(e.id)]
        case .function(2), .ctrl("r"): if let e = vis[safe: p.selected] { p.renaming = e.title }
        case .delete, .ctrl("d"): if vis[safe: p.selected] != nil { p.confirmDelete = true }
        case .backspace: if !p.query.isEmpty { p.query.removeLast(); p.selected = 0 }
        case .char(let c): p.query.append(c); p.selected = 0
        default: break
        }
        s.overlay = .sessions(p)
        return []
    }
}

func clampStep(_ v: Double, _ d: Double, _ lo: Double, _ hi: Double) -> Double {
    (min(hi, max(lo, v + d)) * 100).rounded() / 100
}
