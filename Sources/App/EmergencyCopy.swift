// The last resort at exit when a conversation could not be saved: the whole conversation, in the session file
// format (so it can be copied into the sessions folder and resumed), written outside the store.
import Foundation
import Store
import TUI

public enum EmergencyCopy {
    /// `$XDG_RUNTIME_DIR` when it names a folder (private to the user), else `/tmp`.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var isDir: ObjCBool = false
        if let d = environment["XDG_RUNTIME_DIR"], !d.isEmpty, FileManager.default.fileExists(atPath: d, isDirectory: &isDir), isDir.boolValue {
            return d
        }
        return "/tmp"
    }

    /// Writes `c` to a new file (mode 0600, never over an existing file or symlink) and returns its path.
    public static func write(_ c: StoredConversation, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let id = c.id.isEmpty ? "new" : c.id
        let session = Session(id: id, title: c.title, model: c.model.map { SessionModel(name: $0) }, messages: c.messages)
        let bytes = try SessionCodec.current.encode(session)
        let stamp = Int(Date().timeIntervalSince1970)
        let path = "\(directory(environment: environment))/glmchat-unsaved-\(id)-\(stamp)-\(getpid()).json"
        try AtomicFile.write(bytes, to: path, replace: false)
        return path
    }
}
