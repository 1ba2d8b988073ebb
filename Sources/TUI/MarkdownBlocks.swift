// Markdown's block structure (CommonMark with GFM tables and task items): each container (quote, list
// item) collects its lines and parses them again. HTML blocks and multi-line link definitions are text.

enum MDAlign: Equatable, Sendable { case none, left, center, right }

indirect enum MDBlock: Equatable, Sendable {
    case paragraph(String)
    case heading(Int, String)
    case rule
    /// `closed`: a fenced block whose closing fence has arrived (an indented block is always closed).
    case code(info: String, lines: [String], fenced: Bool, closed: Bool)
    case quote([MDBlock])
    case list(MDList)
    case table(MDTable)
    /// One or more blank lines between two blocks (drawn as one empty row; not a CommonMark node).
    case blank
}

struct MDList: Equatable, Sendable {
    var ordered: Bool
    var start: Int
    var tight: Bool
    var items: [MDItem]
}

struct MDItem: Equatable, Sendable {
    /// nil: not a task item; else whether it is checked.
    var task: Bool?
    var blocks: [MDBlock]
}

struct MDTable: Equatable, Sendable {
    var aligns: [MDAlign]
    var header: [String]
    var rows: [[String]]
}

/// Link reference definitions (`[label]: url "title"` on one line), by normalized label.
typealias MDRefs = [String: (url: String, title: String?)]

enum MDBlockParser {
    /// Parses a document (lines without their newlines) into blocks and its link definitions.
    static func parse(_ text: String, refs known: MDRefs = [:]) -> (blocks: [MDBlock], refs: MDRefs) {
        var refs = known
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { expandTabs(String($0)) }
        let blocks = parse(lines, refs: &refs)
        return (blocks, refs)
    }

    static func parse(_ lines: [String], refs: inout MDRefs) -> [MDBlock] {
        var out: [MDBlock] = []
        var para: [String] = []
        var i = 0
        func flush() {
            guard !para.isEmpty else { return }
            var ls = para[...]
            while let f = ls.first, let (label, url, title) = refDefinition(f) {
                if refs[label] == nil { refs[label] = (url, title) }
                ls = ls.dropFirst()
            }
            if !ls.isEmpty {
                var t = ls.joined(separator: "\n")
                while let l = t.last, l == " " { t.removeLast() }
                out.append(.paragraph(t))
            }
            para = []
        }
        func blank() {
            flush()
            if let l = out.last, l != .blank { out.append(.blank) }
        }
        while i < lines.count {
            let line = lines[i]
            if isBlank(line) { blank(); i += 1; continue }
            let ind = indent(line)
            if ind >= 4 {
                if !para.isEmpty { para.append(String(line.dropFirst(ind))); i += 1; continue }
                var code: [String] = []
                while i < lines.count, isBlank(lines[i]) || indent(lines[i]) >= 4 { code.append(dropIndent(lines[i], 4)); i += 1 }
                var back = 0
                while let l = code.last, isBlank(l) { code.removeLast(); back += 1 }
                i -= back
                out.append(.code(info: "", lines: code, fenced: false, closed: true))
                continue
            }
            let s = String(line.dropFirst(ind))
            if let f = fenceOpen(s) {
                flush(); i += 1
                var code: [String] = [], closed = false
                while i < lines.count {
                    let l = lines[i], li = indent(l)
                    if li < 4, isFenceClose(String(l.dropFirst(li)), f.char, f.count) { i += 1; closed = true; break }
                    code.append(dropIndent(l, min(li, ind))); i += 1
                }
                out.append(.code(info: f.info, lines: code, fenced: true, closed: closed))
                continue
            }
            if let (level, text) = atxHeading(s) { flush(); out.append(.heading(level, text)); i += 1; continue }
            if !para.isEmpty, let level = setextLevel(s) {
                let before = out.count
                flush()
                // A paragraph made only of link definitions has no text to underline.
                if out.count > before, case .paragraph(let t)? = out.last { out[out.count - 1] = .heading(level, t); i += 1; continue }
            }
            if isRule(s) { flush(); out.append(.rule); i += 1; continue }
            if s.hasPrefix(">") {
                flush()
                var inner: [String] = []
                var lazy = false
                while i < lines.count {
                    let l = lines[i], li = indent(l)
                    if li < 4, l.dropFirst(li).hasPrefix(">") {
                        var rest = l.dropFirst(li + 1)
                        if rest.first == " " { rest = rest.dropFirst() }
                        inner.append(String(rest))
                        lazy = !isBlank(String(rest)) && indent(String(rest)) < 4 && !opensFence(inner)
                        i += 1
                    } else if lazy, !isBlank(l), !interruptsParagraph(l) {
                        inner.append(String(l.dropFirst(li))); i += 1
                    } else { break }
                }
                out.append(.quote(parse(inner, refs: &refs)))
                continue
            }
            if let m = listMarker(line), para.isEmpty || m.canInterrupt {
                flush()
                out.append(.list(parseList(lines, &i, first: m, refs: &refs)))
                continue
            }
            if !para.isEmpty, let aligns = delimiterRow(s), let header = para.last.map(splitRow), header.count == aligns.count,
               para.last!.contains("|") || s.contains("|") {
                para.removeLast()
                flush()
                var rows: [[String]] = []
                i += 1
                while i < lines.count, !isBlank(lines[i]), !interruptsParagraph(lines[i]) {
                    let cells = splitRow(String(lines[i].dropFirst(min(indent(lines[i]), 3))))
                    rows.append((0..<aligns.count).map { $0 < cells.count ? cells[$0] : "" })
                    i += 1
                }
                out.append(.table(MDTable(aligns: aligns, header: header, rows: rows)))
                continue
            }
            para.append(s)
            i += 1
        }
        flush()
        while out.last == .blank { out.removeLast() }
        while out.first == .blank { out.removeFirst() }
        return out
    }

