// The workspace root the coding tools are confined to: turns a path the model gave into a real path inside
// the root, resolving `..` and every symbolic link the way the kernel would, and refusing anything outside.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct Workspace: Sendable, Equatable {
    /// The root's real path (symbolic links resolved), without a trailing slash.
    public let root: String

    public init(root: String) throws {
        guard let r = Self.realPath(root) else { throw ToolError("The workspace folder \(root) does not exist.") }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: r, isDirectory: &isDir), isDir.boolValue else {
            throw ToolError("The workspace \(root) is not a folder.")
        }
        self.root = r
    }

    static func realPath(_ p: String) -> String? {
        guard let c = realpath(p, nil) else { return nil }
        defer { free(c) }
        return String(cString: c)
    }

    /// True when `real` is the root or lies under it.
    public func contains(_ real: String) -> Bool { real == root || real.hasPrefix(root == "/" ? "/" : root + "/") }

    /// Resolves `path` (relative to the root, or absolute). For reading the whole path must exist; for writing
    /// the missing tail is allowed (it will be created), but not a `..` in it nor a dangling symbolic link.
    public func resolve(_ path: String, forWriting: Bool = false) throws -> String {
        guard !path.contains("\0") else { throw ToolError("The path contains a NUL character.") }
        let shown = path.isEmpty ? "." : path
        var current = path.hasPrefix("/") ? "/" : root
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var i = 0
        while i < parts.count {
            let c = parts[i]
            if c == "." { i += 1; continue }
            if c == ".." {
                current = current == "/" ? "/" : (current as NSString).deletingLastPathComponent
                if current.isEmpty { current = "/" }
                i += 1; continue
            }
            let candidate = current == "/" ? "/" + c : current + "/" + c
            var st = stat()
            if lstat(candidate, &st) == 0 {
                if (st.st_mode & S_IFMT) == S_IFLNK {
                    guard let target = Self.realPath(candidate) else {
                        throw ToolError("The path \(shown) goes through a symbolic link whose target does not exist.")
                    }
                    current = target
                } else {
                    current = candidate
                }
                i += 1
                continue
            }
            // The rest does not exist.
            guard forWriting else { throw ToolError("The path \(shown) does not exist.") }
            let rest = parts[i...].filter { $0 != "." }
            guard !rest.contains("..") else { throw ToolError("The path \(shown) uses .. after a folder that does not exist.") }
            current = ([current == "/" ? "" : current] + rest).joined(separator: "/")
            break
        }
        guard contains(current) else { throw ToolError("The path \(shown) is outside the workspace \(root).") }
        return current
    }

    /// A real path inside the root, shown relative to it ("." for the root).
    public func relative(_ real: String) -> String {
        if real == root { return "." }
        let prefix = root == "/" ? "/" : root + "/"
        return real.hasPrefix(prefix) ? String(real.dropFirst(prefix.count)) : real
    }
}
