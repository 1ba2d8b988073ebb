// The workspace's files for `@` completion: regular files (and links to regular files inside it), skipping what
// .gitignore ignores and `.git`, relative paths sorted, at most `limit` of them.
import Foundation

extension Workspace {
    public func files(limit: Int = 20_000) -> [String] {
        var out: [String] = []
        walk(root, rel: ".", stack: IgnoreStack().entering(root, relative: "."), limit: limit, into: &out)
        return out
    }

    private func walk(_ dir: String, rel: String, stack: IgnoreStack, limit: Int, into out: inout [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names.sorted() {
            if out.count >= limit { return }
            let full = dir + "/" + name, r = rel == "." ? name : rel + "/" + name
            let type = (try? FileManager.default.attributesOfItem(atPath: full))?[.type] as? FileAttributeType
            if type == .typeDirectory {
                if stack.isIgnored(relative: r, isDirectory: true) { continue }
                walk(full, rel: r, stack: stack.entering(full, relative: r), limit: limit, into: &out)
            } else if type == .typeRegular {
                if !stack.isIgnored(relative: r, isDirectory: false) { out.append(r) }
            } else if type == .typeSymbolicLink, !stack.isIgnored(relative: r, isDirectory: false),
                      let real = Self.realPath(full), contains(real) {
                var d: ObjCBool = false
                if FileManager.default.fileExists(atPath: real, isDirectory: &d), !d.boolValue { out.append(r) }
            }
        }
    }
}