    // MARK: Lists

    struct Marker {
        var ordered: Bool
        var char: Character      // bullet, or "." / ")" after the number
        var number: Int
        var indent: Int          // columns before the marker
        var contentColumn: Int   // where the item's text starts
        var firstLine: String    // the text after the marker
        var canInterrupt: Bool   // may end a paragraph (not empty; an ordered one starts at 1)
        func sameList(_ o: Marker) -> Bool { ordered == o.ordered && char == o.char }
    }

    static func listMarker(_ line: String) -> Marker? {
        let ind = indent(line)
        guard ind < 4 else { return nil }
        let s = line.dropFirst(ind)
        var ordered = false, char: Character = "-", number = 0, width = 0
        if let c = s.first, c == "-" || c == "*" || c == "+" {
            char = c; width = 1
        } else {
            let digits = s.prefix(while: { $0.isASCII && $0.isNumber })
            guard (1...9).contains(digits.count), let d = s.dropFirst(digits.count).first, d == "." || d == ")" else { return nil }
            ordered = true; char = d; number = Int(digits) ?? 0; width = digits.count + 1
        }
        let after = s.dropFirst(width)
        if let f = after.first, f != " " { return nil }
        let spaces = after.prefix(while: { $0 == " " }).count
        let rest = after.dropFirst(spaces)
        let emptyItem = rest.isEmpty
        let gap = emptyItem ? 1 : (spaces > 4 ? 1 : spaces)
        let first = emptyItem ? "" : String(after.dropFirst(gap))
        if !ordered, isRule(String(s)) { return nil }
        return Marker(ordered: ordered, char: char, number: number, indent: ind, contentColumn: ind + width + gap,
                      firstLine: first, canInterrupt: !emptyItem && (!ordered || number == 1))
    }

