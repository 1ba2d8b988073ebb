// The public tokenizer: byte-level BPE from a GGUF vocabulary, producing exactly llama.cpp's token ids.
import GGUF

public final class Tokenizer: @unchecked Sendable {
    let vocab: Vocabulary
    let bpe: BPE
    let specials: SpecialTokens
    /// Decoded bytes of each token as llama.cpp's token_to_piece with special = true: (n_vocab).
    private let pieces: [[UInt8]]

    public convenience init(gguf: GGUFFile) throws { try self.init(gguf: gguf, preTokenizerOverride: nil) }

    /// A tokenizer that uses `preTokenizerOverride` instead of the file's tokenizer.ggml.pre (as llama.cpp's
    /// --override-kv tokenizer.ggml.pre=str:NAME does).
    public init(gguf: GGUFFile, preTokenizerOverride: String?) throws {
        let v = try Vocabulary(gguf: gguf, preOverride: preTokenizerOverride)
        vocab = v
        bpe = BPE(vocab: v)
        specials = SpecialTokens(vocab: v)
        pieces = zip(v.texts, v.attrs).map { text, a in
            if !a.intersection([.control, .unknown, .userDefined]).isEmpty { return text }
            if a.contains(.normal) { return ByteLevel.decodeText(text) }
            if a.contains(.byte), text.count >= 5, let b = UInt8(String(decoding: text[3..<5], as: UTF8.self), radix: 16) { return [b] }
            return []
        }
    }

    public var vocabSize: Int { vocab.texts.count }
    public var bosID: Int? { vocab.bosID }
    public var eosID: Int? { vocab.eosID }
    public var eotID: Int? { vocab.eotID }
    public var eomID: Int? { vocab.eomID }
    public var addBOS: Bool { vocab.addBOS }
    /// The pre-tokenizer in use and its GGUF name.
    public var preTokenizer: PreTokenizer { vocab.pre }
    public var preTokenizerName: String? { vocab.preName }
    /// End-of-generation ids (EOS, EOT, EOM and llama.cpp's text-detected ones; for GLM-4 vocabularies also
    /// <|endoftext|>, <|user|> and <|observation|>, i.e. 154820, 154827, 154829 in GLM-4.7-Flash).
    public var stopIDs: Set<Int> { vocab.eog }

    public func isControl(_ id: Int) -> Bool { id >= 0 && id < vocabSize && vocab.attrs[id].contains(.control) }

    /// Exact token text lookup, e.g. "<|user|>".
    public func id(of token: String) -> Int? { vocab.textToID.find(token).map { Int($0) } }

    /// The bytes a token stands for (control tokens: their text); empty for ids out of range.
    public func tokenBytes(_ id: Int) -> [UInt8] { id >= 0 && id < pieces.count ? pieces[id] : [] }

    /// The bytes a token prints as: control and unknown tokens only when `renderSpecial`.
    func piece(_ id: Int, renderSpecial: Bool) -> ArraySlice<UInt8> {
        guard id >= 0, id < pieces.count else { return [] }
        if !renderSpecial && !vocab.attrs[id].intersection([.control, .unknown]).isEmpty { return [] }
        return pieces[id][...]
    }

    /// Token ids of `text`. Special tokens in the text are recognised only with `parseSpecial` (user-defined
    /// tokens always, as in llama.cpp). `addBOS` is llama.cpp's add_special (nil: the file's setting): it adds
    /// BOS when the vocabulary asks for it (and EOS when it asks for that).
    public func encode(_ text: String, parseSpecial: Bool = false, addBOS: Bool? = nil) -> [Int] {
        encode(bytes: Array(text.utf8), parseSpecial: parseSpecial, addBOS: addBOS)
    }

    /// Token ids of raw bytes (invalid UTF-8 is tokenized as U+FFFD per bad byte, as llama.cpp does).
    public func encode(bytes: [UInt8], parseSpecial: Bool = false, addBOS: Bool? = nil) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(bytes.count / 3 + 2)
        let special = addBOS ?? true
        if special && vocab.addBOS, let b = vocab.bosID { out.append(b) }
        var marks: [SpecialMark] = []
        appendEncoding(bytes, from: 0, parseSpecial: parseSpecial, into: &out, marks: &marks)
        if special && vocab.addEOS, let e = vocab.eosID { out.append(e) }
        return out
    }

    /// Where a special token sits in an encoding: its text's byte offset and its index among the ids.
    struct SpecialMark { var byte: Int; var index: Int }

    /// Appends the ids of `bytes[start...]` (no BOS or EOS) to `out`, and where each special token is to `marks`.
    func appendEncoding(_ bytes: [UInt8], from start: Int, parseSpecial: Bool, into out: inout [Int], marks: inout [SpecialMark]) {
        bytes.withUnsafeBufferPointer { whole in
            let buf = UnsafeBufferPointer(rebasing: whole[start...])
            var session = Session(tokenizer: self)
            for p in specials.partition(buf, parseSpecial: parseSpecial) {
                switch p {
                case .token(let id, let at): marks.append(SpecialMark(byte: start + at, index: out.count)); out.append(id)
                case .text(let r): session.encode(UnsafeBufferPointer(rebasing: buf[r]), into: &out)
                }
            }
        }
    }

    /// Text of `ids`: the concatenated pieces (no space clean-up), control tokens only with `renderSpecial`.
    /// Bytes that do not form valid UTF-8 are shown as U+FFFD.
    public func decode(_ ids: [Int], renderSpecial: Bool = false) -> String {
        String(decoding: decodeBytes(ids, renderSpecial: renderSpecial), as: UTF8.self)
    }

    public func decodeBytes(_ ids: [Int], renderSpecial: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids { out += piece(id, renderSpecial: renderSpecial) }
        return out
    }
}

/// Per-call state of encoding: scratch buffers and a cache of words already merged.
struct Session {
    let tok: Tokenizer
    var cps: [UInt32] = []
    var flags: [UInt16] = []
    var word: [UInt8] = []
    var scratch = BPE.Scratch()
    var cache = WordCache()

    init(tokenizer: Tokenizer) { tok = tokenizer }

    mutating func encode(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int]) {
        cps.removeAll(keepingCapacity: true)
        ByteLevel.decode(text, into: &cps)
        flags.removeAll(keepingCapacity: true)
        let table = UnicodeFlags.table
        for c in cps { flags.append(c < UnicodeFlags.maxCodePoint ? table[Int(c)] : UnicodeFlags.undefined) }
        let ends = cps.withUnsafeBufferPointer { c in flags.withUnsafeBufferPointer { f in tok.vocab.pre.split(c, f) } }
        var start = 0
        for end in ends {
            word.removeAll(keepingCapacity: true)
            for i in start..<end { ByteLevel.appendUTF8(cps[i], to: &word) }
            start = end
            word.withUnsafeBufferPointer { w in
                let h = WordCache.hash(w)
                if cache.lookup(w, hash: h, into: &out) { return }
                let first = out.count
                if tok.vocab.ignoreMerges, let t = tok.bpe.wholeToken(w, &scratch) {
                    out.append(t)
                } else {
                    tok.bpe.merge(w, &scratch, into: &out)
                }
                cache.insert(w, hash: h, ids: out[first...])
            }
        }
    }
}
