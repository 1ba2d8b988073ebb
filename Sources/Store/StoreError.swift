// What can go wrong with the session store, each as one plain sentence.
import Foundation

public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    case notFound(String)
    case ambiguous(String, [String])
    case invalidID(String)
    /// Another process (pid when known) has the session open for writing.
    case locked(id: String, pid: Int?)
    case damaged(id: String, path: String, reason: DamageReason)
    case readOnly(id: String)
    case closed(id: String)
    case exists(id: String)
    case fileSystem(FileSystemError)
    case invalidImport(String)

    public var description: String {
        switch self {
        case .notFound(let s): return "No session matches \"\(s)\""
        case .ambiguous(let s, let ids):
            return "\"\(s)\" matches \(ids.count) sessions (\(ids.prefix(5).joined(separator: ", "))\(ids.count > 5 ? ", …" : "")); type more of the id"
        case .invalidID(let s): return "\"\(s)\" is not a session id (ids use letters, digits, '-' and '_')"
        case .locked(let id, let pid):
            let who = pid.map { "another glmchat process (pid \($0))" } ?? "another glmchat process"
            return "Session \(id) is open in \(who); close it there, or open this one read-only"
        case .damaged(let id, let path, let reason):
            return "Session \(id) cannot be opened because \(reason); glmchat leaves \(path) untouched"
        case .readOnly(let id): return "Session \(id) is open read-only, so it cannot be saved"
        case .closed(let id): return "Session \(id) was already closed"
        case .exists(let id): return "A session with id \(id) already exists"
        case .fileSystem(let e): let d = e.description; return d.prefix(1).uppercased() + d.dropFirst()
        case .invalidImport(let why): return "The file cannot be imported: \(why)"
        }
    }
}
