// Pre-tokenizers chosen by tokenizer.ggml.pre: split text (code points) into words the way llama.cpp does.
//
// llama.cpp runs a list of regexes per pre-tokenizer; each one splits every current segment into its matches
// and the text between them. The common regexes have hand-written splitters in llama.cpp (gpt2, llama3,
// qwen2, qwen35) whose quirks we follow exactly; the others run through std::regex, on "collapsed" text for
// \p{..} classes. We emulate each of those regexes by hand (ECMAScript leftmost-first semantics), so no regex
// engine runs here.

/// How words are cut before byte-pair merging.
public enum PreTokenizer: Sendable, Equatable {
    case gpt2, llama3, qwen2, qwen35, starcoder, falcon, bpeDefault, deepseekLLM, deepseekCoder, deepseekV3

    /// Settings llama.cpp ties to a `tokenizer.ggml.pre` name.
    struct Config {
        var kind: PreTokenizer
        var ignoreMerges = false
        var addBOS = false
        var noDefaultBOS = false
    }

    static func config(for name: String?) throws -> Config {
        guard let name, name != "default" else { return Config(kind: .bpeDefault) }
        switch name {
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
            return Config(kind: .llama3, ignoreMerges: true, addBOS: true)
        case "dbrx", "smaug-bpe": return Config(kind: .llama3)
        case "chatglm-bpe": return Config(kind: .llama3, noDefaultBOS: true)
        case "glm4", "glm5": return Config(kind: .llama3, ignoreMerges: true, noDefaultBOS: true)
        case "deepseek-llm": return Config(kind: .deepseekLLM)
        case "deepseek-coder": return Config(kind: .deepseekCoder)
        case "deepseek-v3", "hunyuan-dense", "joyai-llm", "hy_v4": return Config(kind: .deepseekV3)
        case "falcon": return Config(kind: .falcon)
        case "mpt", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
             "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "olmo", "jais", "exaone4", "trillion",
             "granite-docling":
            return Config(kind: .gpt2)
        case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b", "mellum2":
            return Config(kind: .starcoder)
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "stablelm2", "megrez", "hunyuan", "solar-open", "grok-2":
            return Config(kind: .qwen2)
        case "qwen35": return Config(kind: .qwen35)
        default: throw TokenizerError.unsupportedPreTokenizer(name)
        }
    }

