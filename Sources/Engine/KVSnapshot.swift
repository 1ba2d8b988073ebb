// The KV snapshot file format (version 1): a session's KV cache rows and token ids on disk, appendable and crash-safe.
//
// Every integer is little-endian; offsets are in bytes; XXH64 is xxHash's 64-bit hash with seed 0.
//
//   [0, 4096)       header, written once when the file is made (a whole rewrite makes a new file):
//                     0 magic "GLMKVSNP"         8 format version u32 (1)     12 engine version u32 (`engineVersion`)
//                    16 architecture u32 (0 deepseek2, 1 llama)            20 element type u32 (0 f32, 1 f16)
//                    24 layers u32   28 key width u32   32 value width u32 (numbers per token per layer; 0: no values)
//                    36 zero u32     40 context length of the session that made it u64 (for information)
//                    48 model file size u64   56 model header hash u64   64 model tensor sample hash u64 (ModelIdentity)
//                    72 XXH64 of bytes [0, 72)
//   [4096, 8192)    commit record slot 0; [8192, 12288) slot 1. Each:
//                     0 magic "GLMKVCMT"   8 sequence u64   16 tokens u64   24 chunks u64
//                    32 end u64 (the byte after the last committed chunk)   40 XXH64 of bytes [0, 40)
//                   The valid slot with the higher sequence is the snapshot; bytes past its `end` are ignored.
//   [12288, end)    chunks, back to back, each `count` consecutive tokens (at most `maxChunkTokens`):
//                     0 magic "GLMKVCHK"   8 chunk index u64   16 first token position u64   24 count u64
//                    32 XXH64 of the token ids   40 XXH64 of the rows   48 XXH64 of bytes [0, 48)
//                    56 token ids: count × u32
//                   then the rows: keys (layers, count, key width), then values (layers, count, value width), each
//                   number f32 or IEEE f16 as the element type says — per layer one run, as the cache holds them.
//
// Appending tokens t..<n to a file that holds tokens 0..<t: write new chunks from the newest commit's `end`,
// truncate the file there, fsync, then write the other slot with sequence + 1, fsync. A crash before the
// slot write leaves the old commit (its chunks untouched); a torn slot fails its checksum and the other slot
// still names the old snapshot. Any other change (new tokens that do not extend the file's, another model or
// cache) rewrites the whole file: a temporary file beside it, fsync, rename, fsync the folder.
// A reader verifies the header, a commit record, every chunk header and token ids before it touches a session,
// and the rows of the chunks it will load; it uses a snapshot whole or not at all.
import GGUF
import Kernels

public enum KVSnapshot {
    static let formatVersion = 1
    /// What the rows mean: bump it whenever the engine computes different cache contents for the same tokens
    /// (a change of RoPE, norm, latent layout or number format), so old snapshots are refused, not misread.
    public static let engineVersion = 1
    /// Tokens per chunk of a write: damage is found and reported per chunk.
    public static let maxChunkTokens = 1024

    static let headerMagic = magic("GLMKVSNP"), commitMagic = magic("GLMKVCMT"), chunkMagic = magic("GLMKVCHK")
    static let headerBytes = 80, commitBytes = 48, chunkHeaderBytes = 56
    static let slotOffsets = [4096, 8192], chunksStart = 12288

