// Drawing of the slash-command completion list: just above the editor, over the transcript, the chosen line
// reversed, at most 8 lines (then how many more).
func renderSlashPopup(_ s: AppState, into buf: inout Buffer) {
    let list = s.completions
    guard !list.isEmpty else { return }
    let t = s.theme
    let room = min(8, s.transcriptRows)
    guard room > 0 else { return }
    let sel = min(s.completionSelected, list.count - 1)
    // Keep the chosen line in view.
    let shownCount = list.count > room ? room - 1 : list.count
    let first = max(0, min(sel - shownCount + 1, list.count - shownCount))
    let nameW = min(28, (list.map { CharWidth.of($0.name + ($0.arguments.isEmpty ? "" : " " + $0.arguments)) }.max() ?? 0))
    var lines: [StyledLine] = []
    for (i, c) in list.enumerated().dropFirst(first).prefix(shownCount) {
        let head = c.name + (c.arguments.isEmpty ? "" : " " + c.arguments)
        let pad = String(repeating: " ", count: max(0, nameW - CharWidth.of(head)))
        // A narrow screen shortens the summary, marked with "…".
        let room = s.width - 2 - CharWidth.of(" " + head + pad + "  ")
        let summary = CharWidth.of(c.summary) + 1 <= room ? c.summary + " " : s.clip(c.summary, style: t[.dim], width: max(1, room)).map(\.text).joined()
        var line: StyledLine = [Span(" " + head + pad + "  ", t[.accent]), Span(summary, t[.dim])]
        if i == sel { line = line.map { Span($0.text, $0.style.with(.reverse)) } }
        lines.append(line)
    }
    if list.count > shownCount { lines.append([Span(" … \(list.count - shownCount) more (↑↓)", t[.dim])]) }
    let y0 = s.transcriptRows - lines.count
    buf.fill(t[.background], x: 0, y: y0, w: s.width, h: lines.count)
    for (i, l) in lines.enumerated() { buf.put(l, x: 1, y: y0 + i, limit: s.width - 1) }
}
