// A conversation's KV rows parked outside the session (its cache object and tokens) and put back without copying,
// so switching back to a conversation left a moment ago reuses its rows at once (App's KVMemoryKeeper keeps them).
// Same thread rules as Session+Snapshot: never beside another call on the same session.
import Kernels

/// The cache rows and tokens of one conversation, taken out of a session by `park` or `exchange`.
public final class ParkedKV {
    let cache: KVCache
    /// What the rows hold, in order.
    public let tokens: [Int]

    init(cache: KVCache, tokens: [Int]) { self.cache = cache; self.tokens = tokens }

    /// Memory the rows take (the cache commits pages only for positions written, in whole pages).
    public var bytes: Int { cache.residentBytes(rows: tokens.count) }
}

extension Session {
    /// Takes the session's rows out and returns them; the session goes on with a new cache holding a copy of the
    /// first `keep` rows only (the prefix the next prompt shares with them: a system message, say).
    public func park(keepingPrefix keep: Int) throws -> ParkedKV {
        let fresh = try cache.emptyTwin()
        let n = min(max(0, keep), tokens.count)
        fresh.copyRows(from: cache, count: n)
        let parked = ParkedKV(cache: cache, tokens: tokens)
        cache = fresh
        tokens = Array(tokens.prefix(n))
        return parked
    }

    /// Puts parked rows back (no copy) and returns the rows the session held until now. Rows parked from another
    /// session shape (context length, cache type) are not taken: nil, the session unchanged.
    public func exchange(_ parked: ParkedKV) -> ParkedKV? {
        let c = parked.cache
        guard c.layers == cache.layers, c.capacity == cache.capacity, c.type == cache.type, c.kWidth == cache.kWidth,
              c.vWidth == cache.vWidth else { return nil }
        let left = ParkedKV(cache: cache, tokens: tokens)
        cache = c
        tokens = parked.tokens
        return left
    }

    /// Writes parked rows to a snapshot at `path`, as `writeSnapshot(to:sync:)` writes the session's own.
    @discardableResult
    public func writeSnapshot(of parked: ParkedKV, to path: String, sync: Bool = true) throws -> KVSnapshotWrite? {
        guard let own = exchange(parked) else { return nil }
        defer { _ = exchange(own) }
        return try writeSnapshot(to: path, sync: sync)
    }
}
