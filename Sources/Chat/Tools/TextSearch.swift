// The search tool's walk: files under a folder in name order, skipping .gitignore'd paths, binary and huge
// files, FIFOs and devices, and symbolic links that lead outside the workspace; matches text or a regular
// expression per line.
import Foundation

struct TextSearch: Sendable {
    let pattern: String
    let regex: NSRegularExpression?
    let ignoreCase: Bool
    let include: [Unicode.Scalar]?
    let maxResults: Int
    let maxFileBytes: Int

    init(pattern: String, regex: Bool, ignoreCase: Bool, include: String?, maxResults: Int, maxFileBytes: Int) throws {
        self.pattern = ignoreCase ? pattern.lowercased() : pattern
        self.ignoreCase = ignoreCase
        if regex {
            do { self.regex = try NSRegularExpression(pattern: pattern, options: ignoreCase ? [.caseInsensitive] : []) } catch {
                throw ToolError("The pattern \(pattern) is not a valid regular expression.")
            }
        } else { self.regex = nil }
        self.include = include.map { Array($0.unicodeScalars) }
        self.maxResults = maxResults; self.maxFileBytes = maxFileBytes
    }

    func run(in start: String, workspace: Workspace) throws -> String {
        // Rules of every folder from the root down to the start.
        var stack = IgnoreStack().entering(workspace.root, relative: ".")
        let rel = workspace.relative(start)
        if rel != "." {
            var acc = ""
            for c in rel.split(separator: "/").dropLast() {
                acc = acc.isEmpty ? String(c) : acc + "/" + c
                if stack.isIgnored(relative: acc, isDirectory: true) { return "[\(rel) is ignored by .gitignore]" }
                stack = stack.entering(workspace.root + "/" + acc, relative: acc)
            }
        }
        var out: [String] = []
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: start, isDirectory: &isDir)
        if isDir.boolValue { walk(start, rel: rel, stack: stack.entering(start, relative: rel), workspace: workspace, into: &out) } else { searchFile(start, rel: rel, into: &out) }
        if out.isEmpty { return "No matches." }
        var text = out.prefix(maxResults).joined(separator: "\n")
        if out.count >= maxResults { text += "\n[stopped after \(maxResults) matches]" }
        return text
    }

    private func walk(_ dir: String, rel: String, stack: IgnoreStack, workspace: Workspace, into out: inout [String]) {
        guard out.count < maxResults else { return }
        workspace.walkFiles(dir, rel: rel, stack: stack) { path, r, name in
            if let inc = include, !Glob.match(inc[...], Array(name.unicodeScalars)[...]) { return true }
            searchFile(path, rel: r, into: &out)
            return out.count < maxResults
        }
    }

    private func searchFile(_ path: String, rel: String, into out: inout [String]) {
        // Only regular files up to the size limit (FileSnapshot refuses a FIFO or device unopened).
        guard let file = try? FileSnapshot.read(path, shown: rel, limit: maxFileBytes), !file.bytes.prefix(8192).contains(0) else { return }
        let text = String(decoding: file.bytes, as: UTF8.self)
        var n = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            let l = String(line)
            let hit: Bool
            if let regex { hit = regex.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)) != nil }
            else { hit = (ignoreCase ? l.lowercased() : l).contains(pattern) }
            if hit {
                let shown = l.count > 240 ? String(l.prefix(240)) + "…" : l
                out.append("\(rel):\(n): \(shown)")
                if out.count >= maxResults { return }
            }
        }
    }
}
