// The engine session's KV cache on disk, one snapshot per saved conversation (`<sessions>/kv/<id>.kv`): restored
// before a conversation's prompt is first measured or prefilled in this process, written after each reply.
// The folder is kept under a byte budget, least recently used snapshots deleted first. The rows of the conversation
// switched away from stay in memory (KVMemoryKeeper, under its own budget) and come back without a copy.
// Used only on the engine backend's queue, so it never runs beside a prefill (the engine's thread rule).
import Engine
import Foundation
import Store
import TUI

final class KVSnapshotKeeper {
    let store: SessionStore
    /// Bytes the kv folder may hold (nil: the store's default, a tenth of the free space, at most 20 GB).
    let budget: Int64?
    /// A line for the user's notice line (restored, reused, refused).
    let note: @Sendable (String) -> Void
    /// The conversation whose tokens the session holds, as far as snapshots go (nil: none or an unsaved one).
    private var holder: String?
    /// Tokens restored for `holder` and not yet reported with a reply, and from where ("disk", "memory").
    private var restored = 0, restoredFrom = "disk"
    /// The rows of conversations switched away from.
    private(set) var memory: KVMemoryKeeper

    /// Removes the temporary files that writes killed midway left in the folder. `memoryBudget`: bytes the rows of
    /// conversations switched away from may keep in memory (0: none kept).
    init(store: SessionStore, budget: Int64? = nil, memoryBudget: Int64 = 0, note: @escaping @Sendable (String) -> Void) {
        self.store = store; self.budget = budget; self.note = note
        memory = KVMemoryKeeper(budget: memoryBudget)
        Self.removeStaleTempFiles(in: store.kvDirectory)
    }

    /// Whether a prompt of conversation `id` should be offered to `prepare` (the session holds another one).
    func wantsPrompt(for id: String?) -> Bool { id != nil && id != holder }

    /// Before `prompt` of conversation `id` is prefilled (or when the conversation is opened): when the session
    /// holds another conversation, parks that one's rows in memory and puts this one's back from memory, or loads
    /// them from its snapshot. A snapshot that cannot be used is reported in one line; a damaged one is deleted
    /// (the next reply writes a new one).
    func prepare(_ session: Engine.Session, prompt: [Int], for id: String?) {
        guard let id else { holder = nil; return }
        guard id != holder else { return }
        let left = holder
        holder = id
        restored = 0
        if fromMemory(session, prompt: prompt, leaving: left, for: id) { return }
        let path = store.kvSnapshotPath(for: id)
        guard !prompt.isEmpty else { return }
        guard FileManager.default.fileExists(atPath: path) else { borrow(session, prompt: prompt, for: id); return }
        do {
            restored = try session.restore(from: path, prompt: prompt)
            restoredFrom = "disk"
            if restored > 0 { note("KV cache: restored \(grouped(restored)) tokens from disk"); store.touchKVCache(for: id) }
        } catch {
            note("KV cache not used: " + Self.reason(error))
            if let e = error as? KVSnapshotError, e.isDamage { unlink(path) }
        }
    }

    /// After a reply (finished or stopped) of conversation `id`: reports the reuse of the first reply after a restore
    /// (`cached` of the `prompt` tokens came from the cache) and brings the snapshot up to the session's tokens.
    func replied(_ session: Engine.Session, cached: Int, prompt: Int, for id: String?) {
        guard let id, id == holder else { return }
        if restored > 0 {
            note("KV cache from \(restoredFrom): reused \(grouped(cached)) of \(grouped(prompt)) prompt tokens")
            restored = 0
        }
        do {
            try AtomicFile.makeDirectory(store.kvDirectory)
            try session.writeSnapshot(to: store.kvSnapshotPath(for: id), sync: true)
        } catch {
            note("could not write the KV cache: " + Self.reason(error))
            return
        }
        let limit = budget ?? store.defaultKVCacheBudget()
        if let own = store.evictKVCache(toFit: limit, keep: id).first(where: { $0.id == id }) {
            note("KV cache not kept: this conversation's \(megabytes(own.bytes)) is over the cache budget of \(megabytes(limit)) (kv_cache_max_bytes)")
        }
    }

    /// A conversation without a snapshot of its own (a fork, a new conversation) starts from the one sharing the
    /// longest prefix with its prompt: the conversation it was forked from, or any with the same system prompt,
    /// instructions and tools. Only the token ids of the others are read to choose; one that cannot be used (another
    /// model file, damaged) is passed over without a word, since it is not this conversation's.
    private func borrow(_ session: Engine.Session, prompt: [Int], for id: String) {
        let held = zip(session.tokens, prompt).prefix { $0 == $1 }.count
        var best: (path: String, shared: Int)? = nil
        for f in store.kvCacheFiles() where f.id != id {
            guard let info = try? KVSnapshotInfo(path: f.path) else { continue }
            let shared = zip(info.tokens, prompt).prefix { $0 == $1 }.count
            if shared > max(held, best?.shared ?? 0, Self.minimumBorrowed) { best = (f.path, shared) }
        }
        guard let best, let n = try? session.restore(from: best.path, prompt: prompt), n > 0 else { return }
        restored = n
        restoredFrom = "another conversation's snapshot"
        note("KV cache: \(grouped(n)) tokens from another conversation with the same start")
    }

