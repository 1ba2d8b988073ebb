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
    case .click(let x, let y):
        s.notice = nil
        return click(&s, x: x, y: y)
    case .paste(let text):
        s.quitArmedAt = nil
        let line = text.filter { $0 != "\n" }
        if case .sessions(var p) = s.overlay {
            if p.renameField != nil { p.renameField!.insert(line) } else { p.queryField.insert(line) }
            s.overlay = .sessions(p); return []
        }
        if s.overlay != nil { return [] }
        if s.search?.editing == true { s.search?.field.insert(line); return [] }
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
    case .toolPrepared(let call, let prep):
        return toolPrepared(&s, call, prep)
    case .toolOutput(let id, let text):
        guard s.runningTool?.id == id else { return [] }
        // The tail is what a user watches; the whole output arrives with the tool message.
        var live = (s.liveToolOutput[id] ?? "") + text
        if live.utf8.count > 65536 { live = String(live.suffix(49152)) }
        s.liveToolOutput[id] = live
        return []
    case .toolFinished(let m, let at):
        s.now = at
        s.messages.append(m)
        if let id = m.toolResult?.callID { s.liveToolOutput[id] = nil }
        if s.runningTool?.id == m.toolResult?.callID { s.runningTool = nil; s.runningToolStartedAt = nil }
        return [.save(s.conversation, partial: false)] + nextTool(&s)
    case .workspaceFiles(let files):
        s.workspaceFiles = files
        return []
    case .attached(let text, let files, let note):
        if let note { s.notice = note }
        // App answers at once; should a reply have started meanwhile, the message waits its turn with the others.
        if s.isBusy { s.queued.append(text); return [] }
        var m = Message.user(text)
        m.attachments = files
        return send(&s, m)
    case .editedExternally(let text, let note):
        if let text { s.input.setText(text); s.focus = .input }
        s.notice = note.map { "editor: " + $0 }
        return []
    case .writeUndone(let r):
        switch r {
        case .undone(let id, let summary):
            s.notice = "↶ " + summary
            // The call's tool message says so (the transcript shows "↶ undone"; the model is told from it).
            guard let i = s.messages.lastIndex(where: { $0.toolResult?.callID == id }) else { return [] }
            s.messages[i].toolResult?.undone = true
            return [.save(s.conversation, partial: false)]
        case .failed(let why):
            s.notice = "nothing undone: " + why
            return []
        }
    case .sessions(let list):
        if case .sessions(var p) = s.overlay { p.all = list; p.selected = min(p.selected, max(0, p.visible.count - 1)); s.overlay = .sessions(p) }
        else if s.overlay == nil { s.overlay = .sessions(SessionPicker(all: list)) }
        return []
    case .sessionsFound(let query, let hits):
        guard case .sessions(var p) = s.overlay, p.query == query else { return [] }
        p.contentHits = hits; p.contentQuery = query
        p.selected = min(p.selected, max(0, p.visible.count - 1))
        s.overlay = .sessions(p)
        return []
    case .sessionLoaded(let c):
        let leaving = leaveConversation(&s)
        s.messages = c.messages; s.sessionID = c.id; s.title = c.title; s.forkedFrom = c.forkedFrom; s.editingMessageID = nil
        s.compaction = c.compaction; s.compacting = nil; s.editingSummary = false
        s.streaming = nil; s.pendingTools = []; s.runningTool = nil; s.preparingTool = nil; s.scroll = 0; s.selectedBlock = nil
        s.alwaysAllowed = []
        s.expanded = [:]; s.messageNotes = [:]; s.earlyNotes = [:]; s.droppedMessages = 0; s.overlay = nil; s.focus = .input
        s.lastStats = c.messages.last(where: { $0.role == .assistant && $0.stats != nil })?.stats
        s.promptLimit = nil
        // Unknown until the backend has counted it (off this thread) or the first reply.
        s.contextUsed = nil
        s.contextUsedApproximate = false
        for m in c.messages where m.incomplete { s.messageNotes[m.id, default: []].append("⚠ this reply was cut off (glmchat stopped while it streamed)") }
        s.readOnly = c.readOnly
        s.notice = "opened “\(c.title.isEmpty ? c.id : c.title)”" + (c.readOnly.map { " " + $0.label } ?? "")
        return leaving + (c.messages.isEmpty ? [] : [.measure(chatRequest(s), sessionID: c.id)])
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
    s.quitArmedAt = nil
    s.notice = nil
    // Ctrl-C works everywhere, overlays included.
    if Keymap.action(for: k, in: .anywhere) == .interrupt { return interrupt(&s, wasArmed: wasArmed) }
    if case .approval(let p) = s.overlay, p.aside {
        if let fx = asideKey(&s, p, k) { return fx }
    } else if s.overlay != nil { return overlayKey(&s, k) }
    if let se = s.search, se.editing { return searchKey(&s, k) }
    if let fx = completionKey(&s, k) { return fx }
    guard let action = Keymap.action(for: k, focus: s.focus) else { return typeKey(&s, k) }
    return perform(&s, action)
}

