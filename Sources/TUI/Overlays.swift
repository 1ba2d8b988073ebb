// Drawing of the overlays: help, session picker, settings — boxes centred on the screen (the tool
// approval panel draws itself: ApprovalPanel.swift).
import Foundation
import Chat

/// "2026-11-23 17:45" in the local time zone.
func shortDate(_ d: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.dateFormat = "yyyy-MM-dd HH:mm"
    return f.string(from: d)
}

func renderOverlay(_ o: Overlay, _ s: AppState, into buf: inout Buffer) {
    let t = s.theme
    var title = ""
    var lines: [StyledLine] = []
    var footer = ""
    let inner = max(10, min(s.width - 6, 72))
    switch o {
    case .help:
        title = "Keys"
        for sec in Keymap.helpSections {
            if !lines.isEmpty { lines.append([]) }
            lines.append([Span(sec.title, t[.accent])])
            let kw = sec.keys.map { CharWidth.of($0.0) }.max() ?? 0   // each section aligns its own column
            for (k, d) in sec.keys {
                lines.append([Span("  " + k + String(repeating: " ", count: kw - CharWidth.of(k)) + "  ", t[.user]), Span(d, t[.text])])
            }
        }
        footer = "Esc close"
    case .sessions(let p):
        title = "Sessions"
        lines.append([Span("Search: ", t[.dim]), Span(p.queryField.withCaret, t[.text])])
        lines.append([])
        let vis = p.visible
        if vis.isEmpty { lines.append([Span(p.all.isEmpty ? "No saved sessions yet." : "Nothing matches.", t[.dim])]) }
        let room = max(1, s.height - 12)
        let first = max(0, min(p.selected - room + 1, vis.count - room))
        for (i, e) in vis.enumerated().dropFirst(first).prefix(room) {
            let sel = i == p.selected
            var st = e.damaged != nil ? t[.error] : t[.text]
            if sel { st = st.with(.reverse) }
            var label = (e.title.isEmpty ? "(untitled)" : e.title)
            if let d = e.damaged { label += " — damaged: " + d } else {
                label += "  · \(e.messageCount) msgs"
                if let u = e.updated { label += " · " + shortDate(u) }
                if let pid = e.heldBy { label += " · read-only: open in another glmchat (pid \(pid))" }
                if let f = e.forkedFrom { label += " · forked from “" + f + "”" }
                if let snip = p.snippet(for: e.id) { label += " · “" + snip + "”" }
            }
            if sel, let r = p.renameField { lines.append([Span("Rename to: ", t[.accent]), Span(r.withCaret, t[.text])]); continue }
            lines.append(s.clip((sel ? "▸ " : "  ") + label, style: st, width: inner))
        }
        if p.confirmDelete, let e = vis[safe: p.selected] {
            lines.append([])
            lines.append([Span("Delete “\(e.title)”? y = yes, n = no", t[.warning])])
        }
        footer = p.renaming != nil ? "Enter save · Esc cancel" : "type to search · Enter open · F2 rename · Del delete"
    case .approval(let panel):
        // Set aside: the transcript is drawn whole; the separator line says an answer is waiting.
        if !panel.aside { renderApproval(panel, s, into: &buf) }
        return
    case .settings(let p):
        title = "Settings"
        let lw = SettingsRow.allCases.map { CharWidth.of($0.label) }.max() ?? 0
        for row in SettingsRow.allCases {
            let sel = row == p.selected && p.rule == nil
            let st = sel ? t[.text].with(.reverse) : t[.text]
            lines.append([Span((sel ? "▸ " : "  ") + row.label + String(repeating: " ", count: lw - CharWidth.of(row.label)) + "  ", st),
                          Span(row.value(in: s), t[.accent])])
        }
        // The command rules of this workspace ("p" in the approval panel), one row each.
        lines.append([])
        let rules = s.commandRules
        lines.append(s.clip("Commands run without asking in " + (s.workspacePath.isEmpty ? "this folder" : s.workspacePath) + ":", style: t[.dim], width: inner))
        if rules.isEmpty { lines.append([Span("  none (p in the approval panel adds one)", t[.dim])]) }
        for (i, r) in rules.enumerated() {
            let sel = p.rule == i
            lines.append(s.clip((sel ? "▸ " : "  ") + VisibleText.command(r) + " …", style: sel ? t[.text].with(.reverse) : t[.text], width: inner))
        }
        footer = p.rule != nil ? "↑↓ choose · Del remove this rule · Esc close" : "↑↓ choose · ←→ or Enter change · Esc close (saved)"
    }
    let contentW = min(inner, max(lines.map(\.columns).max() ?? 0, CharWidth.of(title) + 4, CharWidth.of(footer) + 3))
    let boxW = min(s.width - 2, contentW + 4)
    let boxH = min(s.height - 2, lines.count + 4)
    let x0 = (s.width - boxW) / 2, y0 = max(0, (s.height - boxH) / 2)
    drawBox(title: title, footer: footer, x: x0, y: y0, w: boxW, h: boxH, theme: t, into: &buf)
    var shown = lines[...]
    if case .help = o, lines.count > boxH - 4 {
        // Scrollable help: clamp the offset and say there is more.
        let maxOffset = lines.count - (boxH - 4)
        shown = lines.dropFirst(min(s.helpOffset, maxOffset))
        buf.put(" ↑↓ scroll · Esc close ", x: x0 + 2, y: y0 + boxH - 1, style: t[.dim], limit: x0 + boxW - 1)
    }
    for (i, l) in shown.prefix(boxH - 4).enumerated() {
        buf.put(l, x: x0 + 2, y: y0 + 2 + i, limit: x0 + boxW - 2)
    }
}

/// An overlay's empty box: its border with the title on top and the footer at the bottom.
func drawBox(title: String, footer: String, x x0: Int, y y0: Int, w boxW: Int, h boxH: Int, theme t: Theme, into buf: inout Buffer) {
    let border = t[.accent]
    buf.fill(t[.background], x: x0, y: y0, w: boxW, h: boxH)
    buf.put("╭" + String(repeating: "─", count: boxW - 2) + "╮", x: x0, y: y0, style: border)
    buf.put(" \(title) ", x: x0 + 2, y: y0, style: border.with(.bold), limit: x0 + boxW - 1)
    for y in (y0 + 1)..<(y0 + boxH - 1) {
        buf.put("│", x: x0, y: y, style: border)
        buf.put("│", x: x0 + boxW - 1, y: y, style: border)
    }
    buf.put("╰" + String(repeating: "─", count: boxW - 2) + "╯", x: x0, y: y0 + boxH - 1, style: border)
    if !footer.isEmpty { buf.put(" \(footer) ", x: x0 + 2, y: y0 + boxH - 1, style: t[.dim], limit: x0 + boxW - 1) }
}

extension Array {
    subscript(safe i: Int) -> Element? { i >= 0 && i < count ? self[i] : nil }
}
