// XXH64 (xxHash's 64-bit hash), streaming: the checksum of KV snapshots and the model identity's hashes.

/// Feed bytes in any pieces with `update`, read the hash with `digest` (the same value as hashing them in one
/// piece, and as the reference xxHash library's XXH64 with the same seed).
struct XXHash64 {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9, p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private let seed: UInt64
    private var v1: UInt64, v2: UInt64, v3: UInt64, v4: UInt64
    private var total: UInt64 = 0
    /// Bytes not yet folded into the four lanes (fewer than 32).
    private var pending = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    private var pendingCount = 0

    init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ Self.p1 &+ Self.p2; v2 = seed &+ Self.p2; v3 = seed; v4 = seed &- Self.p1
    }

    /// The hash of `bytes` in one piece.
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var h = XXHash64(seed: seed)
        h.update(bytes)
        return h.digest()
    }

    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        ((acc &+ input &* p2).rotatedLeft(31)) &* p1
    }

    @inline(__always) private static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, !bytes.isEmpty else { return }
        var n = bytes.count
        total &+= UInt64(n)
        if pendingCount > 0 {
            let take = min(32 - pendingCount, n), at = pendingCount, src = p
            withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.advanced(by: at).copyMemory(from: src, byteCount: take) }
            pendingCount += take; p += take; n -= take
            guard pendingCount == 32 else { return }
            v1 = Self.round(v1, UInt64(littleEndian: pending.0)); v2 = Self.round(v2, UInt64(littleEndian: pending.1))
            v3 = Self.round(v3, UInt64(littleEndian: pending.2)); v4 = Self.round(v4, UInt64(littleEndian: pending.3))
            pendingCount = 0
        }
        var a = v1, b = v2, c = v3, d = v4
        while n >= 32 {
            a = Self.round(a, UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
            b = Self.round(b, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            c = Self.round(c, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
            d = Self.round(d, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
            p += 32; n -= 32
        }
        v1 = a; v2 = b; v3 = c; v4 = d
        if n > 0 {
            let src = p, count = n
            withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.copyMemory(from: src, byteCount: count) }
            pendingCount = n
        }
    }

    mutating func update<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { update($0) }
    }

    func digest() -> UInt64 {
        var h: UInt64
        if total >= 32 {
            h = v1.rotatedLeft(1) &+ v2.rotatedLeft(7) &+ v3.rotatedLeft(12) &+ v4.rotatedLeft(18)
            h = Self.merge(h, v1); h = Self.merge(h, v2); h = Self.merge(h, v3); h = Self.merge(h, v4)
        } else {
            h = seed &+ Self.p5
        }
        h &+= total
        var tail = pending
        return withUnsafeBytes(of: &tail) { raw -> UInt64 in
            var i = 0
            while i + 8 <= pendingCount {
                h ^= Self.round(0, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                h = h.rotatedLeft(27) &* Self.p1 &+ Self.p4
                i += 8
            }
            if i + 4 <= pendingCount {
                h ^= UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* Self.p1
                h = h.rotatedLeft(23) &* Self.p2 &+ Self.p3
                i += 4
            }
            while i < pendingCount {
                h ^= UInt64(raw[i]) &* Self.p5
                h = h.rotatedLeft(11) &* Self.p1
                i += 1
            }
            h ^= h >> 33; h = h &* Self.p2
            h ^= h >> 29; h = h &* Self.p3
            h ^= h >> 32
            return h
        }
    }
}

extension UInt64 {
    @inline(__always) fileprivate func rotatedLeft(_ r: UInt64) -> UInt64 { (self << r) | (self >> (64 - r)) }
}
