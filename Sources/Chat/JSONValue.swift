// A JSON value that keeps object key order and tells integers from floats, with its own parser and
// writer (tool-call arguments must render exactly as Python's json.dumps would).
import Foundation
import Quote

public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// JSON text kept exactly as it was read where a Swift value would change it: a number a Double cannot hold or
    /// would print differently (`1e999`, `0.10`, `12345678901234567890`), or a string with a lone surrogate
    /// (`"\ud800"`, which a Swift String cannot hold). Written back byte for byte; read through the accessors as
    /// the value it stands for (`decoded`).
    case literal(String)

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        // A literal is equal to what it stands for (`0.10` to 0.1, `1e999` to infinity).
        case (.literal, _), (_, .literal): return a.decoded == b.decoded
        default: return false
        }
    }
    public func hash(into h: inout Hasher) {
        switch self {
        case .array(let a): h.combine(0xA); for v in a { v.hash(into: &h) }
        case .object(let kv): h.combine(0xB); for (k, v) in kv { h.combine(k); v.hash(into: &h) }
        default: h.combine(decoded.serialized())   // as `==` sees it: a literal as its value
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let kv) = self { return kv.first { $0.0 == key }?.1 }
        return nil
    }
    public var stringValue: String? {
        switch self { case .string(let s): return s; case .literal: return decoded.stringValue; default: return nil }
    }
    public var intValue: Int? { if case .int(let i) = self { return i }; return nil }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .literal: return decoded.doubleValue
        default: return nil
        }
    }

    /// What a `.literal` stands for as a Swift value (a Double, possibly infinite; a string with U+FFFD for each lone
    /// surrogate); any other value as it is.
    public var decoded: JSONValue {
        guard case .literal(let t) = self else { return self }
        if t.hasPrefix("\"") {
            var p = JSONParser(bytes: Array(t.utf8))
            return (try? p.string()).map { .string($0.text) } ?? .string("\u{FFFD}")
        }
        return .double(Double(t) ?? .nan)
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { return o }; return nil }

    /// Sets or replaces a key of an object, keeping its position (appends new keys).
    public mutating func set(_ key: String, _ value: JSONValue) {
        guard case .object(var kv) = self else { return }
        if let i = kv.firstIndex(where: { $0.0 == key }) { kv[i].1 = value } else { kv.append((key, value)) }
        self = .object(kv)
    }
}

// MARK: writing

extension JSONValue {
    public struct WriteOptions: Sendable {
        /// Python json.dumps defaults: ", " and ": " separators, non-ASCII escaped as \uXXXX.
        public static let python = WriteOptions(itemSeparator: ", ", keySeparator: ": ", asciiOnly: true, indent: nil, pythonFloats: true)
        /// Compact, UTF-8 kept (what OpenAI-style APIs send).
        public static let compact = WriteOptions(itemSeparator: ",", keySeparator: ":", asciiOnly: false, indent: nil)
        /// Human-readable files: two-space indent, UTF-8 kept.
        public static let pretty = WriteOptions(itemSeparator: ",", keySeparator: ": ", asciiOnly: false, indent: 2)
        public var itemSeparator: String, keySeparator: String, asciiOnly: Bool, indent: Int?
        /// Infinities and NaN as Python writes them (`Infinity`, `NaN`: what a template's tojson prints); otherwise
        /// as valid JSON that reads back the same (`1e999`, `-1e999`; NaN, which no JSON text holds, as null), so a
        /// file glmchat rewrites stays readable.
        public var pythonFloats = false
    }

    public func serialized(_ o: WriteOptions = .compact) -> String {
        var out = ""
        write(to: &out, o, level: 0)
        return out
    }

