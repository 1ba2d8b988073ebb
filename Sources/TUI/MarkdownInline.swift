// Markdown inlines (CommonMark with GFM ~~strikethrough~~ and bare URLs): code spans, emphasis by the
// spec's delimiter-run rules, links, images, autolinks, escapes, entities, hard and soft breaks.

indirect enum MDInline: Equatable, Sendable {
    case text(String)
    case code(String)
    case emph([MDInline])
    case strong([MDInline])
    case strike([MDInline])
    case link(url: String, title: String?, [MDInline])
    case image(url: String, title: String?, [MDInline])
    /// Inline HTML, kept as it was typed.
    case html(String)
    case softBreak
    case hardBreak

    /// The text a reader sees (images: their description).
    var plain: String {
        switch self {
        case .text(let s), .code(let s), .html(let s): return s
        case .emph(let c), .strong(let c), .strike(let c), .link(_, _, let c), .image(_, _, let c): return c.map(\.plain).joined()
        case .softBreak, .hardBreak: return "\n"
        }
    }
}

struct MDInlineParser {
    private enum Tok {
        case inl(MDInline)
        case delim(char: Character, count: Int, open: Bool, close: Bool, orig: Int)
        case bracket(image: Bool, active: Bool)
    }

    let chars: [Character]
    let refs: MDRefs
    private var toks: [Tok] = []
    private var brackets: [Int] = []   // indexes of .bracket in toks
    private var text = ""

    static func parse(_ s: String, refs: MDRefs = [:]) -> [MDInline] {
        var p = MDInlineParser(chars: Array(s), refs: refs)
        return p.run()
    }

    private init(chars: [Character], refs: MDRefs) { self.chars = chars; self.refs = refs }

    private mutating func flushText() { if !text.isEmpty { toks.append(.inl(.text(text))); text = "" } }
    private mutating func emit(_ i: MDInline) { flushText(); toks.append(.inl(i)) }

    private mutating func run() -> [MDInline] {
        var i = 0
        let n = chars.count
        while i < n {
            let c = chars[i]
            switch c {
            case "\\":
                if i + 1 < n, chars[i + 1] == "\n" { trimTrailingSpaces(); emit(.hardBreak); i += 2; skipSpaces(&i); continue }
                if i + 1 < n, Self.isASCIIPunct(chars[i + 1]) { text.append(chars[i + 1]); i += 2; continue }
                text.append(c); i += 1
            case "`":
                var k = i
                while k < n, chars[k] == "`" { k += 1 }
                let run = k - i
                if let (content, end) = codeSpan(from: k, run: run) { emit(.code(content)); i = end }
                else { text += String(repeating: "`", count: run); i = k }
            case "*", "_", "~":
                var k = i
                while k < n, chars[k] == c { k += 1 }
                let count = k - i
                if c == "~", count != 2 { text += String(repeating: "~", count: count); i = k; continue }
                let before: Character = i > 0 ? chars[i - 1] : " ", after: Character = k < n ? chars[k] : " "
                let bWS = before.isWhitespace, aWS = after.isWhitespace
                let bP = Self.isPunct(before), aP = Self.isPunct(after)
                let left = !aWS && (!aP || bWS || bP)
                let right = !bWS && (!bP || aWS || aP)
                var open = left, close = right
                if c == "_" { open = left && (!right || bP); close = right && (!left || aP) }
                flushText()
                toks.append(.delim(char: c, count: count, open: open, close: close, orig: count))
                i = k
            case "!" where i + 1 < n && chars[i + 1] == "[":
                flushText(); brackets.append(toks.count); toks.append(.bracket(image: true, active: true)); i += 2
            case "[":
                flushText(); brackets.append(toks.count); toks.append(.bracket(image: false, active: true)); i += 1
            case "]":
                i = closeBracket(at: i)
            case "<":
                if let (node, end) = autolinkOrHTML(from: i) { emit(node); i = end } else { text.append(c); i += 1 }
            case "&":
                if let (s, end) = Self.entity(chars, i) { text += s; i = end } else { text.append(c); i += 1 }
            case "\n":
                var spaces = 0
                while text.last == " " { text.removeLast(); spaces += 1 }
                emit(spaces >= 2 ? .hardBreak : .softBreak)
                i += 1; skipSpaces(&i)
            case "h", "w", "H", "W":
                if let (url, shown, end) = bareURL(from: i) { emit(.link(url: url, title: nil, [.text(shown)])); i = end }
                else { text.append(c); i += 1 }
            default:
                text.append(c); i += 1
            }
        }
        flushText()
        return Self.emphasis(toks[...])
    }