    /// Splits `cps` (with their `flags`) into words; returns the end index of each word, in order.
    func split(_ cps: UnsafeBufferPointer<UInt32>, _ flags: UnsafeBufferPointer<UInt16>) -> [Int] {
        var s = Splitter(cps: cps, flags: flags)
        var segs = [cps.count]
        switch self {
        case .gpt2: segs = s.run(segs, Splitter.gpt2)
        case .llama3: segs = s.run(segs) { $0.llama3($1, $2, digitsMax: 3) }
        case .qwen2: segs = s.run(segs) { $0.llama3($1, $2, digitsMax: 1) }
        case .qwen35: segs = s.run(segs, Splitter.qwen35)
        case .starcoder:
            segs = s.run(segs) { $0.isolate($1, $2, { c, f in f & UnicodeFlags.categoryMask == UnicodeFlags.number }) }
            segs = s.run(segs, Splitter.gpt2)
        case .falcon, .bpeDefault:
            let falcon = self == .falcon
            segs = s.run(segs) { $0.runs($1, $2, { c, f in Splitter.isPunctOrFalconSymbol(c, f, backtick: falcon) }) }
            segs = s.run(segs, Splitter.gpt2)
            if !falcon { segs = s.run(segs) { $0.runs($1, $2, { _, f in f & UnicodeFlags.categoryMask == UnicodeFlags.number }) } }
            segs = s.run(segs, Splitter.asciiDigitTriples)
        case .deepseekLLM:
            segs = s.run(segs) { $0.isolate($1, $2, { c, _ in c == 0x0D || c == 0x0A }) }
            segs = s.run(segs) { $0.optionalSpaceThenRun($1, $2, wide: true, { c, _ in Splitter.inRanges(c, Splitter.deepseekLetters) }) }
            segs = s.run(segs) { $0.optionalSpaceThenRun($1, $2, wide: true, { c, _ in Splitter.inRanges(c, Splitter.deepseekPunct) }) }
            segs = s.run(segs, Splitter.trailingWhitespace)
            segs = s.run(segs) { $0.runs($1, $2, { c, _ in Splitter.inRanges(c, Splitter.deepseekCJK) }) }
            segs = s.run(segs) { $0.runs($1, $2, { _, f in f & UnicodeFlags.categoryMask == UnicodeFlags.number }) }
        case .deepseekCoder:
            segs = s.run(segs) { $0.isolate($1, $2, { c, _ in c == 0x0D || c == 0x0A }) }
            segs = s.run(segs) { $0.optionalSpaceThenRun($1, $2, wide: false, { _, f in f & UnicodeFlags.categoryMask == UnicodeFlags.letter }) }
            segs = s.run(segs) { $0.optionalSpaceThenRun($1, $2, wide: false, { _, f in f & UnicodeFlags.categoryMask == UnicodeFlags.punctuation }) }
            segs = s.run(segs) { $0.runs($1, $2, { c, _ in Splitter.inRanges(c, Splitter.deepseekCJK) }) }
            segs = s.run(segs) { $0.isolate($1, $2, { _, f in f & UnicodeFlags.categoryMask == UnicodeFlags.number }) }
        case .deepseekV3:
            segs = s.run(segs, Splitter.numberTriples)
            segs = s.run(segs) { $0.runs($1, $2, { c, _ in Splitter.inRanges(c, Splitter.deepseekV3Kana) }) }
            segs = s.run(segs, Splitter.deepseekV3Main)
        }
        var ends: [Int] = []
        ends.reserveCapacity(segs.count)
        var pos = 0
        for n in segs { pos += n; ends.append(pos) }
        return ends
    }
}

/// The splitting machinery: one segment at a time, emitting word lengths.
struct Splitter {
    let cps: UnsafeBufferPointer<UInt32>
    let flags: UnsafeBufferPointer<UInt16>
    /// Word lengths produced by the current pass.
    var out: [Int] = []
    /// End of the last emitted word.
    var prevEnd = 0
    /// Bounds of the segment being split.
    var lo = 0, hi = 0

    static let outOfRange: UInt32 = 0xFFFF_FFFF
    static let ws = UnicodeFlags.whitespace, letter = UnicodeFlags.letter, number = UnicodeFlags.number
    static let mark = UnicodeFlags.mark

    init(cps: UnsafeBufferPointer<UInt32>, flags: UnsafeBufferPointer<UInt16>) { self.cps = cps; self.flags = flags }

    @inline(__always) func cp(_ i: Int) -> UInt32 { i >= lo && i < hi ? cps[i] : Self.outOfRange }
    @inline(__always) func fl(_ i: Int) -> UInt16 { i >= lo && i < hi ? flags[i] : 0 }
    /// The character a std::wregex sees: non-ASCII whitespace is replaced by U+000B.
    @inline(__always) func wide(_ i: Int) -> UInt32 {
        let c = cps[i]
        return c > 0x7F && flags[i] & Self.ws != 0 ? 0x0B : c
    }
    @inline(__always) func isSpace(_ i: Int) -> Bool { flags[i] & Self.ws != 0 }

    /// Emits the word ending at `end` (if non-empty); returns its length.
    @discardableResult @inline(__always) mutating func add(_ end: Int) -> Int {
        let n = end - prevEnd
        if n > 0 { out.append(n) }
        prevEnd = end
        return n
    }

    /// Applies one pass to every segment.
    mutating func run(_ segs: [Int], _ pass: (inout Splitter, Int, Int) -> Void) -> [Int] {
        out = []
        out.reserveCapacity(segs.count * 2)
        var start = 0
        for n in segs {
            lo = start; hi = start + n; prevEnd = start
            pass(&self, start, start + n)
            start += n
        }
        return out
    }

