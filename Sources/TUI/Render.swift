// Draws the whole screen from the state: transcript, input editor, status bar and any overlay.
// Pure: the same state always gives the same Buffer (cursor included).
import Foundation
import Chat

public enum Layout {
    public static let minWidth = 20, minHeight = 6
}

extension AppState {
    /// Rows the input editor takes at the current size.
    public var inputRows: Int {
        let rows = input.layout(width: max(2, width - 2)).rows.count
        return max(1, min(rows, max(1, min(8, height / 3))))
    }
    /// Rows the transcript takes (screen minus separator, input and status bar).
    public var transcriptRows: Int { max(0, height - 2 - inputRows) }
}

public func render(_ s: AppState, into buf: inout Buffer) {
    buf = Buffer(width: s.width, height: s.height, style: s.theme[.background])
    let t = s.theme
    if s.width < Layout.minWidth || s.height < Layout.minHeight {
        let full = "Terminal too small (\(s.width)×\(s.height)); need \(Layout.minWidth)×\(Layout.minHeight)."
        let short = "Too small: \(s.width)×\(s.height)"
        buf.put(CharWidth.of(full) <= s.width ? full : short, x: 0, y: 0, style: t[.warning])
        buf.cursor = nil
        return
    }
    renderTranscript(s, into: &buf)
    renderSeparator(s, into: &buf)
    renderInput(s, into: &buf)
    renderSlashPopup(s, into: &buf)
    renderStatus(s, into: &buf)
    if let o = s.overlay {
        buf.cursor = nil
        renderOverlay(o, s, into: &buf)
    }
}

func renderTranscript(_ s: AppState, into buf: inout Buffer) {
    let t = s.theme
    let h = s.transcriptRows
    let layout = s.layoutTranscript()
    let total = layout.rows.count
    let scroll = min(s.scroll, max(0, total - h))
    let top = transcriptTop(s, layout)
    let selected = layout.blockIndex(s.selectedBlock)
    if s.messages.allSatisfy({ $0.role == .system }), total < h / 2 {
        // Below the folded system prompt and instructions, when there are.
        let hint = "Type a message and press \(Keymap.key(.send)). \(Keymap.key(.help)) shows the keys."
        buf.put(hint, x: 2, y: max(0, h / 2), style: t[.dim])
    }
    for y in 0..<h {
        let r = top + y
        guard r < total else { break }
        let bi = layout.rowBlock[r]
        if s.focus == .transcript, bi == selected, !layout.rows[r].isEmpty || r >= layout.starts[bi] {
            if r >= layout.starts[bi] { buf.put("▌", x: 0, y: y, style: t[.accent]) }
        }
        buf.put(layout.rows[r], x: 2, y: y, limit: s.width - 1)
        if let q = s.search?.query, !q.isEmpty, s.search?.matchRow == r, s.focus == .transcript { highlight(q, row: y, in: &buf, style: t[.accent].with(.reverse)) }
    }
    // Scroll position marker on the right edge when not at the bottom.
    if scroll > 0, h > 0 {
        let label = "↓ \(scroll) more"
        buf.put(label, x: s.width - CharWidth.of(label) - 1, y: h - 1, style: t[.accent])
    }
}

/// Reverse-styles the first occurrence of `q` (case-insensitive) in row y.
func highlight(_ q: String, row y: Int, in buf: inout Buffer, style: Style) {
    let needle = Array(q.lowercased())
    var cols: [(x: Int, ch: Character)] = []
    for x in 0..<buf.width where buf[x, y].width > 0 {
        for ch in buf[x, y].text.lowercased() { cols.append((x, ch)) }
    }
    guard needle.count <= cols.count, !needle.isEmpty else { return }
    for start in 0...(cols.count - needle.count) where (0..<needle.count).allSatisfy({ cols[start + $0].ch == needle[$0] }) {
        for i in 0..<needle.count {
            let x = cols[start + i].x
            var c = buf[x, y]; c.style = style; buf[x, y] = c
            if c.width == 2, x + 1 < buf.width { var c2 = buf[x + 1, y]; c2.style = style; buf[x + 1, y] = c2 }
        }
        return
    }
}

