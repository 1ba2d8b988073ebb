// Searching the transcript: typing the query, moving between matches (newest first, wrapping around);
// the selection follows the match so the block keys (copy, open) act on it.
import Chat

func searchKey(_ s: inout AppState, _ k: KeyPress) -> [Effect] {
    switch k.key {
    case .escape: s.search = nil
    case .enter:
        s.search?.editing = false
        s.search?.matchRow = nil
        findMatch(&s, older: true)
    case .backspace where s.search?.query.isEmpty == true: s.search = nil
    default:
        guard var se = s.search else { break }
        _ = fieldKey(&se.field, k)
        s.search = se
    }
    return []
}

extension TranscriptLayout {
    /// Rows holding `query` (case-insensitive), newest (bottom) first.
    func matchRows(_ query: String) -> [Int] {
        let q = query.lowercased()
        guard !q.isEmpty else { return [] }
        return rows.indices.reversed().filter { rows[$0].plainText.lowercased().contains(q) }
    }
}

/// Moves to the next match above (older) or below the current one, wrapping at either end; starts from the bottom.
func findMatch(_ s: inout AppState, older: Bool) {
    guard let se = s.search, !se.query.isEmpty else { return }
    let layout = s.layoutTranscript()
    let matches = layout.matchRows(se.query)
    guard !matches.isEmpty else { s.notice = "no match for “\(se.query)”"; return }
    let r: Int
    if let cur = se.matchRow {
        let next = older ? matches.first { $0 < cur } : matches.last { $0 > cur }
        if next == nil { s.notice = "search wrapped" }
        r = next ?? (older ? matches.first! : matches.last!)
    } else {
        r = matches.first!
    }
    s.search?.matchRow = r
    s.focus = .transcript
    s.selectedBlock = layout.blocks[layout.rowBlock[r]].key
    let h = s.transcriptRows
    s.scroll = max(0, layout.rows.count - h - max(0, r - h / 2))
    clampScroll(&s)
}
