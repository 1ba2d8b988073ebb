// A unified diff of two texts by lines (longest common subsequence on the changed middle), to show
// the user what write_file and edit_file will do.
import Foundation

public enum TextDiff {
    /// The approval panel's view of a unified diff: its lines added and removed, counted.
    public static func preview(_ unified: String, path: String, isNew: Bool) -> ToolPreview {
        var added = 0, removed = 0
        for l in lines(unified) where !l.hasPrefix("+++ ") && !l.hasPrefix("--- ") {
            if l.hasPrefix("+") { added += 1 } else if l.hasPrefix("-") { removed += 1 }
        }
        return .diff(path: path, isNew: isNew, unified: unified, added: added, removed: removed)
    }

    /// `--- a/path` / `+++ b/path` and hunks with `context` lines around each change; "" when equal.
    public static func unified(old: String, new: String, path: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        if a == b { return "" }
        // ops: (kind, line) with kind " ", "-", "+"
        var pre = 0
        while pre < a.count, pre < b.count, a[pre] == b[pre] { pre += 1 }
        var suf = 0
        while suf < a.count - pre, suf < b.count - pre, a[a.count - 1 - suf] == b[b.count - 1 - suf] { suf += 1 }
        let am = Array(a[pre..<(a.count - suf)]), bm = Array(b[pre..<(b.count - suf)])
        var ops: [(Character, String)] = a[..<pre].map { (" ", $0) }
        ops += middle(am, bm)
        ops += a[(a.count - suf)...].map { (" ", $0) }

        var out = "--- a/\(path)\n+++ b/\(path)\n"
        var i = 0
        while i < ops.count {
            guard ops[i].0 != " " else { i += 1; continue }
            // A hunk: from `context` lines before this change to `context` lines after the last change close by.
            let start = max(0, i - context)
            var end = i
            var j = i
            while j < ops.count {
                if ops[j].0 != " " { end = j; j += 1; continue }
                if j - end > 2 * context { break }
                j += 1
            }
            let stop = min(ops.count, end + context + 1)
            var oldLine = 1, newLine = 1
            for k in 0..<start { if ops[k].0 != "+" { oldLine += 1 }; if ops[k].0 != "-" { newLine += 1 } }
            let slice = ops[start..<stop]
            let oldCount = slice.filter { $0.0 != "+" }.count, newCount = slice.filter { $0.0 != "-" }.count
            out += "@@ -\(oldCount == 0 ? oldLine - 1 : oldLine),\(oldCount) +\(newCount == 0 ? newLine - 1 : newLine),\(newCount) @@\n"
            for (k, l) in slice { out += String(k) + l + "\n" }
            i = stop
        }
        if !old.isEmpty, !new.isEmpty, old.hasSuffix("\n") != new.hasSuffix("\n") {
            out += new.hasSuffix("\n") ? "\\ (a newline is added at the end of the file)\n" : "\\ (the newline at the end of the file is removed)\n"
        }
        return out
    }

    static func lines(_ s: String) -> [String] {
        var l = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if l.last == "" { l.removeLast() }
        return l
    }

    /// LCS-based edit script for the changed middle; falls back to delete-all/insert-all when it is large.
    static func middle(_ a: [String], _ b: [String]) -> [(Character, String)] {
        guard a.count * b.count <= 4_000_000, !a.isEmpty, !b.isEmpty else { return a.map { ("-", $0) } + b.map { ("+", $0) } }
        let n = a.count, m = b.count
        var t = [Int32](repeating: 0, count: (n + 1) * (m + 1))   // (n+1, m+1): LCS length of a[i...], b[j...]
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                t[i * (m + 1) + j] = a[i] == b[j] ? t[(i + 1) * (m + 1) + j + 1] + 1 : max(t[(i + 1) * (m + 1) + j], t[i * (m + 1) + j + 1])
            }
        }
        var ops: [(Character, String)] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] { ops.append((" ", a[i])); i += 1; j += 1 }
            else if j < m, i == n || t[i * (m + 1) + j + 1] >= t[(i + 1) * (m + 1) + j] { ops.append(("+", b[j])); j += 1 }
            else { ops.append(("-", a[i])); i += 1 }
        }
        // Show deletions before insertions within a run of changes.
        var out: [(Character, String)] = [], run: [(Character, String)] = []
        for o in ops + [(" ", "")] {
            if o.0 == " " { out += run.filter { $0.0 == "-" } + run.filter { $0.0 == "+" }; run = []; out.append(o) } else { run.append(o) }
        }
        out.removeLast()
        return out
    }
}