func renderSeparator(_ s: AppState, into buf: inout Buffer) {
    let t = s.theme
    let y = s.transcriptRows
    buf.put(String(repeating: "─", count: s.width), x: 0, y: y, style: t[.dim])
    var left: StyledLine
    let approval: ApprovalPanel? = { if case .approval(let p) = s.overlay { return p }; return nil }()
    if let p = approval, !p.aside {
        left = [Span(" a tool call waits for your answer above · \(Keymap.key(.toggleFocus, in: .approval)) reads the transcript behind it ", t[.dim])]
    } else if let se = s.search, s.focus == .transcript {
        left = [Span(" /" + (se.editing ? se.field.withCaret : se.query), t[.accent])]
        if !se.editing { left.append(Span("  " + searchPosition(se, s.layoutTranscript()) + " ", t[.dim])) }
        if let n = s.notice { left.append(Span(" " + n + " ", t[.warning])) }
    } else if s.streaming?.stopping == true || s.notice != nil || s.quitArmed {
        let parts = [s.streaming?.stopping == true ? "stopping…" : nil, s.notice,
                     s.quitArmed ? "press \(Keymap.key(.interrupt)) again to quit" : nil]
        left = [Span(" " + parts.compactMap { $0 }.joined(separator: "; ") + " ", t[.warning])]
    } else if !s.queued.isEmpty {
        let n = s.queued.count
        left = [Span(" \(n) queued · \(Keymap.key(.stop)) stops and puts \(n == 1 ? "it" : "them") back in the editor ", t[.dim])]
    } else if s.compacting != nil {
        left = [Span(" the model is summarising the earlier messages · \(Keymap.key(.stop)) stops it (nothing changes) ", t[.dim])]
    } else if s.streaming != nil {
        left = [Span(" \(Keymap.key(.stop)) or \(Keymap.key(.interrupt)) stops the reply · \(Keymap.key(.send)) queues a message ", t[.dim])]
    } else if !s.slashCompletions.isEmpty {
        left = [Span(" command: Tab completes · ↑↓ choose · Enter runs ", t[.dim])]
    } else if !s.fileCompletions.isEmpty {
        left = [Span(" file: Tab or Enter completes · ↑↓ choose · sent with the message ", t[.dim])]
    } else if approval != nil {
        let k = { Keymap.key($0, in: .transcript) }
        left = [Span(" ⚠ a tool call waits for your answer: \(k(.toggleFocus)) goes back to it", t[.warning]),
                Span(" · ↑↓ select · \(k(.toggleBlock)) open/close · \(k(.search)) search · PgUp/PgDn scroll ", t[.dim])]
    } else if s.focus == .transcript {
        let k = { Keymap.key($0, in: .transcript) }
        left = [Span(" transcript: ↑↓ select · \(k(.toggleBlock)) open/close · \(k(.toggleThinking)) thinking · \(k(.search)) search · "
                     + "\(k(.copyBlock)) copy · \(k(.toggleFocus)) back ", t[.dim])]
    } else {
        let k = { Keymap.key($0, in: .input) }
        left = [Span(" \(k(.send)) send · \(k(.newline)) newline · \(k(.toggleFocus)) transcript · \(k(.help)) help ", t[.dim])]
    }
    buf.put(clipped(left, width: s.width - 1), x: 1, y: y, limit: s.width)
}

/// `line` cut to `width` columns, ending in "…" when something was cut (a long notice does not just stop mid-word).
func clipped(_ line: StyledLine, width: Int) -> StyledLine {
    // Trailing spaces may be cut silently.
    var trailing = 0
    for span in line.reversed() {
        let t = span.text.reversed().prefix { $0 == " " }.count
        trailing += t
        if t < span.text.count { break }
    }
    guard line.reduce(0, { $0 + CharWidth.of($1.text) }) - trailing > width, width > 1 else { return line }
    return cutWithEllipsis(line, width: width)
}

/// `line`'s first `width` − 1 columns and "…" (the caller knows it does not fit).
func cutWithEllipsis(_ line: StyledLine, width: Int) -> StyledLine {
    var out: StyledLine = [], used = 0
    for span in line {
        var text = ""
        for ch in span.text {
            let w = CharWidth.of(ch)
            if used + w > width - 1 { out.append(Span(text + "…", span.style)); return out }
            text.append(ch); used += w
        }
        out.append(Span(text, span.style))
    }
    return out
}

/// "3/7  n/N next/previous": the current match among all (newest first), or "no match".
func searchPosition(_ se: SearchState, _ layout: TranscriptLayout) -> String {
    let rows = layout.matchRows(se.query)
    guard let r = se.matchRow, let i = rows.firstIndex(of: r) else { return "no match" }
    let k = { Keymap.key($0, in: .transcript) }
    return "\(i + 1)/\(rows.count)  \(k(.nextMatch))/\(k(.previousMatch)) next/previous"
}