    private static func magic(_ s: String) -> UInt64 {
        s.utf8.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// What a snapshot's cache holds per token.
    public struct Layout: Equatable, Sendable, CustomStringConvertible {
        public let arch: Architecture
        /// What the key rows hold (values are always f32).
        public let type: EngineOptions.KVCacheType
        public let layers: Int, keyWidth: Int, valueWidth: Int

        /// Bytes of the rows of `count` tokens.
        func rowBytes(_ count: Int) -> Int { layers * count * (type.rowBytes(keyWidth) + valueWidth * 4) }
        public var cacheType: String { type.rawValue }
        /// The header's code for `type` (0 f32, 1 f16, 2 q8_0: the first two as in format 1's f16 flag).
        static let typeCodes: [EngineOptions.KVCacheType] = [.f32, .f16, .q8_0]
        public var description: String { "\(layers) layers of \(keyWidth)+\(valueWidth) numbers per token" }
    }

    struct Header: Equatable {
        let engineVersion: Int
        let layout: Layout
        let contextLength: Int
        let identity: ModelIdentity

        var encoded: [UInt8] {
            var w = LittleEndianBytes()
            w.u64(headerMagic); w.u32(formatVersion); w.u32(engineVersion)
            w.u32(layout.arch == .deepseek2 ? 0 : 1); w.u32(Layout.typeCodes.firstIndex(of: layout.type)!)
            w.u32(layout.layers); w.u32(layout.keyWidth); w.u32(layout.valueWidth); w.u32(0)
            w.u64(contextLength); w.u64(identity.fileSize); w.u64(identity.headerHash); w.u64(identity.tensorSampleHash)
            w.checksum()
            return w.bytes
        }

        /// Checks in the order that names the most useful reason: magic, format version, checksum.
        init(decoding b: [UInt8]) throws {
            let r = LittleEndianReader(b)
            guard b.count >= headerBytes, r.u64(0) == headerMagic else { throw KVSnapshotError.notASnapshot }
            guard r.u32(8) == formatVersion else { throw KVSnapshotError.formatVersion(r.u32(8)) }
            guard r.checksumHolds(at: 72) else { throw KVSnapshotError.damaged(.header) }
            let arch = r.u32(16), type = r.u32(20)
            guard arch <= 1, type < Layout.typeCodes.count, r.u32(24) > 0, r.u32(28) > 0, r.u32(36) == 0 else { throw KVSnapshotError.damaged(.header) }
            engineVersion = r.u32(12)
            layout = Layout(arch: arch == 0 ? .deepseek2 : .llama, type: Layout.typeCodes[type], layers: r.u32(24), keyWidth: r.u32(28),
                            valueWidth: r.u32(32))
            contextLength = Int(r.u64(40))
            identity = ModelIdentity(fileSize: r.u64(48), headerHash: r.u64(56), tensorSampleHash: r.u64(64))
        }

        init(engineVersion: Int, layout: Layout, contextLength: Int, identity: ModelIdentity) {
            self.engineVersion = engineVersion; self.layout = layout; self.contextLength = contextLength; self.identity = identity
        }
    }

    struct Commit {
        let sequence: UInt64
        let tokens: Int, chunks: Int, end: Int

        var encoded: [UInt8] {
            var w = LittleEndianBytes()
            w.u64(commitMagic); w.u64(sequence); w.u64(tokens); w.u64(chunks); w.u64(end)
            w.checksum()
            return w.bytes
        }

        /// Nil for a slot never written, torn or damaged.
        static func decode(_ b: [UInt8]?) -> Commit? {
            guard let b, b.count >= commitBytes else { return nil }
            let r = LittleEndianReader(b)
            guard r.u64(0) == commitMagic, r.checksumHolds(at: 40), r.u64(32) >= UInt64(chunksStart),
                  r.u64(16) < 1 << 40, r.u64(24) < 1 << 40, r.u64(32) < 1 << 62 else { return nil }
            return Commit(sequence: r.u64(8), tokens: Int(r.u64(16)), chunks: Int(r.u64(24)), end: Int(r.u64(32)))
        }
    }

    struct Chunk {
        let index: Int, first: Int, count: Int
        let tokensHash: UInt64, rowsHash: UInt64
        /// Where the chunk starts in the file.
        let offset: Int

        var tokensOffset: Int { offset + chunkHeaderBytes }
        var rowsOffset: Int { tokensOffset + 4 * count }
        func end(_ layout: Layout) -> Int { rowsOffset + layout.rowBytes(count) }

        var encodedHeader: [UInt8] {
            var w = LittleEndianBytes()
            w.u64(chunkMagic); w.u64(index); w.u64(first); w.u64(count); w.u64(tokensHash); w.u64(rowsHash)
            w.checksum()
            return w.bytes
        }

        static func tokenBytes(_ ids: ArraySlice<Int>) -> [UInt8] {
            var w = LittleEndianBytes()
            for id in ids { w.u32(id) }
            return w.bytes
        }
    }

    /// A snapshot's header, newest valid commit and chunk directory with its token ids, all verified; rows unread.
    struct Contents {
        let header: Header
        let commit: Commit
        /// The slot `commit` was read from (the next append writes the other one).
        let slot: Int
        let chunks: [Chunk]
        let tokens: [Int]
        let fileSize: Int
    }

    static func read(_ file: KVSnapshotFile) throws -> Contents {
        let size = try file.size
        guard let head = try file.read(headerBytes, at: 0) else {
            let start = try file.read(min(size, 8), at: 0) ?? []
            let ours = start.count == 8 && LittleEndianReader(start).u64(0) == headerMagic
            throw ours ? KVSnapshotError.truncated(size: size, needed: chunksStart) : KVSnapshotError.notASnapshot
        }
        let header = try Header(decoding: head)
        guard size >= chunksStart else { throw KVSnapshotError.truncated(size: size, needed: chunksStart) }
        let slots = try slotOffsets.map { Commit.decode(try file.read(commitBytes, at: $0)) }
        guard let slot = slots.indices.filter({ slots[$0] != nil }).max(by: { slots[$0]!.sequence < slots[$1]!.sequence }),
              let commit = slots[slot] else { throw KVSnapshotError.damaged(.commitRecord) }
        guard size >= commit.end else { throw KVSnapshotError.truncated(size: size, needed: commit.end) }
        var chunks: [Chunk] = [], tokens: [Int] = [], offset = chunksStart
        tokens.reserveCapacity(commit.tokens)
        for i in 0..<commit.chunks {
            guard offset + chunkHeaderBytes <= commit.end, let b = try file.read(chunkHeaderBytes, at: offset) else { throw KVSnapshotError.damaged(.chunkHeader(i)) }
            let r = LittleEndianReader(b)
            let count = Int(clamping: r.u64(24))
            guard r.u64(0) == chunkMagic, r.checksumHolds(at: 48), r.u64(8) == UInt64(i), r.u64(16) == UInt64(tokens.count),
                  count > 0, count <= commit.tokens - tokens.count else { throw KVSnapshotError.damaged(.chunkHeader(i)) }
            let chunk = Chunk(index: i, first: tokens.count, count: count, tokensHash: r.u64(32), rowsHash: r.u64(40), offset: offset)
            guard chunk.end(header.layout) <= commit.end, let ids = try file.read(4 * count, at: chunk.tokensOffset),
                  ids.withUnsafeBytes({ XXHash64.hash($0) }) == chunk.tokensHash else { throw KVSnapshotError.damaged(.chunkTokens(i)) }
            let ir = LittleEndianReader(ids)
            for k in 0..<count { tokens.append(ir.u32(4 * k)) }
            chunks.append(chunk)
            offset = chunk.end(header.layout)
        }
        guard offset == commit.end, tokens.count == commit.tokens else { throw KVSnapshotError.damaged(.commitRecord) }
        return Contents(header: header, commit: commit, slot: slot, chunks: chunks, tokens: tokens, fileSize: size)
    }
}

/// What a snapshot file holds, read without its rows: for choosing which snapshot fits a prompt best, and
/// for keeping a folder of them under a size budget.
public struct KVSnapshotInfo: Sendable {
    public let tokens: [Int]
    public let identity: ModelIdentity
    public let engineVersion: Int
    public let layout: KVSnapshot.Layout
    /// The file's size on disk.
    public let bytes: Int

    /// Reads and checks the header, commit record, chunk headers and token ids (not the rows).
    public init(path: String) throws {
        let c = try KVSnapshot.read(try KVSnapshotFile.openForReading(path))
        tokens = c.tokens; identity = c.header.identity; engineVersion = c.header.engineVersion
        layout = c.header.layout; bytes = c.fileSize
    }
}

/// Builds a little-endian record; `checksum` appends the XXH64 of everything before it.
private struct LittleEndianBytes {
    var bytes: [UInt8] = []
    mutating func u32(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { bytes += $0 } }
    mutating func u64(_ v: Int) { u64(UInt64(v)) }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func checksum() { u64(bytes.withUnsafeBytes { XXHash64.hash($0) }) }
}

/// Reads little-endian fields of a record at fixed offsets (the caller checks the length first).
private struct LittleEndianReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func u32(_ at: Int) -> Int { Int(UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) })) }
    func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) }) }
    /// The u64 at `at` is the XXH64 of the bytes before it.
    func checksumHolds(at: Int) -> Bool { u64(at) == bytes.withUnsafeBytes { XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<at])) } }
}