    static func parseList(_ lines: [String], _ i: inout Int, first: Marker, refs: inout MDRefs) -> MDList {
        var items: [MDItem] = []
        var tight = true
        var m = first
        while true {
            var itemLines = [m.firstLine]
            i += 1
            var lazy = !isBlank(m.firstLine)
            while i < lines.count {
                let l = lines[i]
                if isBlank(l) {
                    if itemLines.count == 1, isBlank(itemLines[0]) { break }   // an item opens with at most one blank line
                    itemLines.append(""); lazy = false; i += 1; continue
                }
                let li = indent(l)
                if li >= m.contentColumn { itemLines.append(dropIndent(l, m.contentColumn)); lazy = !opensFence(itemLines); i += 1; continue }
                if lazy, !interruptsParagraph(l), listMarker(l) == nil { itemLines.append(String(l.dropFirst(li))); i += 1; continue }
                break
            }
            var trailing = 0
            while itemLines.count > 1, let l = itemLines.last, isBlank(l) { itemLines.removeLast(); trailing += 1 }
            var task: Bool? = nil
            if let f = itemLines.first, f.count >= 3, f.hasPrefix("["), [" ", "x", "X"].contains(f.dropFirst().first), f.dropFirst(2).hasPrefix("]"),
               f.count == 3 || f.dropFirst(3).first == " " {
                task = f.dropFirst().first != " "
                itemLines[0] = String(f.dropFirst(4))
            }
            let blocks = parse(itemLines, refs: &refs)
            if blocks.contains(.blank) { tight = false }
            items.append(MDItem(task: task, blocks: blocks))
            var next = i
            while next < lines.count, isBlank(lines[next]) { next += 1 }
            if next < lines.count, let n = listMarker(lines[next]), n.sameList(first), !isRule(String(lines[next].dropFirst(n.indent))) {
                if trailing > 0 || next > i { tight = false }
                m = n
                i = next
                continue
            }
            i -= trailing   // the blank lines after the list separate it from what follows
            break
        }
        return MDList(ordered: first.ordered, start: first.number, tight: tight, items: items)
    }

    // MARK: Line tests

    static func isBlank<S: StringProtocol>(_ s: S) -> Bool { s.allSatisfy { $0 == " " || $0 == "\t" } }
    static func indent(_ s: String) -> Int { s.prefix(while: { $0 == " " }).count }
    static func dropIndent(_ s: String, _ n: Int) -> String { String(s.dropFirst(min(n, indent(s)))) }

    /// Tabs in a line's leading white space become spaces to the next multiple of 4 columns.
    static func expandTabs(_ s: String) -> String {
        guard s.contains("\t") else { return s }
        var out = "", col = 0, leading = true
        for c in s {
            if leading, c == "\t" { let n = 4 - col % 4; out += String(repeating: " ", count: n); col += n; continue }
            if c != " " && c != ">" { leading = false }
            out.append(c); col += 1
        }
        return out
    }

    static func fenceOpen(_ s: String) -> (char: Character, count: Int, info: String)? {
        guard let c = s.first, c == "`" || c == "~" else { return nil }
        let n = s.prefix(while: { $0 == c }).count
        guard n >= 3 else { return nil }
        let info = s.dropFirst(n).trimming(" \t")
        if c == "`", info.contains("`") { return nil }
        return (c, n, String(info.split(separator: " ").first ?? ""))
    }

    static func isFenceClose(_ s: String, _ c: Character, _ n: Int) -> Bool {
        let k = s.prefix(while: { $0 == c }).count
        return k >= n && isBlank(s.dropFirst(k))
    }

    /// Whether the lines collected so far end inside an open fence (a lazy line cannot continue a fence).
    static func opensFence(_ lines: [String]) -> Bool {
        var open: (Character, Int)? = nil
        for l in lines where indent(l) < 4 {
            let s = String(l.dropFirst(indent(l)))
            if let o = open { if isFenceClose(s, o.0, o.1) { open = nil } }
            else if let f = fenceOpen(s) { open = (f.char, f.count) }
        }
        return open != nil
    }

