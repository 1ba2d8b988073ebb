// The editing keys every text field shares (the editor, the picker's search and rename, the transcript
// search): the keymap's input bindings applied to an InputEditor.

extension InputEditor {
    /// A one-line field's text with a bar at the caret.
    public var withCaret: String {
        let line = lines[row]
        return String(line[..<col]) + "▏" + String(line[col...])
    }
}

/// Applies an input binding that edits or moves within a line; false for the others (send, newline, up/down).
@discardableResult
func edit(_ f: inout InputEditor, _ action: KeyAction) -> Bool {
    switch action {
    case .caretLeft: f.left()
    case .caretRight: f.right()
    case .lineStart: f.home()
    case .lineEnd: f.end()
    case .wordLeft: f.wordLeft()
    case .wordRight: f.wordRight()
    case .deleteBack: f.backspace()
    case .deleteForward: f.deleteForward()
    case .deleteToStart: f.killToStart()
    case .deleteToEnd: f.killToEnd()
    case .deleteWordBack: f.deleteWordBack()
    default: return false
    }
    return true
}

/// A key in a one-line field: an editing binding, or a character typed. False when the field does not take it.
func fieldKey(_ f: inout InputEditor, _ k: KeyPress) -> Bool {
    if let a = Keymap.action(for: k, in: .input) { return edit(&f, a) }
    guard case .char(let c) = k.key, !k.alt else { return false }
    f.insert(String(c))
    return true
}
