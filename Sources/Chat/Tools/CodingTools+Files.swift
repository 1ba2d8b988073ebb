// The file work of the tools: reading a file or folder for the model, checking a file a write would replace
// (regular, UTF-8, at most 4 MiB, outside version-control folders), and the write itself: only onto the bytes
// the diff was made from, with the old bytes handed to the checkpoint keeper first.
import Foundation

extension CodingTools {
    func readFile(_ path: String, from: Int, to: Int?) throws -> ToolOutcome {
        guard from >= 1 else { throw ToolError("start_line must be 1 or more.") }
        if let to, to < from { throw ToolError("end_line \(to) is before start_line \(from).") }
        let rel = workspace.relative(path)
        guard let file = try FileSnapshot.read(path, shown: rel, limit: limits.readFileMaxBytes) else { throw ToolError("\(rel) does not exist.") }
        if file.bytes.prefix(8192).contains(0) { throw ToolError("\(rel) is a binary file.") }
        let lines = TextDiff.lines(String(decoding: file.bytes, as: UTF8.self))
        let last = min(lines.count, to ?? (from + limits.defaultReadLines - 1))
        guard from <= max(lines.count, 1) else { throw ToolError("\(rel) has only \(lines.count) lines.") }
        var out = ""
        if from <= last {
            for n in from...last { out += String(n).leftPadded(6) + "\t" + lines[n - 1] + "\n" }
        }
        if from > 1 || last < lines.count { out += "[lines \(from)–\(last) of \(lines.count)]" } else if lines.isEmpty { out = "[empty file]" }
        return ToolOutcome(output: out, exitStatus: 0)
    }

    func listDir(_ path: String) throws -> ToolOutcome {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw ToolError("\(workspace.relative(path)) is not a folder.")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0 != ".git" }.sorted()
        var out = ""
        for name in names.prefix(limits.listMaxEntries) {
            let full = path + "/" + name
            let attrs = try? FileManager.default.attributesOfItem(atPath: full)
            let type = attrs?[.type] as? FileAttributeType
            if type == .typeSymbolicLink {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? "?"
                out += "\(name) -> \(target)\n"
            } else if type == .typeDirectory {
                out += name + "/\n"
            } else {
                out += "\(name)  (\((attrs?[.size] as? NSNumber)?.intValue ?? 0) bytes)\n"
            }
        }
        if names.count > limits.listMaxEntries { out += "[\(names.count - limits.listMaxEntries) more entries not shown]\n" }
        return ToolOutcome(output: out.isEmpty ? "[empty folder]" : out, exitStatus: 0)
    }

    /// Version-control folders: their files are the tool's own business, never the model's.
    static let versionControlFolders: Set<String> = [".git", ".hg", ".svn"]

    /// The file at `path` as a write would find it (nil: it does not exist yet), refused when the tools must
    /// not replace it: inside a version-control folder, not a regular file, larger than the write limit, or
    /// not valid UTF-8 (rewriting it as text would change bytes the diff never showed).
    func editable(_ path: String) throws -> FileSnapshot? {
        let rel = workspace.relative(path)
        if let vcs = rel.split(separator: "/").first(where: { Self.versionControlFolders.contains(String($0)) }) {
            throw ToolError("\(rel) is inside \(vcs)/, which belongs to version control; the tools do not write there.")
        }
        guard let file = try FileSnapshot.read(path, shown: rel, limit: limits.writeMaxBytes, tooLarge: { [self] in
            "is \($0) bytes, larger than the \(Self.size(limits.writeMaxBytes)) the tools edit or write; nothing was changed"
        }) else { return nil }
        guard file.strictText != nil else {
            throw ToolError("\(rel) is not valid UTF-8 text (another encoding, or binary); the tools do not edit or overwrite it.")
        }
        return file
    }

    /// New content as bytes, refused above the write limit.
    func writable(_ content: String, _ rel: String) throws -> [UInt8] {
        let bytes = Array(content.utf8)
        guard bytes.count <= limits.writeMaxBytes else {
            throw ToolError("The new content of \(rel) is \(bytes.count) bytes, larger than the \(Self.size(limits.writeMaxBytes)) the tools write.")
        }
        return bytes
    }

    static func size(_ bytes: Int) -> String { bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes" }

    /// Writes `bytes` over `before` (nil: the file did not exist), only if the file still holds exactly the bytes
    /// the diff was made from. The keeper gets the old bytes first; the file keeps its mode, owner and links.
    func commit(_ bytes: [UInt8], to path: String, over before: FileSnapshot?, call: ToolCall, _ run: ToolRun) throws {
        let rel = workspace.relative(path)
        let now = try editable(path)
        guard now?.bytes == before?.bytes else { throw ToolError("\(rel) changed since the diff was shown; nothing was written.") }
        if now == nil {
            let dir = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // The folders now exist: check again that nothing on the way leads outside.
            _ = try workspace.resolve(dir)
        }
        let checkpoint = WriteCheckpoint(callID: call.id, path: path, shown: rel, before: now, writtenSHA256: SHA256.hex(bytes))
        do { try run.checkpoints?.keep(checkpoint) } catch {
            throw ToolError("Could not keep the old \(rel) for undo (\(error)); nothing was written.")
        }
        do { try FileReplacement.write(bytes, to: path, like: now, shown: rel) } catch {
            run.checkpoints?.discard(checkpoint)
            throw error
        }
    }

    static func replace(in text: String, path: String, old: String, new: String, all: Bool) throws -> (String, Int) {
        guard !old.isEmpty else { throw ToolError("old_text is empty.") }
        let parts = PythonText.split(text, old)
        let count = parts.count - 1
        if count == 0 { throw ToolError("old_text was not found in \(path); it must match exactly, including spaces and line breaks.") }
        if count > 1 && !all { throw ToolError("old_text occurs \(count) times in \(path); include more surrounding text so it is unique, or set replace_all.") }
        return (parts.joined(separator: new), count)
    }
}
