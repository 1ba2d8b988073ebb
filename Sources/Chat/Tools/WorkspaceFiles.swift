// Walking the workspace's files, the one walk the search tool and `@` completion share: files in name order,
// skipping what .gitignore ignores and `.git`, following symbolic links only to files inside the workspace.
import Foundation

extension Workspace {
    /// The workspace's files for `@` completion: relative paths, sorted, at most `limit` of them.
    public func files(limit: Int = 20_000) -> [String] {
        var out: [String] = []
        walkFiles(root, rel: ".", stack: IgnoreStack().entering(root, relative: ".")) { _, rel, _ in
            out.append(rel)
            return out.count < limit
        }
        return out
    }

    /// Calls `visit(path, rel, name)` for every file under `dir` (`rel` its path from the root, `stack` the ignore
    /// rules in force there) — `path` is a link's target — until `visit` returns false. Returns false when stopped.
    @discardableResult
    func walkFiles(_ dir: String, rel: String, stack: IgnoreStack, visit: (String, String, String) -> Bool) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return true }
        for name in names.sorted() {
            let full = dir + "/" + name, r = rel == "." ? name : rel + "/" + name
            let type = (try? FileManager.default.attributesOfItem(atPath: full))?[.type] as? FileAttributeType
            if type == .typeDirectory {
                if stack.isIgnored(relative: r, isDirectory: true) { continue }
                if !walkFiles(full, rel: r, stack: stack.entering(full, relative: r), visit: visit) { return false }
            } else if type == .typeRegular || type == .typeSymbolicLink {
                if stack.isIgnored(relative: r, isDirectory: false) { continue }
                var target = full
                if type == .typeSymbolicLink {
                    guard let real = Self.realPath(full), contains(real) else { continue }
                    var d: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: real, isDirectory: &d), !d.boolValue else { continue }
                    target = real
                }
                if !visit(target, r, name) { return false }
            }
        }
        return true
    }
}