    private mutating func trimTrailingSpaces() { while text.last == " " { text.removeLast() } }
    private func skipSpaces(_ i: inout Int) { while i < chars.count, chars[i] == " " { i += 1 } }

    /// A code span's content and the index after it, when a closing run of the same length follows.
    private func codeSpan(from k: Int, run: Int) -> (String, Int)? {
        var j = k
        while j < chars.count {
            if chars[j] == "`" {
                var e = j
                while e < chars.count, chars[e] == "`" { e += 1 }
                if e - j == run {
                    var s = String(chars[k..<j]).replacingAll("\n", " ")
                    if s.count >= 2, s.first == " ", s.last == " ", !s.allSatisfy({ $0 == " " }) { s = String(s.dropFirst().dropLast()) }
                    return (s, e)
                }
                j = e
            } else { j += 1 }
        }
        return nil
    }

    /// At "]": makes a link or image of what follows the matching "[" when a destination or known label follows.
    private mutating func closeBracket(at i: Int) -> Int {
        flushText()
        guard let oi = brackets.popLast(), case .bracket(let image, let active) = toks[oi] else { text.append("]"); return i + 1 }
        guard active else { toks[oi] = .inl(.text(image ? "![" : "[")); text.append("]"); return i + 1 }
        var p = i + 1
        var dest: (String, String?)? = nil
        if p < chars.count, chars[p] == "(" {
            p += 1
            dest = Self.linkTail(chars, &p, closing: ")")
        }
        if dest == nil {
            // Reference forms: [text][label], [label][], [label].
            let inner = Self.rawText(toks[(oi + 1)...])
            var label = inner
            p = i + 1
            if p < chars.count, chars[p] == "[", let close = chars[(p + 1)...].firstIndex(of: "]") {
                let l = String(chars[(p + 1)..<close])
                if !l.isEmpty { label = l }
                p = close + 1
            }
            if let r = refs[MDBlockParser.normalizeLabel(label)], !label.isEmpty { dest = (r.url, r.title) } else { p = i + 1; dest = nil }
        }
        guard let (url, title) = dest else { toks[oi] = .inl(.text(image ? "![" : "[")); text.append("]"); return i + 1 }
        let content = Self.emphasis(toks[(oi + 1)...])
        toks.removeSubrange(oi...)
        toks.append(.inl(image ? .image(url: url, title: title, content) : .link(url: url, title: title, content)))
        if !image {
            // No links inside links: earlier openers can no longer make one.
            for b in brackets { if case .bracket(let im, _) = toks[b], !im { toks[b] = .bracket(image: false, active: false) } }
        }
        return p
    }

    /// After "(" (or after "]:" in a definition): destination, optional title, then `closing`. p moves past it.
    static func linkTail(_ c: [Character], _ p: inout Int, closing: Character?) -> (String, String?)? {
        func ws() { while p < c.count, c[p] == " " || c[p] == "\t" || c[p] == "\n" { p += 1 } }
        ws()
        var url = ""
        if p < c.count, c[p] == "<" {
            p += 1
            while p < c.count, c[p] != ">" {
                if c[p] == "\n" || c[p] == "<" { return nil }
                if c[p] == "\\", p + 1 < c.count, isASCIIPunct(c[p + 1]) { p += 1 }
                url.append(c[p]); p += 1
            }
            guard p < c.count else { return nil }
            p += 1
        } else {
            var depth = 0
            while p < c.count, !c[p].isWhitespace, !(c[p].asciiValue.map { $0 < 0x20 } ?? false) {
                if c[p] == "\\", p + 1 < c.count, isASCIIPunct(c[p + 1]) { url.append(c[p + 1]); p += 2; continue }
                if c[p] == "(" { depth += 1 }
                if c[p] == ")" { if depth == 0 { break }; depth -= 1 }
                if c[p] == "&", let (s, e) = entity(c, p) { url += s; p = e; continue }
                url.append(c[p]); p += 1
            }
            if depth != 0 { return nil }
            if closing == nil, url.isEmpty { return nil }
        }
        let beforeTitle = p
        ws()
        var title: String? = nil
        if p < c.count, p > beforeTitle || url.isEmpty, let open = Optional(c[p]), open == "\"" || open == "'" || open == "(" {
            let close: Character = open == "(" ? ")" : open
            var q = p + 1, t = ""
            while q < c.count, c[q] != close {
                if c[q] == "\\", q + 1 < c.count, isASCIIPunct(c[q + 1]) { q += 1 }
                else if c[q] == "&", let (s, e) = entity(c, q) { t += s; q = e; continue }
                t.append(c[q]); q += 1
            }
            if q < c.count { title = t; p = q + 1; ws() } else if closing != nil { return nil }
        }
        if let cl = closing {
            guard p < c.count, c[p] == cl else { return nil }
            p += 1
        }
        return (url, title)
    }

