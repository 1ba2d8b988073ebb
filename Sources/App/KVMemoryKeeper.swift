// The KV rows of conversations switched away from, kept in memory (least recently left first out) under a byte
// budget, so going back to one is instant; rows pushed out are spilled to the conversation's snapshot on disk
// (by KVSnapshotKeeper, which owns this). Used only on the engine backend's queue.
import Engine
import Foundation

struct KVMemoryKeeper {
    /// Bytes the parked rows may take together.
    let budget: Int64
    /// Oldest first.
    private(set) var parked: [(id: String, rows: ParkedKV)] = []
    /// Times a conversation came back from memory (for tests and the notes).
    private(set) var hits = 0

    init(budget: Int64) { self.budget = budget }

    /// The default budget: a quarter of the memory left after the model file (the model is mapped, and its pages
    /// stay resident while it runs), i.e. 25 % × (physical RAM − model bytes); 0 when the model fills the RAM.
    static func defaultBudget(modelBytes: Int64) -> Int64 {
        max(0, (Int64(ProcessInfo.processInfo.physicalMemory) - modelBytes) / 4)
    }

    var bytes: Int64 { parked.reduce(0) { $0 + Int64($1.rows.bytes) } }

    /// Takes conversation `id`'s rows out, when they are here.
    mutating func take(_ id: String) -> ParkedKV? {
        guard let i = parked.firstIndex(where: { $0.id == id }) else { return nil }
        hits += 1
        return parked.remove(at: i).rows
    }

    /// Keeps `rows` as conversation `id`'s (the newest); returns what no longer fits the budget, oldest first
    /// (possibly `rows` themselves), for the caller to spill.
    mutating func keep(_ id: String, _ rows: ParkedKV) -> [(id: String, rows: ParkedKV)] {
        parked.removeAll { $0.id == id }
        parked.append((id, rows))
        var out: [(id: String, rows: ParkedKV)] = []
        while bytes > budget, !parked.isEmpty { out.append(parked.removeFirst()) }
        return out
    }

    /// Forgets conversation `id`'s rows (it was deleted).
    mutating func drop(_ id: String) { parked.removeAll { $0.id == id } }
}
