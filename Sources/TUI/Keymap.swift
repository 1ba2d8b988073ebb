// The key bindings, as shown in the help overlay and the README.

public enum Keymap {
    public static let sections: [(title: String, keys: [(String, String)])] = [
        ("Anywhere", [
            ("Enter", "send the message"),
            ("Alt-Enter, Ctrl-J", "new line in the message"),
            ("Esc", "stop the reply / close a panel"),
            ("Ctrl-C", "stop the reply; twice to quit"),
            ("Tab", "switch between input and transcript"),
            ("Ctrl-T", "open/close all thinking blocks"),
            ("PgUp PgDn", "scroll the transcript (or the wheel, with --mouse)"),
            ("F1, Ctrl-G", "this help"),
            ("F2, Ctrl-O", "sessions: search, open, rename, delete"),
            ("F3, Ctrl-S", "settings: thinking, sampling"),
            ("Ctrl-N", "new conversation"),
        ]),
        ("Input", [
            ("Up Down", "previous lines / message history"),
            ("Ctrl-A Ctrl-E", "start / end of line"),
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
}
