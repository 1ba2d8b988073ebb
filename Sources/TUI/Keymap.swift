// The key bindings: one table that `update` looks keys up in and the help overlay and the README show.

/// Where a binding applies: everywhere outside the overlays, or only with that part focused, or in the
/// tool approval panel (which takes every key while it is open).
public enum KeyContext: CaseIterable, Sendable {
    case anywhere, input, transcript, approval

    public var title: String {
        switch self {
        case .anywhere: return "Anywhere"
        case .input: return "Input"
        case .transcript: return "Transcript (after Tab)"
        case .approval: return "Tool approval panel"
        }
    }
}

/// What a bound key does; `update` performs it (Update.swift).
public enum KeyAction: CaseIterable, Sendable {
    // anywhere
    case interrupt, stop, toggleFocus, toggleThinking, pageUp, pageDown, wheelUp, wheelDown
    case help, sessions, settings, newConversation, togglePlan, undo
    // input
    case send, newline, caretUp, caretDown, caretLeft, caretRight, lineStart, lineEnd, wordLeft, wordRight
    case deleteBack, deleteForward, deleteToStart, deleteToEnd, deleteWordBack, externalEditor
    // transcript
    case selectUp, selectDown, toggleBlock, top, bottom, search, nextMatch, previousMatch, copyBlock, copyCode, fork
    case editMessage, regenerate, continueReply, previousVersion, nextVersion
    // approval panel (it also scrolls with pageUp, pageDown, top, bottom)
    case lineUp, lineDown, approve, refuse, refuseWithReason, allowTool, allowPrefix
}

public struct KeyBinding: Sendable {
    public let action: KeyAction
    /// The keys that do it; the first is the main one.
    public let keys: [KeyPress]
}

/// One line of the help: related bindings and what they do.
public struct KeymapRow: Sendable {
    public let context: KeyContext
    public let bindings: [KeyBinding]
    public let help: String

    /// The keys as the help shows them: the main keys of each binding ("Up Down"), then each further
    /// set of alternatives after a comma ("Up Down, k j").
    public var label: String {
        let depth = bindings.map(\.keys.count).max() ?? 0
        return (0..<depth).map { i in bindings.compactMap { $0.keys[safe: i]?.name }.joined(separator: " ") }.joined(separator: ", ")
    }
}

