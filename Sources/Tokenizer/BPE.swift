// Byte-pair merging of one word, by merge rank, exactly as llama.cpp's BPE session (lowest rank first,
// leftmost on ties; a merged string need not be a token). Strings are interned as raw bytes.

struct BPE {
    /// Interned strings (raw bytes, not byte-level text): vocabulary tokens, merge sides and merge results.
    private var sids: [[UInt8]: Int32] = [:]
    /// sid → token id, or -1 when the string is no token: (n_strings).
    private(set) var sidToken: [Int32] = []
    /// (sid left << 32 | sid right) → (rank << 32 | sid of the merged string).
    private var merges: [UInt64: UInt64] = [:]
    /// byte → sid of the one-byte string, or -1: (256).
    private var byteSID = [Int32](repeating: -1, count: 256)
    /// byte of a byte-level text → token whose text is that single byte, or -1 (llama.cpp's last resort): (256).
    private var singleByteToken = [Int32](repeating: -1, count: 256)

    init(vocab: Vocabulary) {
        sids.reserveCapacity(vocab.texts.count + vocab.merges.count)
        for (id, t) in vocab.texts.enumerated() {
            if t.count == 1 { singleByteToken[Int(t[0])] = Int32(id) }
            guard let raw = ByteLevel.rawBytes(of: t) else { continue }
            let s = intern(raw)
            if sidToken[Int(s)] < 0 { sidToken[Int(s)] = Int32(id) }
        }
        merges.reserveCapacity(vocab.merges.count)
        for (rank, m) in vocab.merges.enumerated() {
            let b = Array(m.utf8)
            guard b.count > 1, let sp = b[1...].firstIndex(of: 0x20) else { continue }
            guard let l = ByteLevel.rawBytes(of: Array(b[..<sp])), let r = ByteLevel.rawBytes(of: Array(b[(sp + 1)...])),
                  !l.isEmpty, !r.isEmpty else { continue }
            let sl = intern(l), sr = intern(r)
            let key = UInt64(UInt32(sl)) << 32 | UInt64(UInt32(sr))
            if merges[key] != nil { continue }
            let res = intern(l + r)
            merges[key] = UInt64(rank) << 32 | UInt64(UInt32(res))
        }
        for b in 0..<256 { byteSID[b] = sids[[UInt8(b)]] ?? -1 }
    }

    private mutating func intern(_ s: [UInt8]) -> Int32 {
        if let v = sids[s] { return v }
        let v = Int32(sidToken.count)
        sids[s] = v
        sidToken.append(-1)
        return v
    }

    /// The token of a whole word (raw bytes), if the word is itself a token.
    func wholeToken(_ word: ArraySlice<UInt8>) -> Int? {
        guard let s = sids[Array(word)] else { return nil }
        let t = sidToken[Int(s)]
        return t >= 0 ? Int(t) : nil
    }

    /// Scratch space reused across words.
    struct Scratch {
        var sid: [Int32] = [], prev: [Int32] = [], next: [Int32] = [], len: [Int32] = []
        var heap: [Bigram] = []
    }
    struct Bigram { var key: UInt64; var right: Int32; var sidL: Int32; var sidR: Int32 }  // key: rank << 32 | left

    /// Merges one word (raw bytes) and appends its token ids.
    func merge(_ w: ArraySlice<UInt8>, _ sc: inout Scratch, into out: inout [Int]) {
        let n = w.count
        guard n > 0 else { return }
        let base = w.startIndex
        sc.sid.removeAll(keepingCapacity: true); sc.prev.removeAll(keepingCapacity: true)
        sc.next.removeAll(keepingCapacity: true); sc.len.removeAll(keepingCapacity: true)
        sc.heap.removeAll(keepingCapacity: true)
        for i in 0..<n {
            sc.sid.append(byteSID[Int(w[base + i])])
            sc.prev.append(Int32(i - 1))
            sc.next.append(i + 1 < n ? Int32(i + 1) : -1)
            sc.len.append(1)
        }
        for i in 1..<max(n, 1) { push(Int32(i - 1), Int32(i), &sc) }
        while let b = pop(&sc) {
            let l = Int(b.key & 0xFFFF_FFFF), r = Int(b.right)
            guard sc.len[l] > 0, sc.len[r] > 0, sc.sid[l] == b.sidL, sc.sid[r] == b.sidR else { continue }
            guard let m = merges[UInt64(UInt32(b.sidL)) << 32 | UInt64(UInt32(b.sidR))] else { continue }
            sc.sid[l] = Int32(truncatingIfNeeded: m & 0xFFFF_FFFF)
            sc.len[l] += sc.len[r]
            sc.len[r] = 0
            sc.next[l] = sc.next[r]
            if sc.next[r] >= 0 { sc.prev[Int(sc.next[r])] = Int32(l) }
            if sc.prev[l] >= 0 { push(sc.prev[l], Int32(l), &sc) }
            if sc.next[l] >= 0 { push(Int32(l), sc.next[l], &sc) }
        }
        var i: Int32 = 0
        while i >= 0 {
            let s = sc.sid[Int(i)]
            let t = s >= 0 ? sidToken[Int(s)] : -1
            if t >= 0 {
                out.append(Int(t))
            } else {
                // llama.cpp looks up each byte of the symbol's byte-level text as a one-byte token.
                for k in 0..<Int(sc.len[Int(i)]) {
                    for x in ByteLevel.byteToUTF8[Int(w[base + Int(i) + k])] where singleByteToken[Int(x)] >= 0 {
                        out.append(Int(singleByteToken[Int(x)]))
                    }
                }
            }
            i = sc.next[Int(i)]
        }
    }

    @inline(__always) private func push(_ l: Int32, _ r: Int32, _ sc: inout Scratch) {
        let sl = sc.sid[Int(l)], sr = sc.sid[Int(r)]
        guard sl >= 0, sr >= 0, let m = merges[UInt64(UInt32(sl)) << 32 | UInt64(UInt32(sr))] else { return }
        let rank = m >> 32
        sc.heap.append(Bigram(key: rank << 32 | UInt64(UInt32(l)), right: r, sidL: sl, sidR: sr))
        var c = sc.heap.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            if sc.heap[p].key <= sc.heap[c].key { break }
            sc.heap.swapAt(p, c); c = p
        }
    }

    @inline(__always) private func pop(_ sc: inout Scratch) -> Bigram? {
        guard let top = sc.heap.first else { return nil }
        let last = sc.heap.removeLast()
        if !sc.heap.isEmpty {
            sc.heap[0] = last
            var p = 0
            let n = sc.heap.count
            while true {
                let a = 2 * p + 1, b = a + 1
                var m = p
                if a < n && sc.heap[a].key < sc.heap[m].key { m = a }
                if b < n && sc.heap[b].key < sc.heap[m].key { m = b }
                if m == p { break }
                sc.heap.swapAt(p, m); p = m
            }
        }
        return top
    }
}
