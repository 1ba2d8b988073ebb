// A per-call cache from word bytes to token ids (open addressing, bytes and ids kept in flat arenas).

struct WordCache {
    private struct Slot { var hash: UInt64 = 0; var bytesAt: Int32 = 0; var bytesLen: Int32 = 0; var idsAt: Int32 = 0; var idsLen: Int32 = 0 }
    private var slots = [Slot](repeating: Slot(), count: 1 << 12)
    private var count = 0
    private var bytes: [UInt8] = []
    private var ids: [Int32] = []
    static let maxEntries = 1 << 20

    /// FNV-1a of the word, finished with MurmurHash3's mixer so the low bits spread; never 0 (0 marks an empty slot).
    @inline(__always) static func hash(_ w: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in w { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        h ^= h >> 33; h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33; h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h | 1
    }

    /// Appends the cached ids of `w` to `out`; false if `w` is not cached.
    @inline(__always) func lookup(_ w: UnsafeBufferPointer<UInt8>, hash h: UInt64, into out: inout [Int]) -> Bool {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s.hash == 0 { return false }
            if s.hash == h && Int(s.bytesLen) == w.count && equal(at: Int(s.bytesAt), w) {
                for k in Int(s.idsAt)..<Int(s.idsAt + s.idsLen) { out.append(Int(ids[k])) }
                return true
            }
            i = (i + 1) & mask
        }
    }

    @inline(__always) private func equal(at off: Int, _ w: UnsafeBufferPointer<UInt8>) -> Bool {
        for k in 0..<w.count where bytes[off + k] != w[k] { return false }
        return true
    }

    /// Remembers the ids of `w` (until the cache is full).
    mutating func insert(_ w: UnsafeBufferPointer<UInt8>, hash h: UInt64, ids new: ArraySlice<Int>) {
        guard count < Self.maxEntries, bytes.count + w.count < Int(Int32.max), ids.count + new.count < Int(Int32.max) else { return }
        if (count + 1) * 2 > slots.count { grow() }
        let slot = Slot(hash: h, bytesAt: Int32(bytes.count), bytesLen: Int32(w.count), idsAt: Int32(ids.count), idsLen: Int32(new.count))
        bytes.append(contentsOf: w)
        for x in new { ids.append(Int32(truncatingIfNeeded: x)) }
        place(slot)
        count += 1
    }

    private mutating func place(_ s: Slot) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: s.hash) & mask
        while slots[i].hash != 0 { i = (i + 1) & mask }
        slots[i] = s
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        for s in old where s.hash != 0 { place(s) }
    }
}
