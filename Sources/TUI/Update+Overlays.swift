// Keys inside the overlays: help, session picker (search, open, rename, delete), tool approval, settings.
import Chat

func closeOverlay(_ s: inout AppState) -> [Effect] {
    let o = s.overlay
    s.overlay = nil
    switch o {
    case .settings: return [.saveSettings(s.settings)]
    case .approval(let p): return denyTool(&s, p.call)
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
        case _ where Keymap.action(for: k, in: .anywhere) == .help: s.overlay = nil; s.helpOffset = 0
        case .escape, .enter, .char("q"): s.overlay = nil; s.helpOffset = 0
        case .down, .char("j"), .wheelDown: s.helpOffset = min(Keymap.helpMaxOffset(height: s.height), s.helpOffset + 1)
        case .up, .char("k"), .wheelUp: s.helpOffset = max(0, s.helpOffset - 1)
        case .pageDown: s.helpOffset = min(Keymap.helpMaxOffset(height: s.height), s.helpOffset + max(1, s.height - 8))
        case .pageUp: s.helpOffset = max(0, s.helpOffset - max(1, s.height - 8))
        default: break
        }
        return []
    case .approval(let p):
        let call = p.call
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
        switch k.key {
        case _ where Keymap.action(for: k, in: .anywhere) == .settings: return closeOverlay(&s)
        case .escape: return closeOverlay(&s)
        case .up, .char("k"): p.selected = p.selected.moved(by: -1)
        case .down, .char("j"): p.selected = p.selected.moved(by: 1)
        case .left, .right, .enter, .char(" "): p.selected.change(&s, forward: k.key != .left)
        default: break
        }
        s.overlay = .settings(p)
        return []
    case .sessions(var p):
        let vis = p.visible
        if p.confirmDelete {
            p.confirmDelete = false
            if k.key == .char("y"), let e = vis[safe: p.selected] {
                if e.id == s.sessionID, let ro = s.readOnly { s.notice = ro.refusal; s.overlay = .sessions(p); return [] }
                if e.id == s.sessionID, s.isBusy { s.notice = "stop the reply first (Esc)"; s.overlay = .sessions(p); return [] }
                p.all.removeAll { $0.id == e.id }
                p.selected = min(p.selected, max(0, p.visible.count - 1))
                s.overlay = .sessions(p)
                guard e.id == s.sessionID else { return [.deleteSession(e.id)] }
                // The open one: its file goes to the trash and an empty conversation takes its place.
                startEmpty(&s)
                s.notice = "deleted; this is a new conversation"
                return [.deleteSession(e.id), .keepDraft("", for: e.id)]
            }
            s.overlay = .sessions(p)
            return []
        }
        if var r = p.renameField {
            switch k.key {
            case .escape: p.renameField = nil
            case .enter:
                p.renameField = nil
                let title = r.text.trimming(" ")
                if let e = vis[safe: p.selected], e.id == s.sessionID, let ro = s.readOnly { s.notice = ro.refusal }
                else if let e = vis[safe: p.selected], !title.isEmpty {
                    if let i = p.all.firstIndex(where: { $0.id == e.id }) { p.all[i].title = title }
                    if e.id == s.sessionID { s.title = title }
                    s.overlay = .sessions(p)
                    return [.renameSession(e.id, title)]
                }
            default: if fieldKey(&r, k) { p.renameField = r }
            }
            s.overlay = .sessions(p)
            return []
        }
        switch k.key {
        case .function(2), .ctrl("r"):
            if let e = vis[safe: p.selected] { var f = InputEditor(); f.insert(e.title); p.renameField = f }
        case .escape: s.overlay = nil; return []
        case _ where Keymap.action(for: k, in: .anywhere) == .sessions: s.overlay = nil; return []
        case .up: p.selected = max(0, p.selected - 1)
        case .down: p.selected = min(max(0, vis.count - 1), p.selected + 1)
        case .enter:
            guard let e = vis[safe: p.selected] else { return [] }
            if let d = e.damaged { s.notice = "cannot open: \(d)"; return [] }
            if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
            s.overlay = nil
            return [.openSession(e.id)]
        case .delete, .ctrl("d"): if vis[safe: p.selected] != nil { p.confirmDelete = true }
        default: if fieldKey(&p.queryField, k) { p.selected = 0 }
        }
        s.overlay = .sessions(p)
        return []
    }
}