    static func atxHeading(_ s: String) -> (Int, String)? {
        let n = s.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(n) else { return nil }
        var rest = s.dropFirst(n)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        rest = Substring(rest.trimming(" \t"))
        // A closing run of # (after a space, or the whole content) is not part of the text.
        let closing = rest.reversed().prefix(while: { $0 == "#" }).count
        if closing > 0 {
            let before = rest.dropLast(closing)
            if before.isEmpty || before.last == " " || before.last == "\t" { rest = Substring(before.trimming(" \t")) }
        }
        return (n, String(rest))
    }

    static func setextLevel(_ s: String) -> Int? {
        guard let c = s.first, c == "=" || c == "-" else { return nil }
        let n = s.prefix(while: { $0 == c }).count
        guard isBlank(s.dropFirst(n)) else { return nil }
        return c == "=" ? 1 : 2
    }

    static func isRule(_ s: String) -> Bool {
        let t = s.drop(while: { $0 == " " })
        guard indent(s) < 4, let c = t.first, c == "-" || c == "*" || c == "_" else { return false }
        return t.allSatisfy { $0 == c || $0 == " " || $0 == "\t" } && t.filter({ $0 == c }).count >= 3
    }

    /// Whether a line starts a block that ends a paragraph (so it is not a lazy continuation line).
    static func interruptsParagraph(_ line: String) -> Bool {
        let ind = indent(line)
        guard ind < 4 else { return false }
        let s = String(line.dropFirst(ind))
        if fenceOpen(s) != nil || atxHeading(s) != nil || isRule(s) || s.hasPrefix(">") { return true }
        if let m = listMarker(line), m.canInterrupt { return true }
        return false
    }

    // MARK: Tables

    /// The cells of a table row: split at unescaped pipes outside code spans, outer pipes optional.
    static func splitRow(_ s: String) -> [String] {
        var t = Substring(s.trimming(" \t"))
        if t.hasPrefix("|") { t = t.dropFirst() }
        if t.hasSuffix("|"), !t.hasSuffix("\\|") { t = t.dropLast() }
        // As GFM: only "\|" is special here (a pipe in the cell, even inside a code span); other escapes stay for the inlines.
        var cells: [String] = [], cur = ""
        var chars = Array(t)[...]
        while let c = chars.popFirst() {
            if c == "\\", chars.first == "|" { chars.removeFirst(); cur.append("|"); continue }
            if c == "|" { cells.append(cur.trimming(" \t")); cur = ""; continue }
            cur.append(c)
        }
        cells.append(cur.trimming(" \t"))
        return cells
    }

    static func delimiterRow(_ s: String) -> [MDAlign]? {
        let cells = splitRow(s)
        guard !cells.isEmpty else { return nil }
        var aligns: [MDAlign] = []
        for c in cells {
            let left = c.hasPrefix(":"), right = c.hasSuffix(":") && c.count > 1
            let dashes = c.dropFirst(left ? 1 : 0).dropLast(right ? 1 : 0)
            guard !dashes.isEmpty, dashes.allSatisfy({ $0 == "-" }) else { return nil }
            aligns.append(left && right ? .center : left ? .left : right ? .right : .none)
        }
        return aligns
    }

    // MARK: Link definitions

    /// `[label]: destination "title"` on one line.
    static func refDefinition(_ line: String) -> (String, String, String?)? {
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]"), line[close...].hasPrefix("]:") else { return nil }
        let label = String(line[line.index(after: line.startIndex)..<close])
        guard !label.trimming(" ").isEmpty, !label.contains("[") else { return nil }
        let rest = Array(line[line.index(close, offsetBy: 2)...])
        var p = 0
        guard let (url, title) = MDInlineParser.linkTail(rest, &p, closing: nil), MDBlockParser.isBlank(String(rest[p...])) else { return nil }
        return (normalizeLabel(label), url, title)
    }

    static func normalizeLabel(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
    }
}