public enum Keymap {
    public static let rows: [KeymapRow] = [
        row(.anywhere, "stop the reply / close a panel", (.stop, [.key(.escape)])),
        row(.anywhere, "clear the input, else stop; twice in 2 s: quit", (.interrupt, [.key(.ctrl("c"))])),
        row(.anywhere, "switch between input and transcript", (.toggleFocus, [.key(.tab)])),
        row(.anywhere, "plan mode: the model may read, not write or run", (.togglePlan, [.key(.backTab)])),
        row(.anywhere, "open/close all thinking blocks (F3: default)", (.toggleThinking, [.key(.ctrl("t"))])),
        row(.anywhere, "scroll the transcript a page", (.pageUp, [.key(.pageUp)]), (.pageDown, [.key(.pageDown)])),
        row(.anywhere, "scroll it 3 lines (with --mouse)", (.wheelUp, [.key(.wheelUp)]), (.wheelDown, [.key(.wheelDown)])),
        row(.anywhere, "this help", (.help, [.key(.function(1)), .key(.ctrl("g"))])),
        row(.anywhere, "sessions: search, open, rename, delete", (.sessions, [.key(.function(2)), .key(.ctrl("o"))])),
        row(.anywhere, "settings: thinking, sampling", (.settings, [.key(.function(3)), .key(.ctrl("s"))])),
        row(.anywhere, "new conversation", (.newConversation, [.key(.ctrl("n"))])),
        row(.anywhere, "undo the last file write (input: when empty)", (.undo, [.key(.ctrl("z"))])),

        row(.input, "send; queue it during a reply", (.send, [.key(.enter)])),
        row(.input, "new line in the message", (.newline, [.alt(.enter), .key(.ctrl("j"))])),
        row(.input, "previous lines / message history", (.caretUp, [.key(.up), .key(.ctrl("p"))]), (.caretDown, [.key(.down)])),
        row(.input, "character left / right", (.caretLeft, [.key(.left), .key(.ctrl("b"))]), (.caretRight, [.key(.right), .key(.ctrl("f"))])),
        row(.input, "start / end of line", (.lineStart, [.key(.ctrl("a")), .key(.home)]), (.lineEnd, [.key(.ctrl("e")), .key(.end)])),
        row(.input, "word left / right / delete",
            (.wordLeft, [.alt(.char("b"))]), (.wordRight, [.alt(.char("f"))]), (.deleteWordBack, [.alt(.backspace)])),
        row(.input, "delete before / after the caret", (.deleteBack, [.key(.backspace)]), (.deleteForward, [.key(.delete), .key(.ctrl("d"))])),
        row(.input, "delete to start / to end / word",
            (.deleteToStart, [.key(.ctrl("u"))]), (.deleteToEnd, [.key(.ctrl("k"))]), (.deleteWordBack, [.key(.ctrl("w"))])),
        row(.input, "edit it in $VISUAL / $EDITOR", (.externalEditor, [.alt(.char("e"))])),

        row(.transcript, "select a block", (.selectUp, [.key(.up), .key(.char("k"))]), (.selectDown, [.key(.down), .key(.char("j"))])),
        row(.transcript, "open/close the selected block", (.toggleBlock, [.key(.enter), .key(.char(" "))])),
        row(.transcript, "open/close all thinking blocks", (.toggleThinking, [.key(.char("t"))])),
        row(.transcript, "top / bottom", (.top, [.key(.home), .key(.char("g"))]), (.bottom, [.key(.end), .key(.char("G"))])),
        row(.transcript, "search; next / previous match",
            (.search, [.key(.char("/"))]), (.nextMatch, [.key(.char("n"))]), (.previousMatch, [.key(.char("N"))])),
        row(.transcript, "copy the selected block (OSC 52)", (.copyBlock, [.key(.char("y"))])),
        row(.transcript, "copy its code blocks", (.copyCode, [.key(.char("Y"))])),
        row(.transcript, "fork: a new conversation up to the selected message", (.fork, [.key(.char("f"))])),
        row(.transcript, "edit the selected message (a new version) or summary", (.editMessage, [.key(.char("e"))])),
        row(.transcript, "regenerate the selected reply (a new version)", (.regenerate, [.key(.char("r"))])),
        row(.transcript, "continue the selected reply where it stopped", (.continueReply, [.key(.char("c"))])),
        row(.transcript, "previous / next version of the selected message",
            (.previousVersion, [.key(.left)]), (.nextVersion, [.key(.right)])),

        row(.approval, "run it (once all of it was shown)", (.approve, [.key(.char("y")), .key(.enter)])),
        row(.approval, "refuse it", (.refuse, [.key(.char("n")), .key(.escape)])),
        row(.approval, "refuse, with a reason for the model", (.refuseWithReason, [.key(.char("r"))])),
        row(.approval, "run it and allow this tool for the conversation", (.allowTool, [.key(.char("a"))])),
        row(.approval, "run it and allow commands with this prefix here", (.allowPrefix, [.key(.char("p"))])),
        row(.approval, "read the transcript behind it (Tab or Esc comes back)", (.toggleFocus, [.key(.tab)])),
        row(.approval, "scroll a line", (.lineUp, [.key(.up), .key(.char("k"))]), (.lineDown, [.key(.down), .key(.char("j"))])),
        row(.approval, "scroll a page", (.pageUp, [.key(.pageUp)]), (.pageDown, [.key(.pageDown)])),
        row(.approval, "first / last lines", (.top, [.key(.home), .key(.char("g"))]), (.bottom, [.key(.end), .key(.char("G"))])),
    ]

    private static func row(_ context: KeyContext, _ help: String, _ bindings: (KeyAction, [KeyPress])...) -> KeymapRow {
        KeymapRow(context: context, bindings: bindings.map { KeyBinding(action: $0.0, keys: $0.1) }, help: help)
    }