func renderInput(_ s: AppState, into buf: inout Buffer) {
    let t = s.theme
    let top = s.transcriptRows + 1
    let rows = s.inputRows
    let lay = s.input.layout(width: max(2, s.width - 2))
    // Keep the caret's row in view.
    let first = max(0, min(lay.caretRow - rows + 1, lay.rows.count - rows))
    let style = s.focus == .input ? t[.text] : t[.dim]
    for i in 0..<rows {
        let r = first + i
        if i == 0 { buf.put(first > 0 ? "…" : "❯", x: 0, y: top, style: s.focus == .input ? t[.accent] : t[.dim]) }
        if r < lay.rows.count { buf.put(lay.rows[r], x: 2, y: top + i, style: style) }
    }
    if s.focus == .input && s.search == nil {
        buf.cursor = (x: 2 + lay.caretX, y: top + lay.caretRow - first)
    } else {
        buf.cursor = nil
    }
}

func renderStatus(_ s: AppState, into buf: inout Buffer) {
    let t = s.theme
    let y = s.height - 1
    let st = t[.status]
    buf.fill(st, y: y, h: 1)
    // The title keeps up to a quarter of the bar; the numbers fill the rest from the left.
    let titleW = s.title.isEmpty ? 0 : min(CharWidth.of(s.title), max(10, s.width / 4))
    let room = s.width - (titleW > 0 ? titleW + 3 : 1)
    var items: [String] = []
    // First, so a narrow bar keeps it (shortened when the whole sentence does not fit).
    if let ro = s.readOnly { items.append(CharWidth.of(ro.label) < room ? ro.label : ro.shortLabel) }
    if s.planMode { items.append("plan") }
    if let sr = s.streaming {
        let spin = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
        let reading = sr.firstTokenAt == nil ? sr.prefill.map { " " + $0.statusText(now: s.now) } ?? " prompt" : nil
        items.append(String(spin[Int(max(0, s.now) * 10) % spin.count]) + (reading ?? " " + liveFigures(s, sr)))
    } else if s.runningTool != nil { items.append("⚙ tool running") }
    // A long model name gives way to the numbers: at most 16 columns.
    items.append(CharWidth.of(s.modelName) > 16 ? String(s.modelName.prefix(15)) + "…" : s.modelName)
    items.append(s.settings.thinking ? "think on" : "think off")
    let used = s.contextUsed ?? 0
    let pct = s.contextLength > 0 ? Int((Double(used) * 100 / Double(s.contextLength)).rounded()) : 0
    // Estimated counts (no local tokenizer) are marked as approximate.
    items.append("ctx \(s.contextUsedApproximate ? "~" : "")\(compact(used))/\(compact(s.contextLength)) \(pct)%")
    if let st = s.lastStats {
        // A rate over a handful of tokens (a regeneration, a continued reply) says nothing: the count instead.
        let computed = st.promptTokens.map { $0 - (st.cachedTokens ?? 0) }
        if let n = computed, n < 16, st.prefillSeconds != nil { items.append("pp \(n) tok") }
        else if let p = st.prefillTokensPerSecond { items.append("pp \(rate(p)) t/s") }
        // Prompt tokens the reply did not compute (the KV cache held them, in memory or restored from disk).
        if let c = st.cachedTokens, c > 0, let p = st.promptTokens { items.append("reused \(grouped(c)) of \(grouped(p))") }
        if let d = st.decodeTokensPerSecond { items.append("tg \(rate(d)) t/s") }
        if let f = st.ttftSeconds { items.append("ttft " + formatSeconds(f)) }
    }
    var line = " "
    for it in items {
        let next = line == " " ? line + it : line + " │ " + it
        if CharWidth.of(next) > room { break }
        line = next
    }
    buf.put(line, x: 0, y: y, style: st)
    if titleW > 0 {
        let clipped = s.clip(s.title, style: st.with(.bold), width: titleW)
        buf.put(clipped, x: s.width - clipped.columns - 1, y: y)
    }
}

/// "generating · 312 tok · 35.2 t/s · 12 s" while a reply streams: tokens so far (the backend's count when it
/// reports one on the way, else the pieces received), their rate since the first one, and the time since sending.
func liveFigures(_ s: AppState, _ sr: StreamingReply) -> String {
    let counted = sr.messageIndex < s.messages.count ? s.messages[sr.messageIndex].stats?.completionTokens : nil
    let earlier = sr.continuedFrom?.completionTokens ?? 0
    let tokens = max((counted ?? earlier) - earlier, sr.reasoningChunks + sr.contentChunks)
    var out = "generating · \(grouped(tokens)) tok"
    if let f = sr.firstTokenAt, s.now - f >= 0.5 { out += " · \(rate(Double(tokens) / (s.now - f))) t/s" }
    return out + " · " + formatSeconds(max(0, s.now - sr.startedAt))
}

func rate(_ x: Double) -> String { x >= 100 ? "\(Int(x.rounded()))" : format1(x) }

func compact(_ n: Int) -> String {
    if n >= 1000 { return format1(Double(n) / 1000).replacingOccurrences(of: ".0", with: "") + "k" }
    return "\(n)"
}