    /// `<scheme:...>`, `<user@host>` or an inline HTML tag starting at i.
    private func autolinkOrHTML(from i: Int) -> (MDInline, Int)? {
        guard let close = chars[(i + 1)...].firstIndex(of: ">") else { return nil }
        let inner = String(chars[(i + 1)..<close])
        if !inner.contains(where: { $0 == " " || $0 == "<" || $0 == "\n" }) {
            let scheme = inner.prefix(while: { $0 != ":" })
            if scheme.count >= 2, scheme.count <= 32, inner.count > scheme.count, scheme.first!.isLetter,
               scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) }) {
                return (.link(url: inner, title: nil, [.text(inner)]), close + 1)
            }
            if let at = inner.firstIndex(of: "@"), at > inner.startIndex, inner[inner.index(after: at)...].contains("."),
               inner.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".!#$%&'*+/=?^_`{|}~-@".contains($0)) }) {
                return (.link(url: "mailto:" + inner, title: nil, [.text(inner)]), close + 1)
            }
        }
        // An HTML tag: <name ...>, </name>, <!-- ... -->.
        let body = inner.hasPrefix("/") ? inner.dropFirst() : Substring(inner)
        let name = body.prefix(while: { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        let after = body.dropFirst(name.count).first
        if let f = body.first, f.isASCII, f.isLetter, after == nil || after!.isWhitespace || after == "/" {
            return (.html("<" + inner + ">"), close + 1)
        }
        if inner.hasPrefix("!--"), inner.hasSuffix("--") { return (.html("<" + inner + ">"), close + 1) }
        return nil
    }

    /// A bare URL (GFM's extended autolink): http://, https:// or www. after a space or line start.
    private func bareURL(from i: Int) -> (String, String, Int)? {
        if i > 0, !(chars[i - 1].isWhitespace || "*_~(".contains(chars[i - 1])) { return nil }
        let rest = String(chars[i..<min(chars.count, i + 8)]).lowercased()
        let www = rest.hasPrefix("www.")
        guard www || rest.hasPrefix("http://") || rest.hasPrefix("https://") else { return nil }
        var e = i
        while e < chars.count, !chars[e].isWhitespace, chars[e] != "<" { e += 1 }
        // Trailing punctuation and an unmatched ")" are not part of the address.
        while e > i {
            let l = chars[e - 1]
            if "?!.,:*_~'\"".contains(l) { e -= 1; continue }
            if l == ")" {
                let s = chars[i..<e]
                if s.filter({ $0 == ")" }).count > s.filter({ $0 == "(" }).count { e -= 1; continue }
            }
            break
        }
        let shown = String(chars[i..<e])
        guard shown.contains("."), shown.count > (www ? 4 : 8) else { return nil }
        return (www ? "http://" + shown : shown, shown, e)
    }

    // MARK: Emphasis (the spec's "process emphasis" over a run of tokens)

    private static func emphasis(_ slice: ArraySlice<Tok>) -> [MDInline] {
        var t = Array(slice)
        var c = 0
        // Below these indexes no opener was found for a closer of this kind (the spec's openers_bottom), so
        // a run of unmatched closers costs linear time, not quadratic.
        var floors: [String: Int] = [:]
        while c < t.count {
            guard case .delim(let ch, let n, let cOpen, let cClose, let cOrig) = t[c], cClose else { c += 1; continue }
            let kind = "\(ch)\(cOrig % 3)\(cOpen)"
            var o = c - 1, found: (Int, Int)? = nil
            while o > floors[kind, default: -1] {
                if case .delim(let ch2, let n2, let oOpen, let oClose, let oOrig) = t[o], ch2 == ch, oOpen {
                    let oddMatch = ch != "~" && (oClose || cOpen) && (oOrig + cOrig) % 3 == 0 && !(oOrig % 3 == 0 && cOrig % 3 == 0)
                    if !oddMatch, ch != "~" || (n2 == 2 && n == 2) { found = (o, n2); break }
                }
                o -= 1
            }
            guard let (oi, on) = found else { floors[kind] = c - 1; c += 1; continue }
            for (k, f) in floors where f >= oi { floors[k] = oi - 1 }
            let use = ch == "~" ? 2 : (n >= 2 && on >= 2 ? 2 : 1)
            let inner = inlines(t[(oi + 1)..<c])
            let node: MDInline = ch == "~" ? .strike(inner) : use == 2 ? .strong(inner) : .emph(inner)
            var repl: [Tok] = []
            if case .delim(_, _, let oo, let oc, let oOrig) = t[oi], on - use > 0 { repl.append(.delim(char: ch, count: on - use, open: oo, close: oc, orig: oOrig)) }
            repl.append(.inl(node))
            let closerLeft = n - use
            if closerLeft > 0 { repl.append(.delim(char: ch, count: closerLeft, open: cOpen, close: cClose, orig: cOrig)) }
            t.replaceSubrange(oi...c, with: repl)
            c = oi + repl.count - (closerLeft > 0 ? 1 : 0)
        }
        return inlines(t[...])
    }

    /// Tokens as inlines: unmatched delimiters and brackets become text; adjacent texts merge.
    private static func inlines(_ ts: ArraySlice<Tok>) -> [MDInline] {
        var out: [MDInline] = []
        var text = ""
        for t in ts {
            switch t {
            case .inl(.text(let s)): text += s
            case .inl(let i):
                if !text.isEmpty { out.append(.text(text)); text = "" }
                out.append(i)
            case .delim(let ch, let n, _, _, _): text += String(repeating: ch, count: n)
            case .bracket(let image, _): text += image ? "![" : "["
            }
        }
        if !text.isEmpty { out.append(.text(text)) }
        return out
    }

    private static func rawText(_ ts: ArraySlice<Tok>) -> String { inlines(ts).map(\.plain).joined() }

    // MARK: Characters

    static func isASCIIPunct(_ c: Character) -> Bool { c.isASCII && "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".contains(c) }
    static func isPunct(_ c: Character) -> Bool { c.isPunctuation || c.isSymbol || isASCIIPunct(c) }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "copy": "©", "reg": "®",
        "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–", "laquo": "«", "raquo": "»", "ldquo": "“", "rdquo": "”",
        "lsquo": "‘", "rsquo": "’", "middot": "·", "times": "×", "divide": "÷", "deg": "°", "plusmn": "±", "larr": "←",
        "rarr": "→", "uarr": "↑", "darr": "↓", "harr": "↔", "le": "≤", "ge": "≥", "ne": "≠", "infin": "∞", "euro": "€",
        "pound": "£", "yen": "¥", "cent": "¢", "sect": "§", "para": "¶", "bull": "•", "auml": "ä", "ouml": "ö", "uuml": "ü",
        "Auml": "Ä", "Ouml": "Ö", "Uuml": "Ü", "szlig": "ß", "eacute": "é", "egrave": "è", "aacute": "á", "agrave": "à",
        "ccedil": "ç", "ntilde": "ñ", "frac12": "½", "frac14": "¼", "frac34": "¾", "check": "✓",
    ]

    /// `&name;`, `&#123;` or `&#x1F;` at i: the character and the index after it.
    static func entity(_ c: [Character], _ i: Int) -> (String, Int)? {
        guard let semi = c[i...].prefix(34).firstIndex(of: ";"), semi > i + 1 else { return nil }
        let body = String(c[(i + 1)..<semi])
        if body.hasPrefix("#") {
            let hex = body.dropFirst().first.map { $0 == "x" || $0 == "X" } ?? false
            let digits = body.dropFirst(hex ? 2 : 1)
            guard !digits.isEmpty, digits.count <= (hex ? 6 : 7), let v = UInt32(digits, radix: hex ? 16 : 10) else { return nil }
            let scalar = v == 0 ? nil : Unicode.Scalar(v)
            return (String(Character(scalar ?? "\u{FFFD}")), semi + 1)
        }
        guard let s = namedEntities[body] else { return nil }
        return (s, semi + 1)
    }
}

extension String {
    func replacingAll(_ a: Character, _ b: Character) -> String { String(map { $0 == a ? b : $0 }) }
}
