// Text typed into a conversation but not sent yet, one small file per conversation beside the sessions:
// drafts/<id>.txt, or drafts/+new.txt for a conversation that has no file yet ("+" is in no session id). The session
// files never hold it.
import Foundation

extension SessionStore {
    public var draftsDirectory: String { directory + "/drafts" }

    /// nil id: the conversation not saved yet.
    public func draftPath(for id: String?) -> String { "\(draftsDirectory)/\(id ?? "+new").txt" }

    /// The unsent text kept for a conversation, or nil (none, or unreadable).
    public func readDraft(for id: String?) -> String? {
        guard id.map(Self.isValidID) ?? true, let bytes = try? AtomicFile.read(draftPath(for: id), limit: 16 << 20) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.isEmpty ? nil : text
    }

    /// Keeps `text` as the conversation's unsent text (replaced atomically; no fsync: it is rewritten every second
    /// while typing). Empty text removes the file.
    public func writeDraft(_ text: String, for id: String?) throws {
        guard id.map(Self.isValidID) ?? true else { throw StoreError.fileSystem(FileSystemError("write a draft for the invalid id \(id!)", code: EINVAL)) }
        let path = draftPath(for: id)
        if text.isEmpty { unlink(path); return }
        do {
            try AtomicFile.makeDirectory(directory)
            try AtomicFile.makeDirectory(draftsDirectory)
            try AtomicFile.write(Array(text.utf8), to: path, sync: false)
        } catch {
            throw StoreError.fileSystem(error)
        }
    }
}
