// Byte-pair merging of one word, by merge rank, exactly as llama.cpp's BPE session (lowest rank first,
// leftmost on ties; a merged string need not be a token). Strings are byte-level texts, as in the vocabulary.

struct BPE {
    /// String ids ("sids") name byte-level texts, as llama.cpp compares them: below n_vocab a sid is the
    /// token id of that text; above it, a merge side or result that is no token (interned in `extra`).
    private let vocabTexts: Interner
    private var extra: Interner
    private let nVocab: Int32
    /// (sid left << 32 | sid right) → (rank << 32 | sid of the merged string).
    private var merges: [UInt64: UInt64] = [:]
    /// byte → sid of its one-character byte-level text, or -1: (256).
    private var byteSID = [Int32](repeating: -1, count: 256)
    /// byte of a byte-level text → token whose text is that single byte, or -1 (llama.cpp's last resort): (256).
    private var singleByteToken = [Int32](repeating: -1, count: 256)

    init(vocab: Vocabulary) {
        vocabTexts = vocab.textToID
        nVocab = Int32(vocab.texts.count)
        extra = Interner(capacity: 1024)
        for (id, t) in vocab.texts.enumerated() where t.count == 1 { singleByteToken[Int(t[0])] = Int32(id) }
        merges.reserveCapacity(vocab.merges.count)
        var joined: [UInt8] = []
        for (rank, m) in vocab.merges.enumerated() {
            var m = m
            m.withUTF8 { b in
                guard b.count > 1, let sp = b[1...].firstIndex(of: 0x20), sp + 1 < b.count else { return }
                let sl = sid(UnsafeBufferPointer(rebasing: b[..<sp])), sr = sid(UnsafeBufferPointer(rebasing: b[(sp + 1)...]))
                let key = UInt64(UInt32(sl)) << 32 | UInt64(UInt32(sr))
                if merges[key] != nil { return }
                joined.removeAll(keepingCapacity: true)
                joined.append(contentsOf: b[..<sp]); joined.append(contentsOf: b[(sp + 1)...])
                let res = joined.withUnsafeBufferPointer { sid($0) }
                merges[key] = UInt64(rank) << 32 | UInt64(UInt32(res))
            }
        }
        for b in 0..<256 {
            byteSID[b] = ByteLevel.byteToUTF8[b].withUnsafeBufferPointer { t in
                vocabTexts.find(t) ?? extra.find(t).map { $0 + nVocab } ?? -1
            }
        }
    }

    /// The sid of a byte-level text, interning it when it is no token.
    private mutating func sid(_ t: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let id = vocabTexts.find(t) { return id }
        return extra.intern(t).id + nVocab
    }

    /// The token of a whole word (raw bytes), if the word's byte-level text is itself a token.
    func wholeToken(_ word: UnsafeBufferPointer<UInt8>, _ sc: inout Scratch) -> Int? {
        sc.text.removeAll(keepingCapacity: true)
        for b in word { sc.text.append(contentsOf: ByteLevel.byteToUTF8[Int(b)]) }
        return sc.text.withUnsafeBufferPointer { vocabTexts.find($0) }.map { Int($0) }
    }

    /// Scratch space reused across words.
    struct Scratch {
        var sid: [Int32] = [], prev: [Int32] = [], next: [Int32] = [], len: [Int32] = []
        var text: [UInt8] = []
        var heap: [Bigram] = []
    }
    struct Bigram { var key: UInt64; var right: Int32; var sidL: Int32; var sidR: Int32 }  // key: rank << 32 | left

    /// Merges one word (raw bytes) and appends its token ids.
    func merge(_ w: UnsafeBufferPointer<UInt8>, _ sc: inout Scratch, into out: inout [Int]) {
        let n = w.count
        guard n > 0 else { return }
        let base = 0
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
            if s >= 0 && s < nVocab {
                out.append(Int(s))
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
