// Syntax highlighting: one table per language family (keywords, types, comments, strings) and a small
// lexer that carries its state from line to line (block comments, multi-line strings), so a code block
// streamed a line at a time is coloured as it is when whole.

/// What a piece of code is, each drawn in its theme slot.
enum TokenKind: Equatable, Sendable { case plain, keyword, string, comment, number, type, inserted, removed, hunk }

/// Where a line ends inside a construct that goes on: a block comment (its nesting depth) or a string (its closing delimiter).
struct HighlightState: Hashable, Sendable {
    var commentDepth = 0
    var stringClose: String? = nil
    var stringEscapes = true
}

struct Syntax: Sendable {
    enum Mode: Sendable { case code, diff, markdown }
    struct Quote: Sendable { var open: String; var close: String; var multiline: Bool; var escapes: Bool }
    var names: [String]
    var keywords: Set<String> = []
    var types: Set<String> = []
    /// Capitalised identifiers are types (Swift, Rust, Go's exported names read as types too).
    var capitalTypes = true
    var lineComments: [String] = []
    var blockComment: (open: String, close: String, nests: Bool)? = nil
    var quotes: [Quote] = []
    /// Characters that start a variable (shell `$x`), drawn as a type.
    var sigils: Set<Character> = []
    /// A word right before ':' at the start of a line is a key (YAML), drawn as a keyword.
    var keysBeforeColon = false
    /// `'` starts a character literal only when one character (or escape) and `'` follow (Rust lifetimes).
    var shortSingleQuote = false
    var mode: Mode = .code
}

enum SyntaxHighlighter {
    private static func q(_ o: String, _ c: String? = nil, multiline: Bool = false, escapes: Bool = true) -> Syntax.Quote {
        Syntax.Quote(open: o, close: c ?? o, multiline: multiline, escapes: escapes)
    }
    private static func words(_ s: String) -> Set<String> { Set(s.split(separator: " ").map(String.init)) }

    /// The languages, one table each (names are fence info strings and file extensions).
    static let languages: [Syntax] = [
        Syntax(names: ["swift"],
               keywords: words("associatedtype class deinit enum extension fileprivate func import init inout internal let open operator private precedencegroup protocol public rethrows static struct subscript typealias var break case catch continue default defer do else fallthrough for guard if in repeat return throw switch where while as false is nil self super throws true try await async actor some any nonisolated isolated consuming borrowing mutating nonmutating override final lazy weak unowned convenience required dynamic indirect get set willSet didSet macro package sending"),
               types: words("Self Int Double Float String Bool Character"),
               lineComments: ["//"], blockComment: ("/*", "*/", true),
               quotes: [q("#\"\"\"", "\"\"\"#", multiline: true, escapes: false), q("\"\"\"", multiline: true), q("#\"", "\"#", escapes: false), q("\"")]),
        Syntax(names: ["python", "py", "python3", "py3", "pyi", "pyw"],
               keywords: words("False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case self"),
               types: words("int float str bool bytes list dict set tuple object type"),
               lineComments: ["#"],
               quotes: [q("\"\"\"", multiline: true), q("'''", multiline: true), q("\""), q("'")]),
        Syntax(names: ["c", "h", "cpp", "c++", "cc", "cxx", "hpp", "hh", "hxx", "objc", "objective-c", "m", "mm", "cu", "cuda", "ino"],
               keywords: words("auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while alignas alignof bool catch class constexpr consteval constinit const_cast decltype delete dynamic_cast explicit export false friend mutable namespace new noexcept nullptr operator private protected public reinterpret_cast static_assert static_cast template this thread_local throw true try typeid typename using virtual override final co_await co_return co_yield concept requires NULL"),
               types: words("size_t ssize_t ptrdiff_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t uintptr_t intptr_t wchar_t char8_t char16_t char32_t FILE std string vector map"),
               lineComments: ["//"], blockComment: ("/*", "*/", false),
               quotes: [q("\""), q("'")]),
        Syntax(names: ["javascript", "js", "jsx", "mjs", "cjs", "typescript", "ts", "tsx", "mts", "cts"],
               keywords: words("async await break case catch class const continue debugger default delete do else export extends false finally for from function if import in instanceof let new null of return static super switch this throw true try typeof undefined var void while with yield as implements interface package private protected public readonly type enum declare namespace abstract keyof infer is satisfies"),
               types: words("string number boolean any unknown never object symbol bigint void"),
               lineComments: ["//"], blockComment: ("/*", "*/", false),
               quotes: [q("`", multiline: true), q("\""), q("'")], sigils: []),
        Syntax(names: ["rust", "rs"],
               keywords: words("as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self static struct super trait true type unsafe use where while yield macro_rules"),
               types: words("Self i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool char str"),
               lineComments: ["//"], blockComment: ("/*", "*/", true),
               quotes: [q("r#\"", "\"#", multiline: true, escapes: false), q("\"", multiline: true), q("'")], shortSingleQuote: true),
        Syntax(names: ["go", "golang"],
               keywords: words("break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var true false nil iota"),
               types: words("bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr any"),
               lineComments: ["//"], blockComment: ("/*", "*/", false),
               quotes: [q("`", multiline: true, escapes: false), q("\""), q("'")]),
        Syntax(names: ["sh", "bash", "shell", "zsh", "ksh", "console", "shellsession", "bat", "ps1", "fish"],
               keywords: words("if then else elif fi case esac for while until do done in function return local export readonly declare set unset shift exit break continue source alias echo cd eval exec trap true false"),
               capitalTypes: false, lineComments: ["#"],
               quotes: [q("\"", multiline: true), q("'", multiline: true, escapes: false)], sigils: ["$"]),
        Syntax(names: ["json", "jsonc", "json5", "geojson", "jsonl", "ndjson"],
               keywords: words("true false null"), capitalTypes: false, lineComments: ["//"], blockComment: ("/*", "*/", false),
               quotes: [q("\"")]),
        Syntax(names: ["yaml", "yml", "toml", "ini", "conf", "cfg"],
               keywords: words("true false null yes no on off"), capitalTypes: false, lineComments: ["#", ";"],
               quotes: [q("\""), q("'", escapes: false)], keysBeforeColon: true),
        Syntax(names: ["markdown", "md", "mdown", "mkd"], capitalTypes: false, mode: .markdown),
        Syntax(names: ["diff", "patch", "udiff"], capitalTypes: false, mode: .diff),
    ]