    private func write(to out: inout String, _ o: WriteOptions, level: Int) {
        func newline(_ l: Int) { if let n = o.indent { out += "\n" + String(repeating: " ", count: n * l) } }
        let sep = o.indent == nil ? o.itemSeparator : o.itemSeparator.trimmingCharacters(in: .whitespaces)
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d) where !d.isFinite && !o.pythonFloats: out += d.isNaN ? "null" : d < 0 ? "-1e999" : "1e999"
        case .double(let d): out += Self.formatDouble(d)
        case .string(let s): Self.writeString(s, asciiOnly: o.asciiOnly, to: &out)
        case .literal(let t) where o.pythonFloats && t.first != "\"" && t.contains(where: { ".eE".contains($0) }):
            out += Self.formatDouble(Double(t) ?? .nan)   // a Python float, as a template's tojson prints it
        case .literal(let t) where o.pythonFloats && t.first == "\"":
            decoded.write(to: &out, o, level: level)      // a string as Python's json.dumps writes it
        case .literal(let t): out += t
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += sep }
                newline(level + 1)
                v.write(to: &out, o, level: level + 1)
            }
            newline(level); out += "]"
        case .object(let kv):
            if kv.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in kv.enumerated() {
                if i > 0 { out += sep }
                newline(level + 1)
                Self.writeString(k, asciiOnly: o.asciiOnly, to: &out)
                out += o.keySeparator
                v.write(to: &out, o, level: level + 1)
            }
            newline(level); out += "}"
        }
    }

    /// Python repr of a float: shortest round-trip digits, always with a '.' or exponent.
    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        var s = "\(d)"   // Swift prints the shortest round-trip form: 1.0, 0.1, 1e-05, 1e+20
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            // Python: 1e-05 and 1e+20; Swift: 1e-05 and 1e+20 — same, ensure two-digit exponent.
            let mant = s[..<e], exp = s[s.index(after: e)...]
            let sign = exp.first == "-" ? "-" : "+"
            var digits = exp.drop(while: { $0 == "-" || $0 == "+" })
            if digits.count < 2 { digits = "0" + digits }
            s = mant + "e" + sign + digits
        }
        return s
    }

    static func writeString(_ s: String, asciiOnly: Bool, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || (asciiOnly && u.value > 0x7E) {
                    if u.value > 0xFFFF {
                        let v = u.value - 0x10000
                        out += String(format: "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                    } else {
                        out += String(format: "\\u%04x", u.value)
                    }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}

// MARK: parsing

public struct JSONParseError: Error, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

extension JSONValue {
    public static func parse(_ text: String) throws -> JSONValue { try parse(Array(text.utf8)) }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var p = JSONParser(bytes: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw JSONParseError(message: "unexpected data after the value", offset: p.i) }
        return v
    }
}

struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    static let maxDepth = 512

    mutating func skipSpace() { while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 } }
    func fail(_ m: String) -> JSONParseError { JSONParseError(message: m, offset: i) }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth < Self.maxDepth else { throw fail("nested too deeply") }
        guard i < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1; skipSpace()
            var kv: [(String, JSONValue)] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(kv) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let k = try string().text
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1; skipSpace()
                kv.append((k, try value(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(kv) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1; skipSpace()
            var a: [JSONValue] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                skipSpace()
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            // Kept as written when writing it back would change its bytes (`\u00e9`, `\/`, a lone surrogate).
            let start = i
            let s = try string()
            guard s.loneSurrogate || s.escaped else { return .string(s.text) }
            let source = String(decoding: bytes[start..<i], as: UTF8.self)
            if !s.loneSurrogate, JSONValue.string(s.text).serialized() == source { return .string(s.text) }
            return .literal(source)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    mutating func literal(_ s: String) throws {
        let u = Array(s.utf8)
        guard i + u.count <= bytes.count, Array(bytes[i..<i + u.count]) == u else { throw fail("invalid literal") }
        i += u.count
    }

    mutating func number() throws -> JSONValue {
        let start = i
        var isFloat = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        while i < bytes.count {
            let c = bytes[i]
            if c >= 0x30 && c <= 0x39 { i += 1 } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { isFloat = true; i += 1 } else { break }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard !text.isEmpty, text != "-" else { throw fail("unexpected character") }
        if !isFloat, let n = Int(text) { return .int(n) }
        guard let d = Double(text) else { throw fail("invalid number \(quoted(text))") }
        // Kept as written when the Double would read or print differently (and the text is a JSON number).
        let exact = d.isFinite && JSONValue.formatDouble(d) == text
        return exact || !Self.isJSONNumber(text) ? .double(d) : .literal(text)
    }

    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    static func isJSONNumber(_ t: String) -> Bool {
        var u = Array(t.utf8)[...]
        func digits() -> Int { let n = u.prefix { $0 >= 0x30 && $0 <= 0x39 }.count; u = u.dropFirst(n); return n }
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        if u.first == UInt8(ascii: "0") { u = u.dropFirst() } else if digits() == 0 { return false }
        if u.first == UInt8(ascii: ".") { u = u.dropFirst(); if digits() == 0 { return false } }
        if u.first == UInt8(ascii: "e") || u.first == UInt8(ascii: "E") {
            u = u.dropFirst()
            if u.first == UInt8(ascii: "+") || u.first == UInt8(ascii: "-") { u = u.dropFirst() }
            if digits() == 0 { return false }
        }
        return u.isEmpty
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else { throw fail("invalid \\u escape") }
        i += 4
        return v
    }

    /// The string at `i` (its opening quote); `loneSurrogate`: it held a \uD800–\uDFFF escape without its pair,
    /// written as U+FFFD in `text`; `escaped`: it held any escape.
    mutating func string() throws -> (text: String, loneSurrogate: Bool, escaped: Bool) {
        i += 1
        var out = [UInt8]()
        var lone = false, escaped = false
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let c = bytes[i]; i += 1
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            escaped = true
            guard i < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i]; i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(e)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if v >= 0xD800 && v < 0xDC00, i + 5 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
                   let lo = UInt32(String(decoding: bytes[i + 2..<i + 6], as: UTF8.self), radix: 16), lo >= 0xDC00 && lo < 0xE000 {
                    i += 6
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                }
                if v >= 0xD800 && v < 0xE000 { lone = true }
                out.append(contentsOf: Array(String(Unicode.Scalar(v) ?? "\u{FFFD}").utf8))
            default: throw fail("invalid escape")
            }
        }
        return (String(decoding: out, as: UTF8.self), lone, escaped)
    }
}

// MARK: Codable (for embedding in Codable models; key order follows the encoder)

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else {
            let o = try decoder.container(keyedBy: AnyKey.self)
            self = .object(try o.allKeys.map { ($0.stringValue, try o.decode(JSONValue.self, forKey: $0)) })
        }
    }
    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case .bool(let b): var c = encoder.singleValueContainer(); try c.encode(b)
        case .int(let i): var c = encoder.singleValueContainer(); try c.encode(i)
        case .double(let d): var c = encoder.singleValueContainer(); try c.encode(d)
        case .string(let s): var c = encoder.singleValueContainer(); try c.encode(s)
        case .literal: try decoded.encode(to: encoder)
        case .array(let a): var c = encoder.singleValueContainer(); try c.encode(a)
        case .object(let kv):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (k, v) in kv { try c.encode(v, forKey: AnyKey(k)) }
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
