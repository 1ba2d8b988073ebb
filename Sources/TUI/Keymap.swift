// The key bindings, as shown in the help overlay and the README.

public enum Keymap {
    public static let sections: [(title: String, keys: [(String, String)])] = [
        ("Anywhere", [
            ("Enter", "send; queue it during a reply"),
            ("Alt-Enter, Ctrl-J", "new line in the message"),
            ("Esc", "stop the reply / close a panel"),
            ("Ctrl-C", "stop the reply; twice to quit"),
            ("Tab", "switch between input and transcript"),
            ("Ctrl-T", "open/close all thinking blocks"),
            ("PgUp PgDn", "scroll the transcript (wheel: --mouse)"),
            ("F1, Ctrl-G", "this help"),
            ("F2, Ctrl-O", "sessions: search, open, rename, delete"),
            ("F3, Ctrl-S", "settings: thinking, sampling"),
            ("Ctrl-N", "new conversation"),
        ]),
        ("Input", [
            ("Up Down", "previous lines / message history"),
            ("Ctrl-A Ctrl-E", "start / end of line"),
            ("Alt-B Alt-F", "word left / right"),
            ("Ctrl-U Ctrl-K Ctrl-W", "delete to start / to end / word"),
        ]),
        ("Transcript (after Tab)", [
            ("Up Down, k j", "select a block"),
            ("Enter, Space", "open/close the selected block"),
            ("t", "open/close all thinking blocks"),
            ("Home End", "top / bottom"),
            ("/", "search; n N next / previous match"),
            ("y", "copy the selected block (OSC 52)"),
            ("Y", "copy its code blocks"),
        ]),
    ]

    /// Lines the help overlay has: a title per section, its keys, a blank line between sections.
    public static var helpLineCount: Int { sections.reduce(0) { $0 + 1 + $1.keys.count } + sections.count - 1 }

    /// How far the help can scroll on a screen this tall.
    public static func helpMaxOffset(height: Int) -> Int {
        let visible = min(height - 2, helpLineCount + 4) - 4
        return max(0, helpLineCount - max(0, visible))
    }

    /// The keymap as Markdown tables (for the README).
    public static var markdown: String {
        sections.map { sec in
            "**\(sec.title)**\n\n| Key | Does |\n|---|---|\n" + sec.keys.map { "| \($0.0) | \($0.1) |" }.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }
}
