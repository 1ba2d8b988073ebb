// Keys inside the overlays: help, session picker (search, open, rename, delete), settings (the tool
// approval panel's are in Update+Approval.swift).
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

/// Up and down in the settings panel: through its rows, then the workspace's command rules, wrapping around.
func moveSettings(_ p: inout SettingsPanel, by d: Int, rules: Int) {
    let rows = SettingsRow.allCases
    var i = (p.rule.map { rows.count + $0 } ?? p.selected.rawValue) + d
    let n = rows.count + rules
    i = (i % n + n) % n
    if i < rows.count { p.rule = nil; p.selected = rows[i] } else { p.rule = i - rows.count }
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
        return approvalKey(&s, p, k)
    case .settings(var p):
        switch k.key {
        case _ where Keymap.action(for: k, in: .anywhere) == .settings: return closeOverlay(&s)
        case .escape: return closeOverlay(&s)
        case .up, .char("k"): moveSettings(&p, by: -1, rules: s.commandRules.count)
        case .down, .char("j"): moveSettings(&p, by: 1, rules: s.commandRules.count)
        case .delete, .backspace:
            guard let i = p.rule, let rule = s.commandRules[safe: i] else { break }
            // An emptied list stays in the file as []: a missing key would let the saved rules come back.
            s.settings.allowedCommands[s.workspacePath]?.remove(at: i)
            if s.commandRules.isEmpty { p.rule = nil; p.selected = SettingsRow.allCases.last! } else { p.rule = min(i, s.commandRules.count - 1) }
            s.notice = "“\(rule)” asks again"
            s.overlay = .settings(p)
            return [.saveSettings(s.settings)]
        case .right where p.rule == nil && p.selected == .systemPrompt, .enter where p.rule == nil && p.selected == .systemPrompt:
            return editSystemPrompt(&s)
        case .left, .right, .enter, .char(" "): if p.rule == nil { p.selected.change(&s, forward: k.key != .left) }
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
        default:
            if fieldKey(&p.queryField, k) {
                p.selected = 0
                // Message text is searched off this thread; the titles filter at once.
                if p.query.trimming(" ").count >= 2 { s.overlay = .sessions(p); return [.searchSessions(p.query)] }
            }
        }
        s.overlay = .sessions(p)
        return []
    }
}
