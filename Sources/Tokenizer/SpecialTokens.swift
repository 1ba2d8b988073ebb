// Splits text around special tokens the way llama.cpp's tokenizer_st_partition does: longest token text
// first, each matched leftmost and non-overlapping in the text not yet claimed; control tokens only when asked,
// user-defined tokens always.

struct SpecialTokens {
    struct Entry { let id: Int; let text: [UInt8]; let isControl: Bool; let lstrip: Bool; let rstrip: Bool }
    /// Candidates in llama.cpp's order: longer texts first (ties by id).
    let entries: [Entry]
    /// Bytes of the longest special token's text.
    var longest: Int { entries.first?.text.count ?? 0 }
    /// Entries of texts at least two bytes long grouped by their first two bytes: the group of pair p is
    /// pairEntries[pairStart[p] ..< pairStart[p + 1]]; pairStart is (65537).
    private let pairStart: [Int32]
    private let pairEntries: [Int32]
    /// first byte → indices of one-byte texts.
    private let single: [UInt8: [Int]]

    init(vocab: Vocabulary) {
        var list: [Entry] = []
        for (id, a) in vocab.attrs.enumerated() where !a.intersection([.control, .userDefined, .unknown]).isEmpty {
            list.append(Entry(id: id, text: vocab.texts[id], isControl: !a.intersection([.control, .unknown]).isEmpty,
                              lstrip: a.contains(.lstrip), rstrip: a.contains(.rstrip)))
        }
        list.sort { $0.text.count != $1.text.count ? $0.text.count > $1.text.count : $0.id < $1.id }
        entries = list
        var s: [UInt8: [Int]] = [:]
        var counts = [Int32](repeating: 0, count: 65537)
        for e in list where e.text.count >= 2 { counts[Int(e.text[0]) << 8 | Int(e.text[1]) + 1] += 1 }
        for i in 1..<65537 { counts[i] += counts[i - 1] }
        var fill = counts
        var members = [Int32](repeating: 0, count: Int(counts[65536]))
        for (i, e) in list.enumerated() {
            if e.text.count >= 2 {
                let p = Int(e.text[0]) << 8 | Int(e.text[1])
                members[Int(fill[p])] = Int32(i); fill[p] += 1
            } else if let b = e.text.first { s[b, default: []].append(i) }
        }
        pairStart = counts
        pairEntries = members
        single = s
    }

    /// A raw text range, or a special token's id and the offset where its text starts.
    enum Piece: Equatable { case text(Range<Int>), token(Int, at: Int) }

    /// The pieces of `text` in order: raw text ranges and special token ids.
    func partition(_ text: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Piece] {
        let n = text.count
        guard n > 0 else { return [] }
        guard !entries.isEmpty else { return [.text(0..<n)] }
        // All occurrences of candidate texts: (entry index, position).
        var occ: [(e: Int, p: Int)] = []
        for p in 0..<n {
            if p + 1 < n {
                let pair = Int(text[p]) << 8 | Int(text[p + 1])
                for k in Int(pairStart[pair])..<Int(pairStart[pair + 1]) {
                    let e = Int(pairEntries[k])
                    guard parseSpecial || !entries[e].isControl else { continue }
                    let t = entries[e].text
                    if p + t.count <= n && t.withUnsafeBufferPointer({ tb in (0..<tb.count).allSatisfy { text[p + $0] == tb[$0] } }) {
                        occ.append((e, p))
                    }
                }
            }
            if !single.isEmpty, let c = single[text[p]] { for e in c where parseSpecial || !entries[e].isControl { occ.append((e, p)) } }
        }
        guard !occ.isEmpty else { return [.text(0..<n)] }
        occ.sort { $0.e != $1.e ? $0.e < $1.e : $0.p < $1.p }
        // 0 free, 1 claimed by a token, 2 stripped whitespace.
        var state = [UInt8](repeating: 0, count: n)
        var found: [(p: Int, id: Int, len: Int)] = []
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        for (e, p) in occ {
            let len = entries[e].text.count
            guard (p..<p + len).allSatisfy({ state[$0] == 0 }) else { continue }
            for i in p..<p + len { state[i] = 1 }
            found.append((p, entries[e].id, len))
            if entries[e].lstrip {
                var j = p - 1
                while j >= 0 && state[j] == 0 && isSpace(text[j]) { state[j] = 2; j -= 1 }
            }
            if entries[e].rstrip {
                var j = p + len
                while j < n && state[j] == 0 && isSpace(text[j]) { state[j] = 2; j += 1 }
            }
        }
        found.sort { $0.p < $1.p }
        var pieces: [Piece] = []
        var pos = 0
        func flushText(upTo end: Int) {
            var i = pos
            while i < end {
                while i < end && state[i] != 0 { i += 1 }
                let s = i
                while i < end && state[i] == 0 { i += 1 }
                if i > s { pieces.append(.text(s..<i)) }
            }
        }
        for f in found {
            flushText(upTo: f.p)
            pieces.append(.token(f.id, at: f.p))
            pos = f.p + f.len
        }
        flushText(upTo: n)
        return pieces
    }
}
