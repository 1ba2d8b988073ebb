// Messages typed while a reply is in progress: Enter queues them, they are sent one by one once the reply
// (and its tool-call round trips) is done, and stopping or a failed reply puts them back in the editor.
import Chat

/// Queues the editor's text behind the reply in progress.
func queueMessage(_ s: inout AppState) -> [Effect] {
    s.queued.append(s.input.take())
    s.scroll = 0
    s.notice = "queued: sent when the reply finishes (Esc stops it and puts the message back here)"
    return []
}

/// Sends the oldest queued message when nothing is in progress any more.
func sendQueuedIfIdle(_ s: inout AppState) -> [Effect] {
    guard !s.isBusy, !s.queued.isEmpty, s.readOnly == nil else { return [] }
    if case .approval = s.overlay { return [] }
    return send(&s, s.queued.removeFirst())
}

/// Puts every queued message back in the editor, before what is being typed there, so that stopping the
/// reply never sends them and never loses them. Returns a few words for the notice line ("" if none).
@discardableResult
func returnQueuedToEditor(_ s: inout AppState) -> String {
    guard !s.queued.isEmpty else { return "" }
    let n = s.queued.count
    s.input.setText(s.unsentText ?? "")
    s.queued = []
    s.focus = .input
    return n == 1 ? "the queued message is back in the editor" : "the \(n) queued messages are back in the editor"
}

extension AppState {
    /// The queued messages as transcript blocks, below the conversation (not part of it until sent).
    func queuedBlocks(hasBefore: Bool) -> [Block] {
        let w = transcriptTextWidth
        let t = theme
        return queued.enumerated().map { i, text in
            var lines = Wrap.text("⏳ queued — sent when this reply is done", style: t[.warning], width: w)
            for (j, l) in Wrap.text(text, style: t[.dim], width: w - 2).enumerated() {
                lines.append([Span(j == 0 ? "› " : "  ", t[.dim])] + l)
            }
            return Block(key: "queued:\(i)", kind: .queued, lines: lines, collapsible: false,
                         copyText: text, gapBefore: hasBefore || i > 0)
        }
    }
}

/// "a; b", or whichever of the two is not empty.
func joinNotice(_ a: String, _ b: String) -> String { [a, b].filter { !$0.isEmpty }.joined(separator: "; ") }