    // MARK: llama.cpp's hand-written splitters

    /// 's 't 're 've 'm 'll 'd at `pos` (case-insensitive when `fold`); returns the match end.
    @inline(__always) func contraction(_ pos: Int, fold: Bool) -> Int? {
        guard cp(pos) == 0x27, pos + 1 < hi else { return nil }
        func low(_ c: UInt32) -> UInt32 { fold && c >= 0x41 && c <= 0x5A ? c + 32 : c }
        let n = low(cp(pos + 1))
        if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 { return pos + 2 }
        if pos + 2 < hi {
            let nn = low(cp(pos + 2))
            if (n == 0x72 && nn == 0x65) || (n == 0x76 && nn == 0x65) || (n == 0x6C && nn == 0x6C) { return pos + 3 }
        }
        return nil
    }

    /// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    static func gpt2(_ s: inout Splitter, _ lo: Int, _ hi: Int) {
        var pos = lo
        while pos < hi {
            let c = s.cp(pos), f = s.fl(pos)
            if let e = s.contraction(pos, fold: false) { s.add(e); pos = e; continue }
            var f2 = c == 0x20 ? s.fl(pos + 1) : f
            if f2 & letter != 0 {
                if c == 0x20 { pos += 1 }
                while f2 & letter != 0 { pos += 1; f2 = s.fl(pos) }
                s.add(pos); continue
            }
            if f2 & number != 0 {
                if c == 0x20 { pos += 1 }
                while f2 & number != 0 { pos += 1; f2 = s.fl(pos) }
                s.add(pos); continue
            }
            if f2 & (ws | letter | number) == 0 && f2 != 0 {
                if c == 0x20 { pos += 1 }
                while f2 & (ws | letter | number) == 0 && f2 != 0 { pos += 1; f2 = s.fl(pos) }
                s.add(pos); continue
            }
            var nws = 0
            while s.fl(pos + nws) & ws != 0 { nws += 1 }
            if nws > 1 && s.cp(pos + nws) != outOfRange { pos += nws - 1; s.add(pos); continue }
            if nws > 0 { pos += nws; s.add(pos); continue }
            pos += 1; s.add(pos)
        }
    }

    /// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,digitsMax}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    /// (llama3 with 3, qwen2 with 1).
    mutating func llama3(_ lo: Int, _ hi: Int, digitsMax: Int) {
        let ws = Self.ws, letter = Self.letter, number = Self.number
        var pos = lo
        while pos < hi {
            let c = cps[pos], f = flags[pos]
            if c == 0x27, let e = contraction(pos, fold: true) { add(e); pos = e; continue }
            if !(c == 0x0D || c == 0x0A || f & number != 0) && (f & letter != 0 || fl(pos + 1) & letter != 0) {
                pos += 1
                while fl(pos) & letter != 0 { pos += 1 }
                add(pos); continue
            }
            if f & number != 0 {
                if digitsMax == 1 { pos += 1; add(pos); continue }
                var ini = pos
                while fl(pos) & number != 0 {
                    pos += 1
                    if pos - ini >= digitsMax { add(pos); ini = pos }
                }
                add(pos); continue
            }
            var f2 = c == 0x20 ? fl(pos + 1) : f
            if f2 & (ws | letter | number) == 0 && f != 0 {
                if c == 0x20 { pos += 1 }
                while f2 & (ws | letter | number) == 0 && f2 != 0 { pos += 1; f2 = fl(pos) }
                var c2 = cp(pos)
                while c2 == 0x0D || c2 == 0x0A { pos += 1; c2 = cp(pos) }
                add(pos); continue
            }
            if let e = whitespaceRun(pos) { pos = e; add(pos); continue }
            pos += 1; add(pos)
        }
    }

    /// \s*[\r\n]+|\s+(?!\S)|\s+ at `pos` as llama.cpp's splitters evaluate it; nil when `pos` is not whitespace.
    @inline(__always) func whitespaceRun(_ pos: Int) -> Int? {
        var nws = 0, lastRN = 0
        while fl(pos + nws) & Self.ws != 0 {
            let c2 = cps[pos + nws]
            if c2 == 0x0D || c2 == 0x0A { lastRN = pos + nws + 1 }
            nws += 1
        }
        if lastRN > 0 { return lastRN }
        if nws > 1 && cp(pos + nws) != Self.outOfRange { return pos + nws - 1 }
        if nws > 0 { return pos + nws }
        return nil
    }

    /// Qwen3.5: like qwen2, but letter runs also take combining marks (\p{M}).
    static func qwen35(_ s: inout Splitter, _ lo: Int, _ hi: Int) {
        let lm = letter | mark
        var pos = lo
        while pos < hi {
            let c = s.cps[pos], f = s.flags[pos]
            if c == 0x27, let e = s.contraction(pos, fold: true) { s.add(e); pos = e; continue }
            if !(c == 0x0D || c == 0x0A || f & number != 0) && (f & lm != 0 || s.fl(pos + 1) & lm != 0) {
                pos += 1
                while s.fl(pos) & lm != 0 { pos += 1 }
                s.add(pos); continue
            }
            if f & number != 0 { pos += 1; s.add(pos); continue }
            var f2 = c == 0x20 ? s.fl(pos + 1) : f
            if f2 & (ws | lm | number) == 0 && f != 0 {
                if c == 0x20 { pos += 1 }
                while f2 & (ws | lm | number) == 0 && f2 != 0 { pos += 1; f2 = s.fl(pos) }
                var c2 = s.cp(pos)
                while c2 == 0x0D || c2 == 0x0A { pos += 1; c2 = s.cp(pos) }
                s.add(pos); continue
            }
            if let e = s.whitespaceRun(pos) { pos = e; s.add(pos); continue }
            pos += 1; s.add(pos)
        }
    }

    // MARK: std::regex emulation (matches are words; the text between matches is a word too)

    /// Single characters matching `p` are isolated: `[class]`.
    mutating func isolate(_ lo: Int, _ hi: Int, _ p: (UInt32, UInt16) -> Bool) {
        for i in lo..<hi where p(wide(i), flags[i]) { add(i); add(i + 1) }
        add(hi)
    }

    /// Maximal runs of characters matching `p` are isolated: `[class]+`.
    mutating func runs(_ lo: Int, _ hi: Int, _ p: (UInt32, UInt16) -> Bool) {
        var i = lo
        while i < hi {
            if p(wide(i), flags[i]) {
                add(i)
                while i < hi && p(wide(i), flags[i]) { i += 1 }
                add(i)
            } else { i += 1 }
        }
        add(hi)
    }

    /// `\s?[class]+` where the class holds no whitespace. `wide`: \s as std::wregex sees it (ASCII whitespace
    /// and U+000B); otherwise as on collapsed text — the same set, since both map other whitespace to U+000B.
    mutating func optionalSpaceThenRun(_ lo: Int, _ hi: Int, wide _: Bool, _ p: (UInt32, UInt16) -> Bool) {
        var i = lo
        while i < hi {
            var start = -1
            if isSpace(i) && i + 1 < hi && p(wide(i + 1), flags[i + 1]) { start = i; i += 1 }
            else if p(wide(i), flags[i]) { start = i }
            if start < 0 { i += 1; continue }
            add(start)
            while i < hi && p(wide(i), flags[i]) { i += 1 }
            add(i)
        }
        add(hi)
    }

    /// `\s+$`: the whitespace at the end of the segment.
    static func trailingWhitespace(_ s: inout Splitter, _ lo: Int, _ hi: Int) {
        var i = hi
        while i > lo && s.isSpace(i - 1) { i -= 1 }
        s.add(i); s.add(hi)
    }

    /// `[0-9][0-9][0-9]`, leftmost and non-overlapping.
    static func asciiDigitTriples(_ s: inout Splitter, _ lo: Int, _ hi: Int) {
        @inline(__always) func d(_ i: Int) -> Bool { s.cps[i] >= 0x30 && s.cps[i] <= 0x39 }
        var i = lo
        while i + 2 < hi {
            if d(i) && d(i + 1) && d(i + 2) { s.add(i); s.add(i + 3); i += 3 } else { i += 1 }
        }
        s.add(hi)
    }

    /// `\p{N}{1,3}`: number runs cut into groups of three from the left.
    static func numberTriples(_ s: inout Splitter, _ lo: Int, _ hi: Int) {
        var i = lo
        while i < hi {
            if s.flags[i] & UnicodeFlags.categoryMask == number {
                s.add(i)
                var n = 0
                while i < hi && s.flags[i] & UnicodeFlags.categoryMask == number && n < 3 { i += 1; n += 1 }
                s.add(i)
            } else { i += 1 }
        }
        s.add(hi)
    }

    /// `[\p{P}\$\+<=>\^~\|]+` (default) or with a backtick too (falcon): on collapsed text, ASCII $+<=>^~| (and `)
    /// plus everything whose category is punctuation.
    @inline(__always) static func isPunctOrFalconSymbol(_ c: UInt32, _ f: UInt16, backtick: Bool) -> Bool {
        if f & UnicodeFlags.categoryMask == UnicodeFlags.punctuation && f & UnicodeFlags.whitespace == 0 { return true }
        switch c {
        case 0x24, 0x2B, 0x3C, 0x3D, 0x3E, 0x5E, 0x7E, 0x7C: return true
        case 0x60: return backtick
        default: return false
        }
    }

    /// DeepSeek-V3's main regex on collapsed text:
    /// [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    static func deepseekV3Main(_ s: inout Splitter, _ lo: Int, _ hi: Int) {
        let cat = UnicodeFlags.categoryMask
        @inline(__always) func c(_ i: Int) -> UInt32 { s.cps[i] }
        @inline(__always) func k(_ i: Int) -> UInt16 { s.flags[i] & UnicodeFlags.whitespace != 0 ? 0 : s.flags[i] & cat }
        @inline(__always) func asciiLetter(_ i: Int) -> Bool { let x = c(i) | 0x20; return x >= 0x61 && x <= 0x7A }
        @inline(__always) func asciiPunct(_ i: Int) -> Bool { let x = c(i); return x < 0x80 && (k(i) == UnicodeFlags.punctuation || k(i) == UnicodeFlags.symbol) }
        @inline(__always) func lm(_ i: Int) -> Bool { k(i) == letter || k(i) == mark }
        @inline(__always) func ps(_ i: Int) -> Bool { k(i) == UnicodeFlags.punctuation || k(i) == UnicodeFlags.symbol }
        @inline(__always) func opt(_ i: Int) -> Bool { c(i) != 0x0D && c(i) != 0x0A && !(k(i) == letter || ps(i)) }
        var i = lo
        while i < hi {
            var e = -1
            if asciiPunct(i) && i + 1 < hi && asciiLetter(i + 1) {
                e = i + 1
                while e < hi && asciiLetter(e) { e += 1 }
            } else if (opt(i) && i + 1 < hi && lm(i + 1)) || lm(i) {
                e = i + 1
                while e < hi && lm(e) { e += 1 }
            } else if (c(i) == 0x20 && i + 1 < hi && ps(i + 1)) || ps(i) {
                e = i + 1
                while e < hi && ps(e) { e += 1 }
                while e < hi && (c(e) == 0x0D || c(e) == 0x0A) { e += 1 }
            } else if s.isSpace(i) {
                var w = 0, lastRN = -1
                while i + w < hi && s.isSpace(i + w) {
                    if c(i + w) == 0x0D || c(i + w) == 0x0A { lastRN = i + w + 1 }
                    w += 1
                }
                if lastRN > 0 { e = lastRN } else if i + w == hi || w == 1 { e = i + w } else { e = i + w - 1 }
            }
            if e < 0 { i += 1; continue }
            s.add(i); s.add(e); i = e
        }
        s.add(hi)
    }

    @inline(__always) static func inRanges(_ c: UInt32, _ r: [ClosedRange<UInt32>]) -> Bool {
        if c < r[0].lowerBound { return false }
        for x in r where x.contains(c) { return true }
        return false
    }

    /// DeepSeek LLM's letter class (`\s?[A-Za-zµÀ-ÖØ-öø-ƺ…]+`).
    static let deepseekLetters: [ClosedRange<UInt32>] = [
        0x41...0x5A, 0x61...0x7A, 0xB5...0xB5, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x1BA, 0x1BC...0x1BF, 0x1C4...0x293,
        0x295...0x2AF, 0x370...0x373, 0x376...0x377, 0x37B...0x37D, 0x37F...0x37F, 0x386...0x386, 0x388...0x38A,
        0x38C...0x38C, 0x38E...0x3A1, 0x3A3...0x3F5, 0x3F7...0x481, 0x48A...0x52F, 0x531...0x556, 0x10A0...0x10C5,
        0x13A0...0x13F5, 0x13F8...0x13FD, 0x1C90...0x1CBA, 0x1CBD...0x1CBF, 0x1D00...0x1D2B, 0x1D6B...0x1D77,
        0x1D79...0x1D9A, 0x1E00...0x1F15, 0x1F18...0x1F1D, 0x1F20...0x1F45, 0x1F48...0x1F4D, 0x1F50...0x1F57,
        0x1F59...0x1F59, 0x1F5B...0x1F5B, 0x1F5D...0x1F5D, 0x1F5F...0x1F7D, 0x1F80...0x1FB4, 0x1FB6...0x1FBC,
        0x1FBE...0x1FBE, 0x1FC2...0x1FC4, 0x1FC6...0x1FCC, 0x1FD0...0x1FD3, 0x1FD6...0x1FDB, 0x1FE0...0x1FEC,
        0x1FF2...0x1FF4, 0x1FF6...0x1FFC, 0x2102...0x2102, 0x2107...0x2107, 0x210A...0x2113, 0x2115...0x2115,
        0x2119...0x211D, 0x2124...0x2124, 0x2126...0x2126, 0x2128...0x2128, 0x212A...0x212D, 0x212F...0x2134,
        0x2139...0x2139, 0x213C...0x213F, 0x2145...0x2149, 0x214E...0x214E, 0x2183...0x2184, 0x2C00...0x2C7B,
        0x2C7E...0x2CE4, 0x2CEB...0x2CEE, 0x2CF2...0x2CF3, 0xA640...0xA66D, 0xA680...0xA69B, 0xA722...0xA76F,
        0xA771...0xA787, 0xA78B...0xA78E, 0xAB70...0xABBF, 0xFB00...0xFB06, 0xFB13...0xFB17, 0xFF21...0xFF3A,
        0xFF41...0xFF5A, 0x10400...0x1044F, 0x104B0...0x104D3, 0x104D8...0x104FB, 0x10C80...0x10CB2,
        0x10CC0...0x10CF2, 0x118A0...0x118DF, 0x1E900...0x1E943,
    ]
    /// DeepSeek LLM's punctuation class (`\s?[!-/:-~！-／：-～‘-‟　-。]+`).
    static let deepseekPunct: [ClosedRange<UInt32>] = [
        0x21...0x2F, 0x3A...0x7E, 0x2018...0x201F, 0x3000...0x3002, 0xFF01...0xFF0F, 0xFF1A...0xFF5E,
    ]
    /// `[一-龥ࠀ-一가-퟿]+` (DeepSeek LLM and Coder).
    static let deepseekCJK: [ClosedRange<UInt32>] = [0x800...0x4E00, 0x4E00...0x9FA5, 0xAC00...0xD7FF]
    /// `[一-龥぀-ゟ゠-ヿ]+` (DeepSeek V3).
    static let deepseekV3Kana: [ClosedRange<UInt32>] = [0x3040...0x309F, 0x30A0...0x30FF, 0x4E00...0x9FA5]
}
