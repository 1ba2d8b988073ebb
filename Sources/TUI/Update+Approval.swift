// Keys in the tool approval panel: scrolling the action, the answers (run, refuse, refuse with a reason,
// allow the tool for this conversation, allow a command prefix in this workspace) and their one-line fields.
// Nothing is approved that was not shown: an action longer than the panel runs only once its end was on screen.
import Chat

func approvalKey(_ s: inout AppState, _ panel: ApprovalPanel, _ k: KeyPress) -> [Effect] {
    var p = panel
    if p.reasonField != nil || p.prefixField != nil { return approvalFieldKey(&s, p, k) }
    let v = ApprovalView(p, s)
    let page = max(1, v.rows - 1)
    switch Keymap.action(for: k, in: .approval) {
    case .lineUp?: p.offset -= 1
    case .lineDown?: p.offset += 1
    case .pageUp?: p.offset -= page
    case .pageDown?: p.offset += page
    case .top?: p.offset = 0
    case .bottom?: p.offset = v.maxOffset
    case .toggleFocus?:
        p.aside = true
        s.overlay = .approval(p)
        if s.focus == .input { return perform(&s, .toggleFocus) }
        return []
    case .refuse?:
        s.overlay = nil
        return denyTool(&s, p.call)
    case .refuseWithReason?:
        p.reasonField = InputEditor()
    case .approve?, .allowTool?, .allowPrefix?:
        let action = Keymap.action(for: k, in: .approval)
        if s.width < Layout.minWidth || s.height < Layout.minHeight {
            // Too small to draw the panel: nothing on screen, so nothing can be approved.
            s.notice = "the window is too small to show the action; enlarge it first"
            return []
        }
        if !p.seenEnd && v.body.count > v.rows {
            let n = v.below(p.offset)
            s.notice = "scroll to the end first (\(Keymap.key(.pageDown, in: .approval))/\(Keymap.key(.bottom, in: .approval))) — \(n) more line\(n == 1 ? "" : "s")"
            return []
        }
        if action == .allowPrefix {
            guard let line = p.commandLine else { s.notice = "a prefix rule is for commands; \(Keymap.key(.allowTool, in: .approval)) allows this tool"; return [] }
            var f = InputEditor()
            f.insert(CommandRule.proposed(for: line))
            p.prefixField = f
            break
        }
        if action == .allowTool {
            s.alwaysAllowed.insert(p.call.name)
            s.notice = "\(p.call.name) runs without asking for the rest of this conversation"
        }
        s.overlay = nil
        return startTool(&s, p.call)
    default:
        if k.key == .wheelUp { p.offset -= 3 } else if k.key == .wheelDown { p.offset += 3 }
    }
    p.offset = max(0, min(p.offset, v.maxOffset))
    if p.offset >= v.maxOffset { p.seenEnd = true }
    s.overlay = .approval(p)
    return []
}

/// What the transcript's keys may do while an approval waits behind it: read, not change the conversation.
let readingActions: Set<KeyAction> = [.selectUp, .selectDown, .toggleBlock, .top, .bottom, .search, .nextMatch, .previousMatch,
                                      .copyBlock, .copyCode, .pageUp, .pageDown, .wheelUp, .wheelDown, .toggleThinking]

/// A key while the approval panel is set aside: Tab or Esc brings it back; reading the transcript works as usual
/// (nil: handle the key as without the panel); anything else waits for the answer.
func asideKey(_ s: inout AppState, _ panel: ApprovalPanel, _ k: KeyPress) -> [Effect]? {
    if let se = s.search, se.editing { return searchKey(&s, k) }
    let action = Keymap.action(for: k, focus: .transcript)
    if k.key == .escape || action == .toggleFocus {
        var p = panel
        p.aside = false
        s.overlay = .approval(p)
        leaveTranscript(&s)
        return []
    }
    if let a = action, readingActions.contains(a) { return nil }
    s.notice = "a tool call is waiting for your answer: \(Keymap.key(.toggleFocus, in: .approval)) goes back to it"
    return []
}

/// A key while the reason or the prefix is typed: Enter answers with it, Esc goes back to the answers.
func approvalFieldKey(_ s: inout AppState, _ panel: ApprovalPanel, _ k: KeyPress) -> [Effect] {
    var p = panel
    switch k.key {
    case .escape:
        p.reasonField = nil; p.prefixField = nil
    case .enter:
        if let reason = p.reasonField?.text.trimming(" \n") {
            s.overlay = nil
            return denyTool(&s, p.call, reason: reason.isEmpty ? nil : reason)
        }
        let prefix = p.prefixField?.text.trimming(" ") ?? ""
        if prefix.isEmpty { s.notice = "type the start of the commands to allow, or Esc"; break }
        if !s.commandRules.contains(prefix) { s.settings.allowedCommands[s.workspacePath, default: []].append(prefix) }
        s.notice = "commands starting with “\(prefix)” run without asking here (F3 lists and removes rules)"
        s.overlay = nil
        return [.saveSettings(s.settings)] + startTool(&s, p.call)
    default:
        if p.reasonField != nil { _ = fieldKey(&p.reasonField!, k) } else { _ = fieldKey(&p.prefixField!, k) }
    }
    s.overlay = .approval(p)
    return []
}

/// The call is refused: the model gets a `tool` message saying so (with the user's reason, if one was given).
func denyTool(_ s: inout AppState, _ call: ToolCall, reason: String? = nil) -> [Effect] {
    s.pendingTools.removeAll { $0.id == call.id }
    var text = "The user refused to run this tool call."
    if let r = reason {
        let what: String
        switch CodingTools.kind(of: call.name) {
        case .run?: what = "command"
        case .write?: what = "file write"
        default: what = "tool call"
        }
        text = "The user declined this \(what): \(r)"
    }
    var m = Message.tool(text, callID: call.id, name: call.name)
    m.toolResult?.denied = true
    s.messages.append(m)
    return [.save(s.conversation, partial: false)] + nextTool(&s)
}

/// The call runs without asking: the user allowed its tool ("a") or, for a command, a prefix rule of this workspace matches.
func runsWithoutAsking(_ s: AppState, _ req: ApprovalRequest) -> Bool {
    if !req.kind.needsApproval || !s.toolsNeedApproval || s.alwaysAllowed.contains(req.call.name) { return true }
    if req.kind == .run, let line = req.commandLine { return CommandRule.allows(line, anyOf: s.commandRules) }
    return false
}
