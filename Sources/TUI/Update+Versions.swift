// Edit, regenerate and switch versions: `e` puts a user message in the editor and the next send replaces it (and what
// followed) as a new version; `r` asks again for a reply, the old one kept as a version; ←/→ shows another version.
// The engine prefills only what changed (its KV cache holds the shared prefix).
import Chat

/// The message of the transcript's selected block (a reply's thinking or tool blocks count as the reply).
func selectedMessageIndex(_ s: AppState) -> Int? {
    guard s.focus == .transcript, let key = s.selectedBlock else { return nil }
    return s.messages.firstIndex { key == $0.id || key.hasPrefix($0.id + ":") }
}

func editMessage(_ s: inout AppState, _ index: Int?) -> [Effect] {
    if let ro = s.readOnly { s.notice = ro.refusal; return [] }
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
    guard let i = index ?? s.messages.lastIndex(where: { $0.role == .user }), s.messages[i].role == .user else {
        s.notice = "select one of your messages to edit it"; return []
    }
    s.editingMessageID = s.messages[i].id
    s.editingSummary = false
    s.input.setText(s.messages[i].content)
    leaveTranscript(&s)
    s.notice = "editing: Enter sends it as a new version (the old one and what followed stay, ←/→ in the transcript); Esc leaves"
    return []
}

func regenerate(_ s: inout AppState, _ index: Int?) -> [Effect] {
    if let ro = s.readOnly { s.notice = ro.refusal; return [] }
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
    guard let i = index ?? s.messages.lastIndex(where: { $0.role == .assistant }), s.messages[i].role == .assistant,
          s.messages[..<i].contains(where: { $0.role == .user }) else {
        s.notice = "select a reply to regenerate it"; return []
    }
    let versions = s.messages.versionsReplacing(at: i)
    s.messages.removeSubrange(i...)
    s.toolRounds = 0
    let fx = startReply(&s)
    s.messages[i].versions = versions
    if s.focus == .transcript { s.selectedBlock = s.messages[i].id }
    // Saved with the versions at once (the reply so far is the partial last message), not as startReply captured it.
    return [.save(s.conversation, partial: true)] + fx.filter { if case .save = $0 { return false }; return true } + notice(&s, versions)
}

private func notice(_ s: inout AppState, _ versions: Versions) -> [Effect] {
    // It stays until the next key: worded to be true while the reply streams and after it has ended.
    s.notice = "a new reply: the earlier one stays as version \(versions.others.count) (←/→ in the transcript)"
    return []
}

func switchVersion(_ s: inout AppState, by step: Int) -> [Effect] {
    guard let i = selectedMessageIndex(s), s.messages[i].versions != nil else { s.notice = "this message has one version"; return [] }
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
    let m = s.messages[i]
    let k = m.versionIndex + step
    guard k >= 0, k < m.versionCount else { return [] }
    s.messages.showVersion(k, at: i)
    s.selectedBlock = s.messages[i].id
    s.notice = "version \(k + 1) of \(m.versionCount)"
    return s.readOnly == nil ? [.save(s.conversation, partial: false)] : []
}
