// Fork: the conversation up to the selected message (all of it from the editor or /fork) copied into a new one
// that remembers where it came from; the original stays as it was. Saved at once, so the picker lists it.
import Chat

func fork(_ s: inout AppState) -> [Effect] {
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
    guard s.messages.contains(where: { $0.role != .system }) else { s.notice = "nothing to fork yet"; return [] }
    var end = s.messages.count - 1
    if s.focus == .transcript, let key = s.selectedBlock,
       let i = s.messages.firstIndex(where: { key == $0.id || key.hasPrefix($0.id + ":") }) {
        end = i
        // A reply's tool calls keep their results.
        while end + 1 < s.messages.count, s.messages[end + 1].role == .tool { end += 1 }
    }
    var copied = Array(s.messages[...end])
    for i in copied.indices { copied[i].id = Message.newID(); copied[i].incomplete = false }
    // The summary comes along when every message it covers does (anchored to its copy's new id).
    let summary = s.compaction.flatMap { c in c.end(in: s.messages).flatMap { $0 <= copied.count ? Compaction(summary: c.summary,
        through: copied[$0 - 1].id, messages: c.messages, created: c.created, edited: c.edited) : nil } }
    let origin = s.sessionID.map { ForkOrigin(id: $0, title: s.title) }
    let title = s.title.isEmpty ? "" : s.title + " (fork)"
    let leaving = leaveConversation(&s)
    startEmpty(&s)
    s.messages = copied
    s.title = title
    s.forkedFrom = origin
    s.compaction = summary
    s.focus = .input
    s.notice = "forked: a new conversation with \(copied.count) message\(copied.count == 1 ? "" : "s"); the original is unchanged"
    return leaving + [.save(s.conversation, partial: false)]
}