    private static let byName: [String: Int] = {
        var d: [String: Int] = [:]
        for (i, l) in languages.enumerated() { for n in l.names { d[n] = i } }
        return d
    }()

    /// The language of a fence's info string ("swift", "Python", "{.rust}"); nil when it is not one we know.
    static func syntax(named name: String) -> Syntax? {
        let n = name.lowercased().trimming("{}. ")
        return byName[n].map { languages[$0] }
    }

    /// The language of a file by its extension.
    static func syntax(forPath path: String) -> Syntax? {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return nil }
        return syntax(named: String(file[file.index(after: dot)...]))
    }

    // MARK: Lexer

    /// One line (no newline) as runs of kinds, from and to the state at the line's ends.
    static func tokens(_ line: String, _ syn: Syntax, _ st: inout HighlightState) -> [(String, TokenKind)] {
        switch syn.mode {
        case .diff: return diffTokens(line)
        case .markdown: return markdownTokens(line)
        case .code: break
        }
        let c = Array(line)
        var out: [(String, TokenKind)] = []
        func add(_ s: String, _ k: TokenKind) {
            guard !s.isEmpty else { return }
            if let l = out.last, l.1 == k { out[out.count - 1].0 += s } else { out.append((s, k)) }
        }
        func at(_ i: Int, _ s: String) -> Bool {
            var j = i
            for ch in s { guard j < c.count, c[j] == ch else { return false }; j += 1 }
            return true
        }
        var i = 0
        // A construct carried over from the line before.
        func continueComment() {
            guard let bc = syn.blockComment else { st.commentDepth = 0; return }
            let start = i
            while i < c.count, st.commentDepth > 0 {
                if at(i, bc.close) { st.commentDepth -= 1; i += bc.close.count; continue }
                if bc.nests, at(i, bc.open) { st.commentDepth += 1; i += bc.open.count; continue }
                i += 1
            }
            add(String(c[start..<i]), .comment)
        }
        func continueString() {
            guard let close = st.stringClose else { return }
            let start = i
            while i < c.count {
                if st.stringEscapes, c[i] == "\\" { i += 2; continue }
                if at(i, close) { i += close.count; st.stringClose = nil; break }
                i += 1
            }
            i = min(i, c.count)
            add(String(c[start..<i]), .string)
        }
        if st.commentDepth > 0 { continueComment() }
        if st.stringClose != nil { continueString() }
        let lineStartKey = syn.keysBeforeColon ? yamlKeyEnd(c) : nil
        if let k = lineStartKey, i == 0 { add(String(c[0..<k]), .keyword); i = k }
        while i < c.count {
            let ch = c[i]
            if let lc = syn.lineComments.first(where: { at(i, $0) }), lc != "#" || i == 0 || c[i - 1].isWhitespace {
                add(String(c[i...]), .comment); break
            }
            if let bc = syn.blockComment, at(i, bc.open) {
                st.commentDepth = 1; add(bc.open, .comment); i += bc.open.count
                continueComment(); continue
            }
            if let qd = syn.quotes.first(where: { at(i, $0.open) }) {
                if syn.shortSingleQuote, qd.open == "'" {
                    // 'a' or '\n' is a character; 'a alone is a lifetime.
                    let len = i + 1 < c.count && c[i + 1] == "\\" ? 4 : 3
                    if !(i + len - 1 < c.count && c[i + len - 1] == "'") { add("'", .plain); i += 1; continue }
                }
                add(qd.open, .string); i += qd.open.count
                st.stringClose = qd.close; st.stringEscapes = qd.escapes
                continueString()
                if !qd.multiline { st.stringClose = nil }
                continue
            }
            if syn.sigils.contains(ch), i + 1 < c.count, c[i + 1].isLetter || c[i + 1] == "_" || c[i + 1] == "{" {
                var j = i + 1
                if c[j] == "{" { while j < c.count, c[j] != "}" { j += 1 }; j = min(c.count, j + 1) }
                else { while j < c.count, c[j].isLetter || c[j].isNumber || c[j] == "_" { j += 1 } }
                add(String(c[i..<j]), .type); i = j; continue
            }
            let prevIdent = i > 0 && (c[i - 1].isLetter || c[i - 1].isNumber || c[i - 1] == "_")
            if !prevIdent, ch.isASCII, ch.isNumber || (ch == "." && i + 1 < c.count && c[i + 1].isASCII && c[i + 1].isNumber) {
                var j = i + 1
                while j < c.count {
                    let d = c[j]
                    if d.isASCII && (d.isHexDigit || d == "_" || d == "x" || d == "X" || d == "o" || d == "b") { j += 1; continue }
                    if d == ".", j + 1 < c.count, c[j + 1].isASCII, c[j + 1].isNumber { j += 1; continue }
                    if (d == "+" || d == "-"), c[j - 1] == "e" || c[j - 1] == "E" { j += 1; continue }
                    break
                }
                add(String(c[i..<j]), .number); i = j; continue
            }
            if ch.isLetter || ch == "_" || (ch == "@" || ch == "#") && i + 1 < c.count && c[i + 1].isLetter && syn.capitalTypes {
                var j = i + 1
                while j < c.count, c[j].isLetter || c[j].isNumber || c[j] == "_" { j += 1 }
                let w = String(c[i..<j])
                let kind: TokenKind = prevIdent ? .plain
                    : syn.keywords.contains(w) ? .keyword
                    : syn.types.contains(w) || (syn.capitalTypes && w.first!.isUppercase && w.count > 1) ? .type
                    : (w.first == "@" || w.first == "#") ? .keyword : .plain
                add(w, kind); i = j; continue
            }
            add(String(ch), .plain); i += 1
        }
        return out
    }

    /// `key:` at the start of a YAML/TOML line: the index after the key.
    private static func yamlKeyEnd(_ c: [Character]) -> Int? {
        var i = 0
        while i < c.count, c[i] == " " || c[i] == "-" { i += 1 }
        let s = i
        while i < c.count, c[i].isLetter || c[i].isNumber || "_-.".contains(c[i]) { i += 1 }
        if i > s, i < c.count, c[i] == ":" || c[i] == "=" { return i }
        if i > s, i + 1 < c.count, c[i] == " ", c[i + 1] == "=" { return i }
        return nil
    }

    private static func diffTokens(_ l: String) -> [(String, TokenKind)] {
        if l.hasPrefix("+++") || l.hasPrefix("---") || l.hasPrefix("diff ") || l.hasPrefix("index ") { return [(l, .keyword)] }
        if l.hasPrefix("@@") { return [(l, .hunk)] }
        if l.hasPrefix("+") { return [(l, .inserted)] }
        if l.hasPrefix("-") { return [(l, .removed)] }
        return [(l, .plain)]
    }

    private static func markdownTokens(_ l: String) -> [(String, TokenKind)] {
        let t = l.drop(while: { $0 == " " })
        if t.hasPrefix("#") { return [(l, .keyword)] }
        if t.hasPrefix(">") { return [(l, .comment)] }
        var out: [(String, TokenKind)] = []
        var rest = Substring(l)
        if let m = MDBlockParser.listMarker(l) { out.append((String(l.prefix(m.contentColumn)), .number)); rest = l.dropFirst(m.contentColumn) }
        // `code` spans as strings, the rest plain.
        var inCode = false, cur = ""
        for ch in rest {
            if ch == "`" {
                if inCode { cur.append(ch); out.append((cur, .string)); cur = "" } else { if !cur.isEmpty { out.append((cur, .plain)) }; cur = String(ch) }
                inCode.toggle(); continue
            }
            cur.append(ch)
        }
        if !cur.isEmpty { out.append((cur, .plain)) }
        return out
    }

    // MARK: Styles

    static func slot(_ k: TokenKind) -> ThemeSlot? {
        switch k {
        case .plain, .inserted: return nil
        case .keyword: return .keyword
        case .string: return .string
        case .comment: return .comment
        case .number: return .number
        case .type: return .type
        case .removed: return .error
        case .hunk: return .accent
        }
    }

    /// A line of code as styled spans: plain text in `base`, each token kind in its slot's colours on base's background.
    static func styled(_ line: String, _ syn: Syntax?, _ st: inout HighlightState, theme: Theme, base: Style) -> StyledLine {
        guard let syn else { return line.isEmpty ? [] : [Span(line, base)] }
        return tokens(line, syn, &st).map { text, kind in
            guard let s = slot(kind) else { return Span(text, kind == .inserted ? base.with(.bold) : base) }
            // Diff colours lend only their foreground (the high-contrast error slot is reversed).
            if s == .error || s == .accent { return Span(text, Style(fg: theme[s].fg, bg: base.bg, attrs: base.attrs)) }
            return Span(text, theme[s].on(base.bg))
        }
    }
}
