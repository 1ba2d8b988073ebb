// .gitignore rules for walking the workspace: per-folder files, `!` negation, folder-only patterns,
// anchored patterns, `*`, `?`, `[…]` and `**`; the last matching rule wins. `.git` is always skipped.
import Foundation

struct GitIgnoreRule {
    let pattern: [Unicode.Scalar]
    let negated: Bool
    let directoryOnly: Bool
    /// Contains a slash: matched against the path relative to the .gitignore's folder, not just the name.
    let anchored: Bool

    init?(line raw: String) {
        var line = raw
        if line.hasSuffix("\r") { line.removeLast() }
        while line.hasSuffix(" ") && !line.hasSuffix("\\ ") { line.removeLast() }
        if line.isEmpty || line.hasPrefix("#") { return nil }
        var neg = false
        if line.hasPrefix("!") { neg = true; line.removeFirst() } else if line.hasPrefix("\\") { line.removeFirst() }
        var dirOnly = false
        if line.hasSuffix("/") { dirOnly = true; while line.hasSuffix("/") { line.removeLast() } }
        guard !line.isEmpty else { return nil }
        anchored = line.contains("/")
        if line.hasPrefix("/") { line.removeFirst() }
        negated = neg; directoryOnly = dirOnly
        pattern = Array(line.unicodeScalars)
    }

    func matches(relative path: String, name: String, isDirectory: Bool) -> Bool {
        if directoryOnly && !isDirectory { return false }
        return Glob.match(pattern[...], Array((anchored ? path : name).unicodeScalars)[...])
    }
}

enum Glob {
    /// gitignore-style wildcard match; `*` and `?` never match `/`, `**` between slashes matches any folders.
    static func match(_ p: ArraySlice<Unicode.Scalar>, _ s: ArraySlice<Unicode.Scalar>) -> Bool {
        var p = p, s = s
        while let c = p.first {
            switch c {
            case "*":
                if p.dropFirst().first == "*" {
                    var rest = p.dropFirst(2)
                    if rest.isEmpty { return true }                  // trailing **: everything below
                    if rest.first == "/" {                            // **/ : zero or more folders
                        rest = rest.dropFirst()
                        if match(rest, s) { return true }
                        var t = s
                        while let i = t.firstIndex(of: "/") { t = t[(i + 1)...]; if match(rest, t) { return true } }
                        return false
                    }
                    for k in s.indices + [s.endIndex] where match(rest, s[k...]) { return true }
                    return false
                }
                let rest = p.dropFirst()
                var k = s.startIndex
                while true {
                    if match(rest, s[k...]) { return true }
                    if k == s.endIndex || s[k] == "/" { return false }
                    k = s.index(after: k)
                }
            case "?":
                guard let f = s.first, f != "/" else { return false }
                p = p.dropFirst(); s = s.dropFirst()
            case "[":
                guard let f = s.first, f != "/", let (ok, after) = bracket(p, f) else {
                    // An unclosed '[' is a literal.
                    guard s.first == "[" else { return false }
                    p = p.dropFirst(); s = s.dropFirst(); continue
                }
                guard ok else { return false }
                p = after; s = s.dropFirst()
            case "\\" where p.count > 1:
                let lit = p[p.index(after: p.startIndex)]
                guard s.first == lit else { return false }
                p = p.dropFirst(2); s = s.dropFirst()
            default:
                guard s.first == c else { return false }
                p = p.dropFirst(); s = s.dropFirst()
            }
        }
        return s.isEmpty
    }

    /// Matches one character against the class starting at p ("[...]"); nil when the class is not closed.
    static func bracket(_ p: ArraySlice<Unicode.Scalar>, _ ch: Unicode.Scalar) -> (Bool, ArraySlice<Unicode.Scalar>)? {
        var i = p.index(after: p.startIndex)
        var negate = false
        if i < p.endIndex, p[i] == "!" || p[i] == "^" { negate = true; i += 1 }
        var found = false, first = true
        while i < p.endIndex {
            let c = p[i]
            if c == "]" && !first { return (found != negate, p[(i + 1)...]) }
            first = false
            if i + 2 < p.endIndex, p[i + 1] == "-", p[i + 2] != "]" {
                if c.value <= ch.value && ch.value <= p[i + 2].value { found = true }
                i += 3
            } else {
                if c == ch { found = true }
                i += 1
            }
        }
        return nil
    }
}

/// The ignore rules in force in one folder: its parents' rules plus its own .gitignore.
struct IgnoreStack {
    /// (folder relative to the workspace root, rules from that folder's .gitignore)
    var levels: [(base: String, rules: [GitIgnoreRule])] = []

    func entering(_ dirReal: String, relative: String) -> IgnoreStack {
        var s = self
        if let text = try? String(contentsOfFile: dirReal + "/.gitignore", encoding: .utf8) {
            s.levels.append((relative == "." ? "" : relative, text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { GitIgnoreRule(line: String($0)) }))
        }
        return s
    }

    /// `relative` is the entry's path from the workspace root.
    func isIgnored(relative: String, isDirectory: Bool) -> Bool {
        let name = (relative as NSString).lastPathComponent
        if name == ".git" { return true }
        var ignored = false
        for level in levels {
            let sub: String
            if level.base.isEmpty { sub = relative } else if relative.hasPrefix(level.base + "/") { sub = String(relative.dropFirst(level.base.count + 1)) } else { continue }
            for r in level.rules where r.matches(relative: sub, name: name, isDirectory: isDirectory) { ignored = !r.negated }
        }
        return ignored
    }
}
