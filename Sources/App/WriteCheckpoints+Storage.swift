// Where WriteCheckpoints keeps a conversation's writes: `<directory>/<id>/index.json` and `<seq>.old` files
// (written atomically, 0600, in 0700 folders), or memory when there is no directory or the id could not be
// a folder name. Callers hold the lock.
import Foundation
import Store

extension WriteCheckpoints {
    /// The versioned index file; unknown fields are ignored.
    struct Index: Codable {
        var version = 1
        var writes: [CheckpointEntry]
    }

    /// The conversation's folder, nil when it is kept in memory.
    func folder(_ conversation: String) -> String? {
        guard let directory, !conversation.isEmpty, !conversation.hasPrefix("."), !conversation.contains("/") else { return nil }
        return directory + "/" + conversation
    }

    func loadIndex(_ conversation: String) -> [CheckpointEntry] {
        guard let folder = folder(conversation) else { return memory[conversation]?.writes ?? [] }
        guard let bytes = try? AtomicFile.read(folder + "/index.json"),
              let index = try? JSONDecoder().decode(Index.self, from: Data(bytes)) else { return [] }
        return index.writes
    }

    func saveIndex(_ writes: [CheckpointEntry], in conversation: String) throws {
        guard let folder = folder(conversation) else { memory[conversation, default: ([], [:])].writes = writes; return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.makeDirectory(folder)
        try AtomicFile.write(Array(try encoder.encode(Index(writes: writes))), to: folder + "/index.json")
    }

    func saveBytes(_ bytes: [UInt8], seq: Int, in conversation: String) throws {
        guard let folder = folder(conversation) else { memory[conversation, default: ([], [:])].bytes[seq] = bytes; return }
        try AtomicFile.makeDirectory(folder)
        try AtomicFile.write(bytes, to: "\(folder)/\(seq).old")
    }

    func loadBytes(seq: Int, in conversation: String) -> [UInt8]? {
        guard let folder = folder(conversation) else { return memory[conversation]?.bytes[seq] }
        return try? AtomicFile.read("\(folder)/\(seq).old")
    }

    func removeBytes(seq: Int, in conversation: String) {
        guard let folder = folder(conversation) else { memory[conversation]?.bytes[seq] = nil; return }
        unlink("\(folder)/\(seq).old")
    }
}
