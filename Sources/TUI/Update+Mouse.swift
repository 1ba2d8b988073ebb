// Clicks (with --mouse): on the transcript a click selects the block under it, on a foldable block's first row it
// also opens or closes it; on the editor it goes back to typing.

func click(_ s: inout AppState, x: Int, y: Int) -> [Effect] {
    // An approval set aside leaves the transcript to read (and click); other panels take keys only.
    let aside: Bool = { if case .approval(let p) = s.overlay { return p.aside }; return false }()
    guard s.overlay == nil || aside, s.search?.editing != true else { return [] }
    if aside, y >= s.transcriptRows { return [] }
    if y >= s.transcriptRows {
        if y > s.transcriptRows, y <= s.transcriptRows + s.inputRows, s.focus == .transcript { leaveTranscript(&s) }
        return []
    }
    let layout = s.layoutTranscript()
    let r = transcriptTop(s, layout) + y
    guard r < layout.rows.count else { return [] }
    let bi = layout.rowBlock[r]
    guard r >= layout.starts[bi] else { return [] }   // the blank row above a block
    let b = layout.blocks[bi]
    s.focus = .transcript
    s.selectedBlock = b.key
    if r == layout.starts[bi], b.collapsible, x >= 2 {
        s.expanded[b.key] = !b.open
        select(&s, bi, s.layoutTranscript())
    }
    return []
}

/// The layout row drawn on the transcript's first screen row.
func transcriptTop(_ s: AppState, _ layout: TranscriptLayout) -> Int {
    let total = layout.rows.count, h = s.transcriptRows
    return max(0, total - h - min(s.scroll, max(0, total - h)))
}
