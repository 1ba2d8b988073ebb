// Interned byte strings: each distinct string gets a dense id; lookups by bytes without allocating.

struct Interner {
    private var slots: [UInt64]           // (capacity) high 32 bits of the hash << 32 | (string id + 1); 0 = empty
    private var hashes: [UInt64] = []     // (count) hash of each string
    private var starts: [Int32] = [0]     // (count + 1) offsets into arena
    private var arena: [UInt8] = []

    init(capacity: Int) {
        var c = 1024
        while c < capacity * 2 { c *= 2 }
        slots = [UInt64](repeating: 0, count: c)
    }

    var count: Int { hashes.count }

    /// The id of a string given as a Swift String.
    func find(_ s: String) -> Int32? {
        var s = s
        return s.withUTF8 { find($0) }
    }

    @inline(__always) static func hash(_ w: UnsafeBufferPointer<UInt8>) -> UInt64 { WordCache.hash(w) }

    /// The id of `w`, or nil.
    func find(_ w: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = Self.hash(w)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if s >> 32 == h >> 32 {
                let id = Int(s & 0xFFFF_FFFF) - 1
                if equal(id, w) { return Int32(id) }
            }
            i = (i + 1) & mask
        }
    }

    /// The id of `w`, adding it if new; `added` tells which.
    mutating func intern(_ w: UnsafeBufferPointer<UInt8>) -> (id: Int32, added: Bool) {
        let h = Self.hash(w)
        var mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            if s >> 32 == h >> 32 {
                let id = Int(s & 0xFFFF_FFFF) - 1
                if equal(id, w) { return (Int32(id), false) }
            }
            i = (i + 1) & mask
        }
        let id = Int32(hashes.count)
        hashes.append(h)
        arena.append(contentsOf: w)
        starts.append(Int32(arena.count))
        if (hashes.count * 2) > slots.count {
            grow(); mask = slots.count - 1
            i = Int(truncatingIfNeeded: h) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
        }
        slots[i] = (h >> 32) << 32 | UInt64(id + 1)
        return (id, true)
    }

    @inline(__always) private func equal(_ id: Int, _ w: UnsafeBufferPointer<UInt8>) -> Bool {
        let a = Int(starts[id]), b = Int(starts[id + 1])
        guard b - a == w.count else { return false }
        for k in 0..<w.count where arena[a + k] != w[k] { return false }
        return true
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (id, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = (h >> 32) << 32 | UInt64(id + 1)
        }
    }
}
