// Themes: semantic style slots parsed from JSON (the built-ins here; App reads the user's themes folder).
import Chat

public enum ThemeSlot: String, CaseIterable, Sendable {
    case background, text, dim, user, assistant, thinking, tool, code, accent, warning, error, status
    /// Syntax highlighting inside code (fenced blocks, diffs); a theme without them draws code in `code`.
    case keyword, string, comment, number, type

    /// The slots drawn inside code, on the code background.
    public static let codeTokens: [ThemeSlot] = [.keyword, .string, .comment, .number, .type]
}

public struct ThemeError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ d: String) { description = d }
}

public struct Theme: Sendable, Equatable {
    public var name: String
    public var slots: [ThemeSlot: Style]

    /// The style of a slot, drawn on the theme's background unless the slot sets its own.
    /// Code token slots fall back to `code` and are drawn on code's background.
    public subscript(_ slot: ThemeSlot) -> Style {
        var bg = slots[.background]?.bg ?? .default
        let isToken = ThemeSlot.codeTokens.contains(slot)
        if isToken, let cb = slots[.code]?.bg, cb != .default { bg = cb }
        guard var s = slots[slot] ?? (isToken ? slots[.code] : nil) ?? slots[.text] else { return Style(bg: bg) }
        if s.bg == .default { s.bg = bg }
        return s
    }

    public static let builtinNames: [String] = BuiltinThemes.sources.map(\.name)

    /// The default dark theme (always parses: a test checks every built-in).
    public static var fallback: Theme { (try? Theme.parse(BuiltinThemes.sources[0].json)) ?? Theme(name: "plain", slots: [:]) }

    /// A plain theme (no colours) for snapshot tests of layout alone.
    public static let plain = Theme(name: "plain", slots: [:])

    public static func parse(_ json: String) throws -> Theme {
        let v: JSONValue
        do { v = try JSONValue.parse(json) } catch { throw ThemeError("the theme is not valid JSON (\(error))") }
        guard let name = v["name"]?.stringValue, !name.isEmpty else { throw ThemeError("the theme has no \"name\"") }
        guard let slotObj = v["slots"]?.objectValue else { throw ThemeError("the theme \(name) has no \"slots\" object") }
        var slots: [ThemeSlot: Style] = [:]
        for (key, value) in slotObj {
            guard let slot = ThemeSlot(rawValue: key) else { throw ThemeError("the theme \(name) has an unknown slot \"\(key)\"") }
            guard value.objectValue != nil else { throw ThemeError("slot \"\(key)\" of theme \(name) must be an object") }
            var st = Style()
            if let fg = value["fg"] { st.fg = try parseColor(fg, where: "\(key).fg") }
            if let bg = value["bg"] { st.bg = try parseColor(bg, where: "\(key).bg") }
            let flags: [(String, Attr)] = [("bold", .bold), ("dim", .dim), ("italic", .italic), ("underline", .underline), ("reverse", .reverse)]
            for (k, a) in flags where value[k]?.boolValue == true { st.attrs.insert(a) }
            slots[slot] = st
        }
        for s in [ThemeSlot.background, .text] where slots[s] == nil { throw ThemeError("the theme \(name) lacks the \"\(s.rawValue)\" slot") }
        return Theme(name: name, slots: slots)
    }

    static let named16 = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    static func parseColor(_ v: JSONValue, where w: String) throws -> Color {
        if let i = v.intValue {
            guard (0...255).contains(i) else { throw ThemeError("colour \(w) must be 0–255, not \(i)") }
            return .indexed(UInt8(i))
        }
        guard let s = v.stringValue?.lowercased() else { throw ThemeError("colour \(w) must be a string or a number") }
        if s == "default" { return .default }
        if s.hasPrefix("#"), s.count == 7, let n = UInt32(s.dropFirst(), radix: 16) {
            return .rgb(UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF))
        }
        if let i = named16.firstIndex(of: s) { return .indexed(UInt8(i)) }
        if s.hasPrefix("bright-"), let i = named16.firstIndex(of: String(s.dropFirst(7))) { return .indexed(UInt8(i + 8)) }
        throw ThemeError("colour \(w) \"\(s)\" is not #rrggbb, 0–255, default or a colour name")
    }

    /// The built-in themes, parsed.
    public static var builtins: [Theme] { BuiltinThemes.sources.compactMap { try? parse($0.json) } }

    /// The built-in theme called `name` (nil: there is none); throws when its source does not parse.
    public static func builtin(named name: String) throws -> Theme? {
        try BuiltinThemes.sources.first { $0.name == name }.map { try parse($0.json) }
    }
}
