// `/export`: the open conversation written to a new file in the workspace — Markdown or OpenAI-format JSON, as
// `glmchat sessions export` writes them — named after its title, never over an existing file.
import Chat
import Foundation
import Store
import TUI

enum ConversationExport {
    /// Writes the file and returns its name.
    static func write(_ c: StoredConversation, json: Bool, into dir: String) throws -> String {
        let s = Session(id: c.id.isEmpty ? "unsaved" : c.id, title: c.title, messages: c.messages, compaction: c.compaction)
        let text = json ? SessionExport.openAI(s).serialized(.pretty) + "\n" : SessionExport.markdown(s)
        let base = slug(c.title.isEmpty ? s.displayTitle : c.title)
        let ext = json ? "json" : "md"
        for n in 0..<100 {
            let name = "glmchat-\(base)\(n == 0 ? "" : "-\(n + 1)").\(ext)"
            let result = Result { () throws(FileSystemError) in try AtomicFile.write(Array(text.utf8), to: dir + "/" + name, replace: false) }
            switch result {
            case .success: return name
            case .failure(let e): if e.code != EEXIST { throw e }
            }
        }
        throw PersistenceError("every name like glmchat-\(base)-N.\(ext) is taken in \(dir)")
    }

    /// "Fix the build: linker" → "fix-the-build-linker" (letters and digits, at most 40).
    static func slug(_ title: String) -> String {
        var out = "", dash = false
        for ch in title.lowercased() {
            if ch.isLetter || ch.isNumber { out.append(ch); dash = false } else if !dash, !out.isEmpty { out.append("-"); dash = true }
            if out.count >= 40 { break }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "conversation" : out
    }
}
