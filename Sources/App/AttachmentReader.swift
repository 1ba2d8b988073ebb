// Reads the files a message names with `@path`: inside the workspace only (Workspace.resolve), regular UTF-8 files
// through CappedTextFile, at most Attachment.maxFiles of them. A mention that names no file (a handle, an address)
// is left as text; one that names a file that cannot be attached is said in one line.
import Chat
import Foundation

enum AttachmentReader {
    static func read(_ paths: [String], in workspace: Workspace) -> ([Attachment], note: String?) {
        var files: [Attachment] = [], problems: [String] = []
        for p in paths {
            let real: String
            do { real = try workspace.resolve(p) } catch {
                // Outside the workspace is worth a word; a path that does not exist is most likely not a path.
                if "\(error)".contains("outside the workspace") { problems.append("@\(p) is outside the workspace") }
                continue
            }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: real, isDirectory: &isDir) else { continue }
            if isDir.boolValue { problems.append("@\(p) is a folder"); continue }
            guard files.count < Attachment.maxFiles else { problems.append("@\(p): at most \(Attachment.maxFiles) files a message"); continue }
            do {
                let (text, bytes) = try CappedTextFile.read(real, shown: "@" + p, cap: Attachment.maxBytes)
                files.append(Attachment(path: p, text: text, fileBytes: bytes))
            } catch { problems.append("\(error)") }
        }
        return (files, problems.isEmpty ? nil : "not attached: " + problems.joined(separator: "; "))
    }
}
