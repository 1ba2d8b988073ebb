// The state machine: update(&state, event) changes the state and returns the effects to perform
// (send, cancel, run a tool, save, copy, quit). No I/O here. This file: events and key dispatch.
import Chat

public func update(_ s: inout AppState, _ e: Event) -> [Effect] {
    let effects = apply(&s, e)
    // Whatever just finished the reply (its end, the last tool result, a refused tool), queued messages go next.
    return effects + sendQueuedIfIdle(&s)
}

func apply(_ s: inout AppState, _ e: Event) -> [Effect] {
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
        s.promptLimit = nil
        // Unknown until the backend has counted it (off this thread) or the first reply.
        s.contextUsed = nil
        s.contextUsedApproximate = false
        for m in c.messages where m.incomplete { s.messageNotes[m.id, default: []].append("⚠ this reply was cut off (glmchat stopped while it streamed)") }
        s.readOnly = c.readOnly
        s.notice = "opened “\(c.title.isEmpty ? c.id : c.title)”" + (c.readOnly.map { " " + $0.label } ?? "")
        return c.messages.isEmpty ? [] : [.measure(chatRequest(s), sessionID: c.id)]
    case .saved(let id):
        s.sessionID = id
        return []
    case .notice(let text):
        s.notice = text
        return []
    case .draftRestored(let draft):
        let typed = s.input.text
        guard !draft.isEmpty, !typed.contains(draft) else { return [] }
        s.input.setText(typed.trimming(" \n").isEmpty ? draft : draft + "\n\n" + typed)
        s.focus = .input
        s.notice = joinNotice(s.notice ?? "", "restored the text you had not sent")
        return []
    case .contextMeasured(let fit, let id):
        // Only for the conversation still open, and only until a reply reports its own fit.
        guard s.sessionID == id, s.streaming == nil, s.contextUsed == nil else { return [] }
        s.contextUsed = fit.promptTokens
        s.contextUsedApproximate = !fit.exact
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
            s.notice = joinNotice("stopping the reply", returnQueuedToEditor(&s)) + " (Ctrl-C again quits)"
            return [.cancel]
        }
        if s.runningTool != nil || !s.pendingTools.isEmpty {
            let fx = stopToolLoop(&s)
            s.quitArmed = true
            s.notice = joinNotice("tool calls stopped", returnQueuedToEditor(&s)) + " (Ctrl-C again quits)"
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
        if s.streaming != nil { s.notice = joinNotice("stopping…", returnQueuedToEditor(&s)); return [.cancel] }
        if s.runningTool != nil || !s.pendingTools.isEmpty {
            let fx = stopToolLoop(&s)
            s.notice = joinNotice(s.notice ?? "", returnQueuedToEditor(&s))
            return fx
        }
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
        s.messageNotes = [:]; s.droppedMessages = 0; s.contextUsed = 0; s.contextUsedApproximate = false; s.lastStats = nil
        s.promptLimit = nil; s.readOnly = nil
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
    case .char("b") where k.alt: s.input.wordLeft()
    case .char("f") where k.alt: s.input.wordRight()
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
    case .enter where cur.map({ layout.blocks[$0].kind == .truncation }) ?? false:
        // "— view": show the earliest of the turns the model no longer sees.
        s.scroll = Int.max; clampScroll(&s)
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
