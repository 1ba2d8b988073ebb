// The vocabulary read from GGUF metadata: token texts and attributes, special ids, end-of-generation set,
// merge ranks — with llama.cpp's defaults, overrides and text-based detection rules.
import GGUF
import Quote

struct Vocabulary {
    let texts: [[UInt8]]                 // (n_vocab) token text bytes as stored
    var attrs: [TokenAttributes]         // (n_vocab)
    /// Token texts interned in id order: a string's id is its token id.
    let textToID: Interner
    let pre: PreTokenizer
    let preName: String?
    let ignoreMerges: Bool
    var bosID: Int?
    var eosID: Int?
    var eotID: Int?
    var eomID: Int?
    var addBOS: Bool
    var addEOS: Bool
    var eog: Set<Int> = []
    let merges: [String]

    /// `preOverride` replaces tokenizer.ggml.pre, like llama.cpp's --override-kv.
    init(gguf: GGUFFile, preOverride: String? = nil) throws {
        /// GGUF's typed read of a key, its errors as this module's.
        func read<T>(_ key: String, _ get: (String) throws -> T?) throws -> T? {
            do { return try get(key) } catch GGUFError.wrongKeyType(let k, let expected, _) { throw TokenizerError.wrongKeyType(key: k, expected: expected) }
        }
        func required<T>(_ key: String, _ get: (String) throws -> T?) throws -> T {
            guard let v = try read(key, get) else { throw TokenizerError.missingKey(key) }
            return v
        }
        let modelName = try required("tokenizer.ggml.model", gguf.optionalString)
        guard modelName == "gpt2" else { throw TokenizerError.unsupportedModel(modelName) }
        let preName = try preOverride ?? read("tokenizer.ggml.pre", gguf.optionalString)
        let cfg = try PreTokenizer.config(for: preName)
        self.pre = cfg.kind
        self.preName = preName
        self.ignoreMerges = cfg.ignoreMerges

        let tokens = try required("tokenizer.ggml.tokens", gguf.optionalStrings)
        guard !tokens.isEmpty else { throw TokenizerError.invalid("The GGUF file's token list is empty.") }
        let merges = try required("tokenizer.ggml.merges", gguf.optionalStrings)
        self.merges = merges
        let n = tokens.count

        var types: [Int]? = nil
        if let t = try read("tokenizer.ggml.token_type", gguf.optionalInts) {
            guard t.count >= n else { throw TokenizerError.invalid("The GGUF file lists \(t.count) token types for \(n) tokens.") }
            types = t
        }

        var texts: [[UInt8]] = []
        texts.reserveCapacity(n)
        var attrs: [TokenAttributes] = []
        attrs.reserveCapacity(n)
        var interner = Interner(capacity: n)
        for (i, t) in tokens.enumerated() {
            let bytes = t.isEmpty ? Array("[EMPTY_\(i)]".utf8) : Array(t.utf8)
            guard bytes.withUnsafeBufferPointer({ interner.intern($0).added }) else {
                throw TokenizerError.invalid("The token text \(quoted(t.debugDescription)) appears twice in the vocabulary.")
            }
            texts.append(bytes)
            attrs.append(types.map { TokenAttributes(tokenType: $0[i]) } ?? .normal)
        }
        self.texts = texts
        self.textToID = interner
        let map = TokenLookup(interner: interner)

        // Special ids: gpt2 defaults (11), pre-tokenizer overrides, then the file's keys when in range.
        func key(_ k: String) -> Int? {
            guard let v = gguf.metadata["tokenizer.ggml.\(k)"]?.intValue, v >= 0, v < n else { return nil }
            return v
        }
        var bos: Int? = 11 < n ? 11 : nil, eos: Int? = 11 < n ? 11 : nil
        if cfg.noDefaultBOS { bos = nil }
        bos = key("bos_token_id") ?? bos
        eos = key("eos_token_id") ?? eos
        var eot = key("eot_token_id"), eom = key("eom_token_id")
        var fimPad = key("fim_pad_token_id"), fimRep = key("fim_rep_token_id"), fimSep = key("fim_sep_token_id")
        addBOS = gguf.metadata["tokenizer.ggml.add_bos_token"]?.boolValue ?? cfg.addBOS
        addEOS = gguf.metadata["tokenizer.ggml.add_eos_token"]?.boolValue ?? false

        // Detection by text, as llama.cpp does it: such tokens also become control tokens.
        func detect(_ slot: inout Int?, _ names: [String]) {
            guard slot == nil else { return }
            let ids = names.compactMap { map[$0] }
            guard let id = ids.min() else { return }
            slot = id
            attrs[id].insert(.control)
        }
        detect(&eot, ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>",
                      "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"])
        detect(&eom, ["<|eom_id|>"])
        var fimPre = key("fim_pre_token_id") ?? key("prefix_token_id")
        var fimSuf = key("fim_suf_token_id") ?? key("suffix_token_id")
        var fimMid = key("fim_mid_token_id") ?? key("middle_token_id")
        detect(&fimPre, ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"])
        detect(&fimSuf, ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"])
        detect(&fimMid, ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"])
        detect(&fimPad, ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"])
        detect(&fimRep, ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"])
        detect(&fimSep, ["<|file_sep|>"])

        var eog = Set<Int>([fimPad, fimRep, fimSep].compactMap { $0 })
        for name in ["<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
                     "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
                     "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~["] {
            if let id = map[name] { eog.insert(id); attrs[id].insert(.control) }
        }
        for name in ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"] {
            if let id = map[name] { attrs[id] = .userDefined }
        }
        for id in [eos, eot, eom].compactMap({ $0 }) { eog.insert(id) }
        let eogTexts = Set(eog.map { String(decoding: texts[$0], as: UTF8.self) })
        if let end = map["<|end|>"], eog.contains(end),
           (eogTexts.contains("<|return|>") && eogTexts.contains("<|call|>")) || (eogTexts.contains("<|calls|>") && eogTexts.contains("<|flush|>")) {
            eog.remove(end); attrs[end] = .userDefined
        }
        if let s = map["</s>"], eog.contains(s), eogTexts.contains("<|tool_response>") || eogTexts.contains("<|plamo:eos|>") {
            eog.remove(s); attrs[s] = .normal
        }
        // GLM-4.x chat models end a turn on <|user|> and <|observation|> too; early GGUFs list only <|endoftext|>.
        if ["glm4", "glm5", "chatglm-bpe"].contains(preName ?? "") {
            for name in ["<|endoftext|>", "<|user|>", "<|observation|>"] { if let id = map[name] { eog.insert(id) } }
        }
        self.eog = eog
        self.attrs = attrs
        self.bosID = bos; self.eosID = eos; self.eotID = eot; self.eomID = eom

        // Strip attributes llama.cpp sets by model name (applied after its special-token list is built).
        let name = (gguf.string("general.name") ?? "").lowercased()
        let arch = gguf.architecture ?? ""
        if ["jina-v2-de", "jina-v2-es", "jina-v2-code"].contains(where: { (preName ?? "").contains($0) })
            || ["nomic-bert-moe", "jina-bert-v3"].contains(where: { arch.contains($0) }) {
            if let m = map["<mask>"] { self.attrs[m].insert(.lstrip) }
        } else if name.contains("phi-3") || name.contains("phi3") {
            for i in 0..<n where attrs[i].contains(.control) || attrs[i].contains(.userDefined) || attrs[i].contains(.unknown) {
                self.attrs[i].insert(.rstrip)
            }
            if let t = map["</s>"] { self.attrs[t].insert(.rstrip) }
            for t in ["<unk>", "<s>", "<|endoftext|>"] { if let i = map[t] { self.attrs[i].remove(.rstrip) } }
        } else if name.contains("modern-bert") {
            if let m = map["[MASK]"] { self.attrs[m].insert(.lstrip) }
        }
    }
}

/// Token id by text, for the name-based rules above.
struct TokenLookup {
    let interner: Interner
    subscript(_ s: String) -> Int? { interner.find(s).map { Int($0) } }
}
