// Undo for the tools' writes. Before each approved write the file's old bytes (or the fact that it did not
// exist) and mode are kept with the conversation: on disk under <sessions>/checkpoints/<conversation id>/
// (the old bytes and an index.json, all 0600), or in memory for a run that saves nothing. Undo restores the
// most recent write not undone yet, byte for byte, but only over the bytes glmchat wrote.
import Chat
import Foundation

public final class WriteCheckpoints: @unchecked Sendable {
    /// Writes remembered per conversation; older ones are forgotten.
    public static let keptPerConversation = 50
    /// `<sessions>/checkpoints`, or nil: memory only.
    public let directory: String?
    let lock = NSLock()
    /// Memory-only checkpoints (all of them without a directory), by conversation: the index and the old bytes by seq.
    var memory: [String: (writes: [CheckpointEntry], bytes: [Int: [UInt8]])] = [:]

    public init(directory: String?) { self.directory = directory }

    /// The keeper for one conversation's writes (nil: not saved yet, kept in memory for this run).
    public func keeper(conversationID: String?) -> CheckpointKeeper { ConversationCheckpoints(store: self, conversation: conversationID ?? "") }

    func keep(_ c: WriteCheckpoint, in conversation: String) throws {
        lock.lock(); defer { lock.unlock() }
        var writes = loadIndex(conversation)
        let seq = (writes.map(\.seq).max() ?? 0) + 1
        if let old = c.before { try saveBytes(old.bytes, seq: seq, in: conversation) }
        writes.append(CheckpointEntry(seq: seq, callID: c.callID, path: c.path, shown: c.shown, existed: c.before != nil,
                                      mode: c.before?.mode, sha256: c.writtenSHA256, undone: false, time: Date().timeIntervalSince1970))
        while writes.count > Self.keptPerConversation { removeBytes(seq: writes.removeFirst().seq, in: conversation) }
        try saveIndex(writes, in: conversation)
    }

    func discard(_ c: WriteCheckpoint, in conversation: String) {
        lock.lock(); defer { lock.unlock() }
        var writes = loadIndex(conversation)
        guard let i = writes.lastIndex(where: { $0.callID == c.callID && $0.path == c.path && $0.sha256 == c.writtenSHA256 }) else { return }
        removeBytes(seq: writes.remove(at: i).seq, in: conversation)
        try? saveIndex(writes, in: conversation)
    }

    /// Restores the most recent write of `conversationID` not undone yet (a file it created is removed) and
    /// marks it undone; refuses when the file no longer holds what glmchat wrote.
    public func undoLast(conversationID: String) -> UndoResult {
        lock.lock(); defer { lock.unlock() }
        var writes = loadIndex(conversationID)
        guard let i = writes.lastIndex(where: { !$0.undone }) else { return .failed("no write left to undo in this conversation") }
        let w = writes[i]
        let changed = UndoResult.failed("\(w.shown) changed after the write; undo would lose those changes")
        guard let now = try? FileSnapshot.read(w.path, shown: w.shown, limit: 1 << 30), SHA256.hex(now.bytes) == w.sha256 else { return changed }
        if w.existed {
            guard let old = loadBytes(seq: w.seq, in: conversationID) else { return .failed("the copy of \(w.shown) from before the write is missing") }
            let like = FileSnapshot(bytes: [], mode: w.mode ?? now.mode, uid: now.uid, gid: now.gid)
            do { try FileReplacement.write(old, to: w.path, like: like, shown: w.shown) } catch { return .failed("\(error)") }
        } else {
            guard unlink(w.path) == 0 else { return .failed("could not remove \(w.shown) (\(String(cString: strerror(errno))))") }
        }
        writes[i].undone = true
        removeBytes(seq: w.seq, in: conversationID)
        try? saveIndex(writes, in: conversationID)
        return .undone(callID: w.callID, summary: (w.existed ? "restored " : "removed ") + w.shown)
    }

    /// Forgets every checkpoint of a conversation (call it when the conversation is deleted).
    public func deleteCheckpoints(conversationID: String) {
        lock.lock(); defer { lock.unlock() }
        memory[conversationID] = nil
        if let folder = folder(conversationID) { try? FileManager.default.removeItem(atPath: folder) }
    }
}

/// One write as the index records it.
struct CheckpointEntry: Codable, Equatable {
    /// Numbers the writes of a conversation; the old bytes are in `<seq>.old`.
    var seq: Int
    var callID: String
    var path: String
    var shown: String
    var existed: Bool
    var mode: UInt32?
    /// SHA-256 of the bytes glmchat wrote.
    var sha256: String
    var undone: Bool
    /// Seconds since 1970.
    var time: Double
    enum CodingKeys: String, CodingKey { case seq, callID = "call_id", path, shown, existed, mode, sha256, undone, time }
}

/// A conversation's keeper, handed to the tools for one run.
struct ConversationCheckpoints: CheckpointKeeper {
    let store: WriteCheckpoints
    let conversation: String
    func keep(_ c: WriteCheckpoint) throws { try store.keep(c, in: conversation) }
    func discard(_ c: WriteCheckpoint) { store.discard(c, in: conversation) }
}
