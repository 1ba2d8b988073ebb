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
    case .backendNote(let text):
        s.notice = joinNotice(s.notice ?? "", text)
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
    // Ctrl-C works everywhere, overlays included.
    if Keymap.action(for: k, in: .anywhere) == .interrupt { return interrupt(&s, wasArmed: wasArmed) }
    s.notice = nil
    if s.overlay != nil { return overlayKey(&s, k) }
    if let se = s.search, se.editing { return searchKey(&s, k) }
    guard let action = Keymap.action(for: k, focus: s.focus) else { return typeKey(&s, k) }
    return perform(&s, action)
}

/// A key no binding has: a character is typed into the input (from the transcript too).
func typeKey(_ s: inout AppState, _ k: KeyPress) -> [Effect] {
    guard case .char(let c) = k.key, !k.alt else { return [] }
    if s.focus == .transcript { s.focus = .input; s.selectedBlock = nil }
    s.input.insert(String(c))
    return []
}

/// Does what a key in the keymap is bound to.
func perform(_ s: inout AppState, _ action: KeyAction) -> [Effect] {
    switch action {
    case .interrupt: return interrupt(&s, wasArmed: false)   // handleKey takes Ctrl-C first, overlays included
    case .stop: return stop(&s)
    case .toggleFocus:
        s.focus = s.focus == .input ? .transcript : .input
        if s.focus == .transcript, s.selectedBlock == nil { s.selectedBlock = s.layoutTranscript().blocks.last?.key }
    case .toggleThinking: return toggleAllThinking(&s)
    case .pageUp: scrollBy(&s, max(1, s.transcriptRows - 2))
    case .pageDown: scrollBy(&s, -max(1, s.transcriptRows - 2))
    case .wheelUp: scrollBy(&s, 3)
    case .wheelDown: scrollBy(&s, -3)
    case .help: s.overlay = .help
    case .sessions:
        s.overlay = .sessions(SessionPicker(all: []))
        return [.listSessions]
    case .settings: s.overlay = .settings(SettingsPanel())
    case .newConversation: newConversation(&s)
    case .send: return submit(&s)
    case .newline: s.input.newline()
    case .caretUp: s.input.up()
    case .caretDown: s.input.down()
    case .caretLeft: s.input.left()
    case .caretRight: s.input.right()
    case .lineStart: s.input.home()
    case .lineEnd: s.input.end()
    case .wordLeft: s.input.wordLeft()
    case .wordRight: s.input.wordRight()
    case .deleteBack: s.input.backspace()
    case .deleteForward: s.input.deleteForward()
    case .deleteToStart: s.input.killToStart()
    case .deleteToEnd: s.input.killToEnd()
    case .deleteWordBack: s.input.deleteWordBack()
    case .selectUp, .selectDown, .toggleBlock, .copyBlock, .copyCode: return blockKey(&s, action)
    case .top: s.scroll = Int.max; clampScroll(&s)
    case .bottom: s.scroll = 0
    case .search: s.search = SearchState(query: "", editing: true)
    case .nextMatch: findMatch(&s, older: true)
    case .previousMatch: findMatch(&s, older: false)
    }
    return []
}

/// Ctrl-C: stops the reply or the tool calls, else closes the overlay, else quits when pressed twice.
func interrupt(_ s: inout AppState, wasArmed: Bool) -> [Effect] {
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

/// Esc: stops the reply or the tool calls, else closes the search, else leaves the transcript.
func stop(_ s: inout AppState) -> [Effect] {
    if s.streaming != nil { s.notice = joinNotice("stopping…", returnQueuedToEditor(&s)); return [.cancel] }
    if s.runningTool != nil || !s.pendingTools.isEmpty {
        let fx = stopToolLoop(&s)
        s.notice = joinNotice(s.notice ?? "", returnQueuedToEditor(&s))
        return fx
    }
    if s.search != nil { s.search = nil; return [] }
    if s.focus == .transcript { s.focus = .input; s.selectedBlock = nil }
    return []
}

func newConversation(_ s: inout AppState) {
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return }
    s.messages = []; s.sessionID = nil; s.title = ""; s.scroll = 0; s.selectedBlock = nil; s.expanded = [:]
    s.messageNotes = [:]; s.droppedMessages = 0; s.contextUsed = 0; s.contextUsedApproximate = false; s.lastStats = nil
    s.promptLimit = nil; s.readOnly = nil
    s.notice = "new conversation"
}

/// The transcript's actions on its blocks: moving the selection, opening, copying.
func blockKey(_ s: inout AppState, _ action: KeyAction) -> [Effect] {
    let layout = s.layoutTranscript()
    let cur = layout.blockIndex(s.selectedBlock)
    switch action {
    case .selectUp:
        guard !layout.blocks.isEmpty else { return [] }
        select(&s, max(0, (cur ?? layout.blocks.count) - 1), layout)
    case .selectDown:
        guard !layout.blocks.isEmpty else { return [] }
        select(&s, min(layout.blocks.count - 1, (cur ?? layout.blocks.count - 2) + 1), layout)
    case .toggleBlock:
        guard let i = cur else { return [] }
        if layout.blocks[i].kind == .truncation {
            // "— view": show the earliest of the turns the model no longer sees.
            s.scroll = Int.max; clampScroll(&s)
        } else if layout.blocks[i].collapsible {
            s.expanded[layout.blocks[i].key] = !layout.blocks[i].open
            select(&s, i, s.layoutTranscript())
        }
    case .copyBlock:
        guard let i = cur else { return [] }
        s.notice = "copied \(layout.blocks[i].copyText.count) characters"
        return [.copy(layout.blocks[i].copyText)]
    case .copyCode:
        guard let i = cur else { return [] }
        let code = Markdown.codeBlocks(layout.blocks[i].copyText)
        if code.isEmpty { s.notice = "this block has no code"; return [] }
        s.notice = "copied \(code.count) code block\(code.count == 1 ? "" : "s")"
        return [.copy(code.joined(separator: "\n\n"))]
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