/// A key no binding has: a character is typed into the input (from the transcript too).
func typeKey(_ s: inout AppState, _ k: KeyPress) -> [Effect] {
    guard case .char(let c) = k.key, !k.alt else { return [] }
    if s.focus == .transcript { leaveTranscript(&s) }
    s.input.insert(String(c))
    // An `@` starting a word: the file list is fetched anew (files come and go while the model works).
    return c == "@" && s.mentionQuery == "" ? [.listWorkspaceFiles] : []
}

/// Back to the editor: the transcript's selection and search end with it.
func leaveTranscript(_ s: inout AppState) {
    s.focus = .input; s.selectedBlock = nil; s.search = nil
}

/// Does what a key in the keymap is bound to.
func perform(_ s: inout AppState, _ action: KeyAction) -> [Effect] {
    switch action {
    case .interrupt: return interrupt(&s, wasArmed: false)   // handleKey takes Ctrl-C first, overlays included
    case .stop: return stop(&s)
    case .toggleFocus:
        if s.focus == .transcript { leaveTranscript(&s); break }
        s.focus = .transcript
        if s.selectedBlock == nil { s.selectedBlock = s.layoutTranscript().blocks.last?.key }
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
    case .newConversation: return newConversation(&s)
    case .send: return submit(&s)
    case .newline: s.input.newline()
    case .externalEditor: return [.editExternally(s.input.text)]
    case .caretUp: s.input.up()
    case .caretDown: s.input.down()
    case .caretLeft, .caretRight, .lineStart, .lineEnd, .wordLeft, .wordRight,
         .deleteBack, .deleteForward, .deleteToStart, .deleteToEnd, .deleteWordBack: edit(&s.input, action)
    case .selectUp, .selectDown, .toggleBlock, .copyBlock, .copyCode: return blockKey(&s, action)
    case .top: s.scroll = Int.max; clampScroll(&s)
    case .bottom: s.scroll = 0
    case .search: s.search = SearchState()
    case .nextMatch: findMatch(&s, older: true)
    case .previousMatch: findMatch(&s, older: false)
    case .fork: return fork(&s)
    case .editMessage: return s.selectedBlock == "summary" && s.focus == .transcript ? editSummary(&s) : editMessage(&s, selectedMessageIndex(s))
    case .regenerate: return regenerate(&s, selectedMessageIndex(s))
    case .continueReply: return continueReply(&s, selectedMessageIndex(s))
    case .previousVersion: return switchVersion(&s, by: -1)
    case .nextVersion: return switchVersion(&s, by: 1)
    case .togglePlan:
        s.planMode.toggle()
        s.notice = s.planMode ? "plan mode: the model may read files, not write them or run commands"
                              : "plan mode off: the model may ask to write files and run commands again"
    case .undo: return undoWrite(&s)
    case .lineUp, .lineDown, .approve, .refuse, .refuseWithReason, .allowTool, .allowPrefix: break   // the approval panel's own
    }
    return []
}

/// Ctrl-C: clears the editor (into its history: Up brings the text back), else stops the reply or the tool
/// calls, else closes the overlay; stopping or idle, it arms quitting: a second Ctrl-C within
/// `AppState.quitWindow` seconds quits (even when stopping put queued messages back in the editor: they are
/// printed at exit).
func interrupt(_ s: inout AppState, wasArmed: Bool) -> [Effect] {
    if wasArmed { return [.cancel, .quit] }
    if s.overlay == nil, !s.input.isEmpty {
        _ = s.input.take()
        s.notice = "input cleared (\(Keymap.key(.caretUp, in: .input)) brings it back)"
        return []
    }
    // A reply already stopping is not stopped again: the press only arms quitting.
    let stoppable = s.streaming.map { !$0.stopping } ?? false || s.compacting.map { !$0.stopping } ?? false
        || s.runningTool != nil || !s.pendingTools.isEmpty
    if !stoppable, s.overlay != nil { return closeOverlay(&s) }
    s.quitArmedAt = s.now
    return stoppable ? stop(&s) : []
}

