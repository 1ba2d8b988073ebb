// GPT-2 byte-level encoding (each byte ↔ one printable code point) and llama.cpp-compatible UTF-8 handling.

enum ByteLevel {
    /// byte → the code point that stands for it in byte-level BPE token texts: (256).
    static let byteToChar: [UInt32] = {
        var m = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                m[b] = UInt32(b)
            } else {
                m[b] = 256 + n
                n += 1
            }
        }
        return m
    }()

    /// code point (< 324) → byte, or -1: (324).
    static let charToByte: [Int16] = {
        var m = [Int16](repeating: -1, count: 324)
        for (b, c) in byteToChar.enumerated() { m[Int(c)] = Int16(b) }
        return m
    }()

    /// UTF-8 of the byte-level character for each byte: (256) arrays of 1–2 bytes.
    static let byteToUTF8: [[UInt8]] = byteToChar.map { c in
        var out: [UInt8] = []
        appendUTF8(c, to: &out)
        return out
    }

    /// Appends the UTF-8 encoding of `cp` (any value up to 0x10FFFF, surrogates included, as llama.cpp does).
    @inline(__always) static func appendUTF8(_ cp: UInt32, to out: inout [UInt8]) {
        if cp < 0x80 {
            out.append(UInt8(cp))
        } else if cp < 0x800 {
            out.append(UInt8(0xC0 | (cp >> 6))); out.append(UInt8(0x80 | (cp & 0x3F)))
        } else if cp < 0x10000 {
            out.append(UInt8(0xE0 | (cp >> 12))); out.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (cp & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (cp >> 18))); out.append(UInt8(0x80 | ((cp >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((cp >> 6) & 0x3F))); out.append(UInt8(0x80 | (cp & 0x3F)))
        }
    }

    /// Decodes bytes to code points the way llama.cpp does: lead bytes are trusted for the length (overlong forms
    /// and surrogates decode as written), and every byte that does not start a complete sequence becomes U+FFFD.
    /// Sequences that would decode above U+10FFFF (where llama.cpp fails) also become U+FFFD, one per byte.
    static func decode(_ s: UnsafeBufferPointer<UInt8>, into cps: inout [UInt32]) {
        var i = 0
        let n = s.count
        while i < n {
            let b0 = UInt32(s[i])
            if b0 < 0x80 { cps.append(b0); i += 1; continue }
            @inline(__always) func cont(_ k: Int) -> Bool { i + k < n && s[i + k] & 0xC0 == 0x80 }
            if b0 & 0x40 == 0 { cps.append(0xFFFD); i += 1; continue }
            if b0 & 0x20 == 0 {
                if cont(1) { cps.append((b0 & 0x1F) << 6 | UInt32(s[i + 1] & 0x3F)); i += 2 } else { cps.append(0xFFFD); i += 1 }
                continue
            }
            if b0 & 0x10 == 0 {
                if cont(1) && cont(2) {
                    cps.append((b0 & 0x0F) << 12 | UInt32(s[i + 1] & 0x3F) << 6 | UInt32(s[i + 2] & 0x3F)); i += 3
                } else { cps.append(0xFFFD); i += 1 }
                continue
            }
            if b0 & 0x08 == 0 && cont(1) && cont(2) && cont(3) {
                let c = (b0 & 0x07) << 18 | UInt32(s[i + 1] & 0x3F) << 12 | UInt32(s[i + 2] & 0x3F) << 6 | UInt32(s[i + 3] & 0x3F)
                if c <= 0x10FFFF { cps.append(c); i += 4; continue }
            }
            cps.append(0xFFFD); i += 1
        }
    }

    /// The bytes a byte-level token text stands for, or nil if it holds a character outside the byte alphabet.
    static func rawBytes(of text: [UInt8]) -> [UInt8]? {
        var cps: [UInt32] = []
        text.withUnsafeBufferPointer { decode($0, into: &cps) }
        var out: [UInt8] = []
        out.reserveCapacity(cps.count)
        for c in cps {
            guard c < 324, charToByte[Int(c)] >= 0 else { return nil }
            out.append(UInt8(charToByte[Int(c)]))
        }
        return out
    }

    /// llama.cpp's `llama_decode_text`: byte-level characters back to bytes; others become "[UNK_BYTE_0x…]".
    static func decodeText(_ text: [UInt8]) -> [UInt8] {
        var cps: [UInt32] = []
        text.withUnsafeBufferPointer { decode($0, into: &cps) }
        var out: [UInt8] = []
        out.reserveCapacity(cps.count)
        for c in cps {
            if c < 324, charToByte[Int(c)] >= 0 {
                out.append(UInt8(charToByte[Int(c)]))
            } else {
                var u: [UInt8] = []
                appendUTF8(c, to: &u)
                out += Array("[UNK_BYTE_0x".utf8)
                for b in u { out += Array(hex2(b).utf8) }
                out += text
                out += Array("]".utf8)
            }
        }
        return out
    }

    private static func hex2(_ b: UInt8) -> String {
        let d = Array("0123456789abcdef".utf8)
        return String(decoding: [d[Int(b >> 4)], d[Int(b & 15)]], as: UTF8.self)
    }
}
