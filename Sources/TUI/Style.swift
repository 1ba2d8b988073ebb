// Colours, text attributes and the style of one cell.

public enum Color: Hashable, Sendable {
    case `default`
    /// xterm 256-colour index (0–15 are the terminal's own 16 colours).
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)
}

public struct Attr: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attr(rawValue: 1)
    public static let dim = Attr(rawValue: 2)
    public static let italic = Attr(rawValue: 4)
    public static let underline = Attr(rawValue: 8)
    public static let reverse = Attr(rawValue: 16)
    /// Struck-through text (~~like this~~); curses has no such attribute, so Terminal draws a combining stroke.
    public static let strike = Attr(rawValue: 32)
}

public struct Style: Hashable, Sendable {
    public var fg: Color
    public var bg: Color
    public var attrs: Attr
    public init(fg: Color = .default, bg: Color = .default, attrs: Attr = []) { self.fg = fg; self.bg = bg; self.attrs = attrs }
    public static let plain = Style()
    public func with(_ a: Attr) -> Style { var s = self; s.attrs.formUnion(a); return s }
    /// This style's foreground and attributes on another background.
    public func on(_ bg: Color) -> Style { var s = self; s.bg = bg; return s }
}

/// Text with one style; lines of the transcript are arrays of spans.
public struct Span: Equatable, Sendable {
    public var text: String
    public var style: Style
    public init(_ text: String, _ style: Style) { self.text = text; self.style = style }
}

public typealias StyledLine = [Span]

extension Array where Element == Span {
    public var plainText: String { map(\.text).joined() }
    public var columns: Int { reduce(0) { $0 + CharWidth.of($1.text) } }
}