/// Esc: stops the reply or the tool calls, else closes the search, else leaves the transcript.
func stop(_ s: inout AppState) -> [Effect] {
    if s.compacting != nil, s.streaming == nil { s.compacting?.stopping = true; return [.cancel] }
    if s.streaming != nil {
        s.streaming?.stopping = true
        let back = returnQueuedToEditor(&s)
        if !back.isEmpty { s.notice = back }
        return [.cancel]
    }
    if s.runningTool != nil || !s.pendingTools.isEmpty {
        let fx = stopToolLoop(&s)
        s.notice = joinNotice(s.notice ?? "", returnQueuedToEditor(&s))
        return fx
    }
    if s.search != nil { s.search = nil; return [] }
    if s.focus == .transcript { leaveTranscript(&s); return [] }
    if s.editingSummary {
        s.editingSummary = false
        s.input.clear()
        s.notice = "the summary is unchanged"
    }
    if s.editingMessageID != nil {
        s.editingMessageID = nil
        s.notice = "not editing any more: Enter sends a new message"
    }
    return []
}

/// Ctrl-Z: restore the file of the conversation's most recent write not undone yet (answered by `.writeUndone`).
/// In the input it only acts while the input is empty (the editor's own undo may come to want the key).
func undoWrite(_ s: inout AppState) -> [Effect] {
    if s.focus == .input, !s.input.isEmpty { s.notice = "\(Keymap.key(.undo)) undoes the last file write when the input is empty"; return [] }
    if let ro = s.readOnly { s.notice = ro.refusal; return [] }
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
    return [.undoWrite]
}

/// Ctrl-N: an empty conversation; the editor's text stays with the one left (its draft).
func newConversation(_ s: inout AppState) -> [Effect] {
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
    let leaving = leaveConversation(&s)
    startEmpty(&s)
    s.notice = "new conversation"
    return leaving
}

/// The open conversation's unsent text goes to its draft and the editor empties for the next one.
/// A read-only conversation keeps no drafts here: its text comes along instead.
func leaveConversation(_ s: inout AppState) -> [Effect] {
    guard s.readOnly == nil else { return [] }
    let fx: [Effect] = [.keepDraft(s.unsentText ?? "", for: s.sessionID)]
    s.input.clear()
    s.queued = []
    return fx
}

/// The state of a conversation with no messages and no file yet.
func startEmpty(_ s: inout AppState) {
    s.messages = []; s.sessionID = nil; s.title = ""; s.forkedFrom = nil; s.editingMessageID = nil; s.scroll = 0; s.selectedBlock = nil; s.expanded = [:]
    s.messageNotes = [:]; s.earlyNotes = [:]; s.droppedMessages = 0; s.contextUsed = 0; s.contextUsedApproximate = false; s.lastStats = nil
    s.promptLimit = nil; s.readOnly = nil; s.search = nil; s.alwaysAllowed = []
    s.compaction = nil; s.compacting = nil; s.editingSummary = false
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

/// Ctrl-T: a view toggle (not saved; the settings row "Open thinking blocks" is the saved default).
func toggleAllThinking(_ s: inout AppState) -> [Effect] {
    let open = !(s.showThinking ?? s.settings.expandThinking)
    s.showThinking = open
    for k in s.expanded.keys where k.hasSuffix(":thinking") { s.expanded[k] = nil }
    s.notice = open ? "thinking blocks open" : "thinking blocks closed"
    return []
}

func scrollBy(_ s: inout AppState, _ d: Int) {
    s.scroll = max(0, s.scroll &+ d)
    clampScroll(&s)
}

func clampScroll(_ s: inout AppState) {
    let total = s.layoutTranscript().rows.count
    s.scroll = max(0, min(s.scroll, total - s.transcriptRows))
}
