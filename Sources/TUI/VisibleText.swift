// Text shown for approval made whole and unambiguous: control characters, bidi overrides and long runs
// of spaces become visible marks, so nothing the user approves can hide in blank space or in escapes.

public enum VisibleText {
    /// A command line as the approval panel shows it: a run of 4 or more spaces as `␠×N`, a tab as `⇥`, a
    /// newline as `↵` and a line break, and other control, escape and bidi characters as `\u{1B}`.
    public static func command(_ s: String) -> String {
        var out = ""
        var spaces = 0
        func flush() {
            if spaces >= 4 { out += "␠×\(spaces)" } else { out += String(repeating: " ", count: spaces) }
            spaces = 0
        }
        for u in s.unicodeScalars {
            if u == " " { spaces += 1; continue }
            flush()
            switch u {
            case "\t": out += "⇥"
            case "\n": out += "↵\n"
            default: out += escaped(u)
            }
        }
        flush()
        return out
    }

    /// Pretty-printed arguments as shown: each line's indentation kept, the rest made visible as a command is.
    public static func arguments(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let indent = line.prefix { $0 == " " }
            return String(indent) + command(String(line.dropFirst(indent.count)))
        }.joined(separator: "\n")
    }

    /// Text of a file as shown: every control (but newline and tab), escape and bidi
    /// character as `\u{…}`; spaces, tabs and lines stay as they are.
    public static func controls(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { isHidden($0) && $0 != "\n" && $0 != "\t" }) else { return s }
        var out = ""
        for u in s.unicodeScalars { out += u == "\n" || u == "\t" ? String(u) : escaped(u) }
        return out
    }

    static func escaped(_ u: Unicode.Scalar) -> String {
        isHidden(u) ? "\\u{" + String(u.value, radix: 16, uppercase: true) + "}" : String(u)
    }

    /// C0, DEL, C1, the bidi embeddings, overrides and isolates, and the invisible marks that reorder or hide text.
    static func isHidden(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200B, 0x200E, 0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF: return true
        default: return false
        }
    }
}
