// Saving the session's KV cache to a snapshot file (appending when the file holds a prefix) and restoring from one.
//
// Thread rules: `writeSnapshot` reads `tokens` and the cache rows; `restore` writes them. Either may run on any
// thread (a background one for writes), but never at the same time as another call on the same session
// (prefill, decode, evaluate, truncate, restore): the caller serializes them, e.g. on the session's queue.
// One writer per file at a time (the caller's lock, as for the conversation file); readers of a file may run
// while it is being written: they see the old snapshot or the new one.

import Kernels

/// What `writeSnapshot` did.
public struct KVSnapshotWrite: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A new file (none was there, or it held other tokens, another model's or cache's rows, or was damaged).
        case created
        /// New chunks appended to a file that held a prefix of the tokens.
        case appended
        /// The file already held exactly these tokens.
        case unchanged
    }
    public let kind: Kind
    /// Tokens the snapshot now covers (the session's `tokens`).
    public let tokens: Int
    /// Bytes written to the file (rows, token ids and records).
    public let bytesWritten: Int
}

extension Session {
    /// The snapshot header this session writes, and the one a snapshot must have to be restored here.
    var snapshotHeader: KVSnapshot.Header {
        KVSnapshot.Header(engineVersion: KVSnapshot.engineVersion,
                          layout: KVSnapshot.Layout(arch: config.arch, type: cache.type, layers: cache.layers,
                                                    keyWidth: cache.kWidth, valueWidth: cache.vWidth),
                          contextLength: contextLength, identity: model.identity)
    }

    /// Why a snapshot with `header` cannot be restored into this session, nil when it can.
    func snapshotMismatch(_ header: KVSnapshot.Header) -> KVSnapshotError? {
        let own = snapshotHeader
        if header.engineVersion != own.engineVersion { return .engineVersion(found: header.engineVersion, current: own.engineVersion) }
        if header.identity != own.identity || header.layout.arch != own.layout.arch { return .otherModel }
        if header.layout.type != own.layout.type {
            return .cacheType(found: header.layout.cacheType, session: "\(own.layout.type == .q8_0 ? "a" : "an") \(own.layout.cacheType) cache")
        }
        if header.layout != own.layout { return .cacheShape(found: header.layout.description, session: own.layout.description) }
        return nil
    }

    /// Why a snapshot with this info cannot be restored into this session, nil when it can (for choosing one).
    public func snapshotMismatch(_ info: KVSnapshotInfo) -> KVSnapshotError? {
        snapshotMismatch(KVSnapshot.Header(engineVersion: info.engineVersion, layout: info.layout, contextLength: 0, identity: info.identity))
    }

    /// Saves the cache rows of `tokens` to `path`. When the file there is a valid snapshot of this model and cache
    /// whose tokens are a prefix of `tokens`, only the new tokens' rows are appended and committed (a crash at any
    /// moment leaves the old or the new snapshot); otherwise the whole file is rewritten through a temporary file
    /// and a rename. `sync: false` skips the fsyncs: still safe when the process is killed, not on power loss.
    @discardableResult
    public func writeSnapshot(to path: String, sync: Bool = true) throws -> KVSnapshotWrite {
        let header = snapshotHeader, n = tokens.count
        if let file = try KVSnapshotFile.openForUpdate(path), let old = try? KVSnapshot.read(file),
           snapshotMismatch(old.header) == nil, old.tokens.count <= n, tokens.starts(with: old.tokens) {
            if old.tokens.count == n { return KVSnapshotWrite(kind: .unchanged, tokens: n, bytesWritten: 0) }
            let end = try writeChunks(from: old.tokens.count, index: old.chunks.count, to: file, at: old.commit.end)
            try file.truncate(to: end.offset)
            if sync { try file.sync() }
            let commit = KVSnapshot.Commit(sequence: old.commit.sequence + 1, tokens: n, chunks: end.index, end: end.offset)
            try file.write(commit.encoded, at: KVSnapshot.slotOffsets[1 - old.slot])
            if sync { try file.sync() }
            return KVSnapshotWrite(kind: .appended, tokens: n, bytesWritten: end.offset - old.commit.end + KVSnapshot.commitBytes)
        }
        let file = try KVSnapshotFile.createTemporary(beside: path)
        do {
            try file.write(header.encoded, at: 0)
            let end = try writeChunks(from: 0, index: 0, to: file, at: KVSnapshot.chunksStart)
            try file.write(KVSnapshot.Commit(sequence: 1, tokens: n, chunks: end.index, end: end.offset).encoded, at: KVSnapshot.slotOffsets[0])
            try file.truncate(to: end.offset)
            if sync { try file.sync() }
            try file.replace(path, sync: sync)
            return KVSnapshotWrite(kind: .created, tokens: n, bytesWritten: end.offset)
        } catch {
            file.remove()
            throw error
        }
    }

