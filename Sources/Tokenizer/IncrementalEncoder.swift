// Encodes chat prompts turn after turn without starting over: a prompt is split at special tokens before
// anything else (parseSpecial), so the ids up to a special token inside the part of the text that did not
// change are the same as last time; only the rest is encoded again. The result always equals
// `tokenizer.encode(text, parseSpecial: true)` (the file's BOS/EOS included).
public struct IncrementalEncoder {
    public let tokenizer: Tokenizer
    /// Recent encodings, oldest first: a fit counts the whole prompt, a few short pieces, then the prompt again.
    private var recent: [Encoding] = []
    private let keep: Int
    /// Bytes of the last text whose ids were reused rather than encoded (the whole text when it was seen before).
    public private(set) var lastReusedBytes = 0

    struct Encoding {
        var bytes: [UInt8]
        var ids: [Int]
        /// Special tokens in `bytes`, in order.
        var marks: [Tokenizer.SpecialMark]
    }

    public init(tokenizer: Tokenizer, keep: Int = 4) { self.tokenizer = tokenizer; self.keep = max(1, keep) }

    /// Ids of the prompt text, reusing the longest unchanged prefix of a recent encoding.
    public mutating func encode(_ text: String) -> [Int] {
        let bytes = Array(text.utf8)
        // Reused up to the start of a special token that lies, with room for the longest special token on
        // either side, inside the unchanged prefix: the split there is the same in both texts.
        let margin = 2 * tokenizer.specials.longest
        var best: (entry: Int, mark: Tokenizer.SpecialMark)?
        for (i, e) in recent.enumerated() {
            let same = Self.commonPrefix(e.bytes, bytes)
            if same == e.bytes.count && same == bytes.count {
                recent.append(recent.remove(at: i))
                lastReusedBytes = same
                return e.ids
            }
            if let m = Self.lastMark(e.marks, endingBy: same - margin), m.byte > (best?.mark.byte ?? 0) { best = (i, m) }
        }
        let special = tokenizer.vocab.addBOS
        var ids: [Int] = [], marks: [Tokenizer.SpecialMark] = []
        var start = 0
        defer { lastReusedBytes = start }
        if let (i, m) = best {
            ids = Array(recent[i].ids[..<m.index])
            marks = Array(recent[i].marks.prefix { $0.byte < m.byte })
            start = m.byte
        } else if special, let b = tokenizer.vocab.bosID {
            ids.append(b)
        }
        ids.reserveCapacity(bytes.count / 3 + 2)
        tokenizer.appendEncoding(bytes, from: start, parseSpecial: true, into: &ids, marks: &marks)
        if tokenizer.vocab.addEOS, let e = tokenizer.vocab.eosID { ids.append(e) }
        recent.append(Encoding(bytes: bytes, ids: ids, marks: marks))
        if recent.count > keep { recent.removeFirst() }
        return ids
    }

    /// The last mark whose token starts at or before `limit`.
    static func lastMark(_ marks: [Tokenizer.SpecialMark], endingBy limit: Int) -> Tokenizer.SpecialMark? {
        var lo = 0, hi = marks.count   // first index with byte > limit
        while lo < hi { let mid = (lo + hi) / 2; if marks[mid].byte <= limit { lo = mid + 1 } else { hi = mid } }
        return lo > 0 ? marks[lo - 1] : nil
    }

    static func commonPrefix(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let n = min(a.count, b.count)
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                var i = 0
                // Eight bytes at a time, then byte by byte.
                while i + 8 <= n, UnsafeRawPointer(pa.baseAddress! + i).loadUnaligned(as: UInt64.self)
                        == UnsafeRawPointer(pb.baseAddress! + i).loadUnaligned(as: UInt64.self) { i += 8 }
                while i < n && pa[i] == pb[i] { i += 1 }
                return i
            }
        }
    }
}