    /// Fewer shared tokens than this are not worth reading another conversation's snapshot for.
    static let minimumBorrowed = 16

    /// Parks the rows of conversation `left` (the session's until now) and, when `id`'s are in memory, puts them
    /// back: true then (nothing to load from disk). Rows pushed out of the memory budget go to their snapshots.
    private func fromMemory(_ session: Engine.Session, prompt: [Int], leaving left: String?, for id: String) -> Bool {
        guard memory.budget > 0 else { return false }
        let back = memory.take(id)
        var spill: [(id: String, rows: ParkedKV)] = []
        if let left, !session.tokens.isEmpty {
            if let back, let rows = session.exchange(back) {
                spill = memory.keep(left, rows)
            } else if let rows = try? session.park(keepingPrefix: zip(session.tokens, prompt).prefix { $0 == $1 }.count) {
                spill = memory.keep(left, rows)   // the prefix the new prompt shares stays in the session
            }
        } else if let back {
            _ = session.exchange(back)            // the session's rows belong to no saved conversation
        }
        // Spilled only while the conversation is there (its file or its snapshot): a deleted one's rows just go.
        let fm = FileManager.default
        for s in spill where fm.fileExists(atPath: store.path(for: s.id)) || fm.fileExists(atPath: store.kvSnapshotPath(for: s.id)) {
            do {
                try AtomicFile.makeDirectory(store.kvDirectory)
                try session.writeSnapshot(of: s.rows, to: store.kvSnapshotPath(for: s.id), sync: true)
            } catch {
                note("could not write the KV cache: " + Self.reason(error))
            }
        }
        guard let back, session.tokens == back.tokens else { return false }
        restored = min(zip(back.tokens, prompt).prefix { $0 == $1 }.count, max(0, prompt.count - 1))
        restoredFrom = "memory"
        if restored > 0 { note("KV cache: \(grouped(restored)) tokens kept in memory") }
        return true
    }

    /// An error's sentence without its final period, to follow a colon.
    static func reason(_ error: Error) -> String {
        let s = "\(error)"
        return s.hasSuffix(".") ? String(s.dropLast()) : s
    }

    /// Deletes `.NAME.PID.RANDOM.tmp` files whose process is gone (a live one may be writing its snapshot now).
    static func removeStaleTempFiles(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for n in names where n.hasPrefix(".") && n.hasSuffix(".tmp") {
            let parts = n.split(separator: ".")
            if parts.count >= 4, let pid = pid_t(parts[parts.count - 3]), pid > 0, kill(pid, 0) == 0 || errno == EPERM { continue }
            unlink(folder + "/" + n)
        }
    }
}

extension KVSnapshotError {
    /// The file itself is bad (not a snapshot, damaged, truncated), as opposed to made for another model or engine.
    var isDamage: Bool {
        switch self {
        case .notASnapshot, .damaged, .truncated: return true
        case .io, .formatVersion, .engineVersion, .otherModel, .cacheType, .cacheShape: return false
        }
    }
}

extension EngineChatBackend {
    /// Keeps each saved conversation's KV cache in `store`'s kv folder from now on (`ChatRequest.conversationID`
    /// names the conversation); `note` receives the lines for the user (from the backend's thread).
    /// `memoryBudget`: bytes the rows of conversations switched away from keep in memory (nil: 25 % of the RAM left
    /// after the model file, KVMemoryKeeper.defaultBudget; 0: none, every switch reloads from disk).
    public func keepKVSnapshots(in store: SessionStore, budget: Int64? = nil, memoryBudget: Int64? = nil,
                                note: @escaping @Sendable (String) -> Void) {
        let memory = memoryBudget ?? KVMemoryKeeper.defaultBudget(modelBytes: Int64(model.identity.fileSize))
        queue.async { [self] in snapshots = KVSnapshotKeeper(store: store, budget: budget, memoryBudget: memory, note: note) }
    }
}

extension ChatController {
    /// Keeps the KV cache of the conversations this window saves on disk, with the backend's notes in the notice line:
    /// for the in-process engine and a session store (not for a server, a script or --no-save).
    /// `budget`: bytes the kv folder may hold (nil: a tenth of the free space, at most 20 GB).
    /// `memoryBudget`: bytes the KV rows of conversations switched away from keep in memory (nil: the default).
    public func keepKVSnapshots(budget: Int64? = nil, memoryBudget: Int64? = nil) {
        guard let engine = backend as? EngineChatBackend, let store = (persistence as? StorePersistence)?.store else { return }
        let q = queue
        engine.keepKVSnapshots(in: store, budget: budget, memoryBudget: memoryBudget) { q.post(.backendNote($0)) }
    }
}
