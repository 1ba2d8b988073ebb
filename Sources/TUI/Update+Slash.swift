// Slash commands: the completion list's keys (↑↓ choose, Tab completes, Enter runs — for `@` files Enter only
// completes) and what each built-in command does when a line starting with `/` is sent; a custom command sends
// its text as the message.
import Chat

/// Keys while the completion list is shown; nil lets the key do what it always does.
func completionKey(_ s: inout AppState, _ k: KeyPress) -> [Effect]? {
    let list = s.completions
    guard !list.isEmpty, !k.alt else { return nil }
    let sel = min(s.completionSelected, list.count - 1)
    switch k.key {
    case .up: s.completionSelected = (sel + list.count - 1) % list.count; return []
    case .down: s.completionSelected = (sel + 1) % list.count; return []
    case .tab:
        complete(&s, list[sel])
        return []
    case .enter:
        // The name typed whole runs as it is; else the chosen one is completed, and run when it takes no arguments.
        if list.contains(where: { $0.replacement == nil && $0.name == s.input.text }) { return nil }
        complete(&s, list[sel])
        return list[sel].runsOnEnter ? submit(&s) : []
    default:
        s.completionSelected = 0
        return nil
    }
}

private func complete(_ s: inout AppState, _ c: SlashCompletion) {
    s.input.setText(c.replacement ?? c.name + (c.arguments.isEmpty ? "" : " "))
    s.completionSelected = 0
}

/// A line sent from the editor that is a command: runs it and returns its effects; nil for a message to send.
func runSlash(_ s: inout AppState) -> [Effect]? {
    let line = SlashLine(s.input.text.trimming(" \n"), custom: s.customCommands)
    switch line {
    case .message(let text):
        guard text != s.input.text.trimming(" \n") else { return nil }
        s.input.setText(text)   // "//x" sends "/x"
        return nil
    case .unknown(let name):
        s.notice = "/\(name) is not a command (type / to see them; // sends a message that starts with /)"
        return []
    case .custom(let c, let args):
        s.input.setText(c.message(arguments: args))
        return nil
    case .builtin(let c, let args):
        _ = s.input.take()
        return run(&s, c, args)
    }
}

private func run(_ s: inout AppState, _ c: SlashCommand, _ args: String) -> [Effect] {
    switch c {
    case .new: return newConversation(&s)
    case .fork: return fork(&s)
    case .edit: return editMessage(&s, nil)
    case .regen: return regenerate(&s, nil)
    case .continue: return continueReply(&s, nil)
    case .system: return setSystemPrompt(&s, args)
    case .compact: return compactCommand(&s, args)
    case .think, .keepThinking:
        guard args == "on" || args == "off" else { s.notice = "\(c.name) on or \(c.name) off"; return [] }
        if c == .think { s.settings.thinking = args == "on" } else { s.settings.keepThinking = args == "on" }
        s.notice = c == .think ? "thinking \(args)" : "past reasoning \(args == "on" ? "is" : "is not") sent back"
        return [.saveSettings(s.settings)]
    case .temp, .topP:
        let range = c == .temp ? 0.0...2.0 : 0.0...1.0
        guard let v = Double(args), range.contains(v) else {
            s.notice = "\(c.name) takes a number from \(Int(range.lowerBound)) to \(Int(range.upperBound))"
            return []
        }
        if c == .temp { s.settings.sampling.temperature = v } else { s.settings.sampling.topP = v }
        s.notice = "\(c == .temp ? "temperature" : "top-p") \(args)"
        return [.saveSettings(s.settings)]
    case .plan: return perform(&s, .togglePlan)
    case .export:
        guard args.isEmpty || args == "md" || args == "json" else { s.notice = "/export md or /export json"; return [] }
        guard s.messages.contains(where: { $0.role != .system }) else { s.notice = "nothing to export yet"; return [] }
        return [.export(s.conversation, json: args == "json")]
    case .model:
        s.notice = "model: \(s.modelName) · context \(grouped(s.contextLength)) tokens"
        return []
    case .undo: return perform(&s, .undo)
    case .sessions: return perform(&s, .sessions)
    case .settings: return perform(&s, .settings)
    case .help: return perform(&s, .help)
    case .quit: return [.cancel, .quit]
    }
}

/// The settings row's Enter: the panel closes and the editor holds `/system` and the current prompt, to change and send.
func editSystemPrompt(_ s: inout AppState) -> [Effect] {
    if let ro = s.readOnly { s.notice = ro.refusal; return [] }
    let fx = closeOverlay(&s)
    let current = s.messages.first.flatMap { $0.role == .system ? $0.content : nil }
    s.input.setText("/system " + (current ?? ""))
    s.focus = .input
    s.notice = "edit the system prompt and press Enter (/system clear removes it; Alt-E opens your editor)"
    return fx
}

/// `/system`: shows the conversation's system prompt; `/system TEXT` sets it, `/system clear` removes it. It is the
/// conversation's first message (saved with it), sent before everything else on every turn.
private func setSystemPrompt(_ s: inout AppState, _ text: String) -> [Effect] {
    let current = s.messages.first.flatMap { $0.role == .system ? $0 : nil }
    if text.isEmpty {
        s.notice = current.map { "system prompt: " + $0.content } ?? "no system prompt (/system TEXT sets one)"
        return []
    }
    if let ro = s.readOnly { s.notice = ro.refusal; return [] }
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
    if text == "clear" {
        guard current != nil else { s.notice = "there is no system prompt"; return [] }
        s.messages.removeFirst()
        s.notice = "system prompt removed"
    } else if current != nil {
        s.messages[0].content = text
        s.notice = "system prompt set"
    } else {
        s.messages.insert(.system(text), at: 0)
        s.notice = "system prompt set"
    }
    // A conversation not saved yet keeps it until its first message is sent.
    return s.sessionID == nil ? [] : [.save(s.conversation, partial: false)]
}