    /// Writes chunks for positions `start..<tokens.count` from `offset`, numbered from `index`; returns the next
    /// chunk's index and offset.
    private func writeChunks(from start: Int, index: Int, to file: KVSnapshotFile, at offset: Int) throws -> (index: Int, offset: Int) {
        var at = offset, i = index, first = start
        let layout = snapshotHeader.layout
        while first < tokens.count {
            let count = min(KVSnapshot.maxChunkTokens, tokens.count - first)
            let ids = KVSnapshot.Chunk.tokenBytes(tokens[first..<first + count])
            let rowsAt = at + KVSnapshot.chunkHeaderBytes + ids.count
            let rowsHash = try cache.writeRows(first..<first + count, to: file, at: rowsAt)
            try file.write(ids, at: at + KVSnapshot.chunkHeaderBytes)
            let chunk = KVSnapshot.Chunk(index: i, first: first, count: count, tokensHash: ids.withUnsafeBytes { XXHash64.hash($0) },
                                         rowsHash: rowsHash, offset: at)
            try file.write(chunk.encodedHeader, at: at)
            at = chunk.end(layout); i += 1; first += count
        }
        return (i, at)
    }

    /// Loads from the snapshot at `path` the cache rows of the longest prefix of `prompt` it holds (at most
    /// prompt.count − 1 tokens: the last one is always recomputed for its logits) and sets `tokens` to it, so the
    /// following `prefill(prompt)` computes only the rest. Returns how many tokens were loaded: 0 when the
    /// snapshot offers no more of `prompt` than the session already holds (the session is then unchanged).
    /// Everything it will use is verified first (header, model identity, cache type and widths, commit record,
    /// chunk headers, token ids, and the checksums of the chunks loaded): on any mismatch it throws and the
    /// session is untouched. Only a read error while loading verified rows (the disk failing, or the file
    /// rewritten in between against the thread rules) leaves it shortened to the prefix it held before.
    @discardableResult
    public func restore(from path: String, prompt: [Int]) throws -> Int {
        guard !prompt.isEmpty else { throw EngineError.emptyInput }
        try validate(prompt, extra: 0, replacing: true)
        let file = try KVSnapshotFile.openForReading(path)
        let snap = try KVSnapshot.read(file)
        if let mismatch = snapshotMismatch(snap.header) { throw mismatch }
        let limit = prompt.count - 1
        let own = min(limit, zip(tokens, prompt).prefix { $0 == $1 }.count)
        let reuse = min(limit, zip(snap.tokens, prompt).prefix { $0 == $1 }.count)
        guard reuse > own else { return 0 }
        let needed = snap.chunks.filter { $0.first < reuse && $0.first + $0.count > own }
        for c in needed {
            guard let h = try file.hash(snap.header.layout.rowBytes(c.count), at: c.rowsOffset) else {
                throw KVSnapshotError.truncated(size: try file.size, needed: c.end(snap.header.layout))
            }
            guard h == c.rowsHash else { throw KVSnapshotError.damaged(.chunkRows(c.index)) }
        }
        do {
            for c in needed {
                let positions = max(own, c.first)..<min(reuse, c.first + c.count)
                guard try cache.readRows(positions, chunkFirst: c.first, chunkCount: c.count, from: file, at: c.rowsOffset) else {
                    throw KVSnapshotError.truncated(size: try file.size, needed: c.end(snap.header.layout))
                }
            }
        } catch {
            truncate(to: own)
            throw error
        }
        tokens = Array(prompt[0..<reuse])
        return reuse - own
    }
}