    /// The action bound to `k` in `context` (only that one: "anywhere" is a context of its own).
    public static func action(for k: KeyPress, in context: KeyContext) -> KeyAction? { action(for: k, in: [context]) }

    /// The action for `k` outside the overlays: an "anywhere" binding, else the focused part's.
    public static func action(for k: KeyPress, focus: Focus) -> KeyAction? {
        action(for: k, in: [.anywhere, focus == .input ? .input : .transcript])
    }

    /// A key with Alt that has no binding of its own does what it does without Alt.
    static func action(for k: KeyPress, in contexts: [KeyContext]) -> KeyAction? {
        func find(_ k: KeyPress) -> KeyAction? {
            rows.lazy.filter { contexts.contains($0.context) }.flatMap(\.bindings).first { $0.keys.contains(k) }?.action
        }
        return find(k) ?? (k.alt ? find(KeyPress(k.key)) : nil)
    }

    /// The name of the main key for `action` ("F1" for `.help`), for hints elsewhere on the screen; a
    /// binding in `context` comes first ("t" rather than "Ctrl-T" for the transcript's thinking toggle).
    public static func key(_ action: KeyAction, in context: KeyContext = .anywhere) -> String {
        let ordered = rows.filter { $0.context == context } + rows.filter { $0.context != context }
        return ordered.lazy.flatMap(\.bindings).first { $0.action == action }?.keys.first?.name ?? "?"
    }

    /// The help's sections: a title and its rows (label, what it does), in table order.
    public static var sections: [(title: String, keys: [(String, String)])] {
        KeyContext.allCases.map { c in (c.title, rows.filter { $0.context == c }.map { ($0.label, $0.help) }) }
    }

    /// What the help overlay lists: the keys, then the slash commands.
    public static var helpSections: [(title: String, keys: [(String, String)])] {
        sections + [("Commands (type / in the editor)", SlashCommand.allCases.map { ($0.usage, $0.summary) })]
    }

    /// Lines the help overlay has: a title per section, its keys, a blank line between sections.
    public static var helpLineCount: Int { helpSections.reduce(0) { $0 + 1 + $1.keys.count } + helpSections.count - 1 }

    /// How far the help can scroll on a screen this tall.
    public static func helpMaxOffset(height: Int) -> Int {
        let visible = min(height - 2, helpLineCount + 4) - 4
        return max(0, helpLineCount - max(0, visible))
    }

    /// The keymap as Markdown tables (the README's Keys section holds exactly this; a test checks it).
    public static var markdown: String {
        sections.map { sec in
            "**\(sec.title)**\n\n| Key | Does |\n|---|---|\n" + sec.keys.map { "| \($0.0) | \($0.1) |" }.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }
}

extension KeyPress {
    static func key(_ k: Key) -> KeyPress { KeyPress(k) }
    static func alt(_ k: Key) -> KeyPress { KeyPress(k, alt: true) }

    /// How the help names the key: "Ctrl-G", "Alt-Enter", "F2", "Space", "k".
    public var name: String {
        let base: String
        switch key {
        case .char(" "): base = "Space"
        case .char(let c): base = alt ? c.uppercased() : String(c)
        case .ctrl(let c): base = "Ctrl-" + c.uppercased()
        case .enter: base = "Enter"
        case .tab: base = "Tab"
        case .backTab: base = "Shift-Tab"
        case .backspace: base = "Backspace"
        case .delete: base = "Del"
        case .escape: base = "Esc"
        case .up: base = "Up"
        case .down: base = "Down"
        case .left: base = "Left"
        case .right: base = "Right"
        case .home: base = "Home"
        case .end: base = "End"
        case .pageUp: base = "PgUp"
        case .pageDown: base = "PgDn"
        case .wheelUp: base = "Wheel↑"
        case .wheelDown: base = "Wheel↓"
        case .function(let n): base = "F\(n)"
        }
        return alt ? "Alt-" + base : base
    }
}
