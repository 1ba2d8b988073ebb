// Searching the transcript: typing the query, moving between matches (newest first).
import Chat

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
