// Encodable → JSONValue, keeping keys in the order `encode(to:)` writes them (Foundation's JSONEncoder does not).
import Chat
import Foundation

/// Dates become ISO 8601 strings with milliseconds; non-finite doubles become null; unsigned integers
/// beyond Int.max become strings of digits (JSONValue has no case for them; `JSONValueDecoder` reads them back).
enum JSONValueEncoder {
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let box = ValueBox()
        try encodeValue(value, into: box, path: [])
        return box.value ?? .null
    }

    static func encodeValue<T: Encodable>(_ value: T, into box: ValueBox, path: [CodingKey]) throws {
        if let d = value as? Date { box.value = .string(ISODate.format(d)); return }
        if let j = value as? JSONValue { box.value = j; return }
        if let u = value as? URL { box.value = .string(u.absoluteString); return }
        try value.encode(to: EncoderImpl(box: box, codingPath: path))
    }
}

/// A mutable slot the containers write into; objects and arrays are built in place and frozen on read.
final class ValueBox {
    enum Node { case leaf(JSONValue), object([(String, ValueBox)]), array([ValueBox]) }
    var node: Node?
    var value: JSONValue? {
        get {
            switch node {
            case nil: return nil
            case .leaf(let v): return v
            case .object(let kv): return .object(kv.map { ($0.0, $0.1.value ?? .null) })
            case .array(let a): return .array(a.map { $0.value ?? .null })
            }
        }
        set { node = newValue.map { .leaf($0) } }
    }
    func objectChild(_ key: String) -> ValueBox {
        if case .object(var kv) = node {
            if let existing = kv.first(where: { $0.0 == key }) { return existing.1 }
            let b = ValueBox(); kv.append((key, b)); node = .object(kv); return b
        }
        let b = ValueBox(); node = .object([(key, b)]); return b
    }
    func ensureObject() { if case .object = node { return }; node = .object([]) }
    func ensureArray() { if case .array = node { return }; node = .array([]) }
    func appendChild() -> ValueBox {
        let b = ValueBox()
        if case .array(var a) = node { a.append(b); node = .array(a) } else { node = .array([b]) }
        return b
    }
    var arrayCount: Int { if case .array(let a) = node { return a.count }; return 0 }
}

/// ISO 8601 in UTC with milliseconds ("2026-01-02T03:04:05.500Z"). Hand-written so that formatting a parsed
/// date gives back the same text (Foundation's format style can round .190 to .191).
enum ISODate {
    static func format(_ d: Date) -> String {
        let ms = (d.timeIntervalSince1970 * 1000).rounded()
        guard ms.isFinite, abs(ms) < 1e15 else { return "1970-01-01T00:00:00.000Z" }
        let total = Int64(ms)
        var secs = time_t(total >= 0 ? total / 1000 : (total - 999) / 1000)
        let milli = Int(total - Int64(secs) * 1000)
        var tm = tm()
        gmtime_r(&secs, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
                      Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec), milli)
    }

    /// "YYYY-MM-DDTHH:MM:SS", optional fraction, then "Z" or "±HH:MM"; nil for anything else.
    static func parse(_ s: String) -> Date? {
        let b = Array(s.utf8)
        var i = 0
        func num(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in i..<i + n { guard b[k] >= 48, b[k] <= 57 else { return nil }; v = v * 10 + Int(b[k] - 48) }
            i += n; return v
        }
        func lit(_ c: Character) -> Bool { guard i < b.count, b[i] == c.asciiValue else { return false }; i += 1; return true }
        guard let y = num(4), lit("-"), let mo = num(2), lit("-"), let d = num(2), lit("T") || lit("t") || lit(" "),
              let h = num(2), lit(":"), let mi = num(2), lit(":"), let sec = num(2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61 else { return nil }
        var frac = 0.0
        if lit(".") {
            var scale = 0.1, digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 { frac += Double(b[i] - 48) * scale; scale /= 10; i += 1; digits += 1 }
            guard digits > 0 else { return nil }
        }
        var offset = 0
        if lit("Z") || lit("z") {
        } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = num(2), lit(":"), let om = num(2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else { return nil }
        guard i == b.count else { return nil }
        var tm = tm()
        tm.tm_year = Int32(y - 1900); tm.tm_mon = Int32(mo - 1); tm.tm_mday = Int32(d)
        tm.tm_hour = Int32(h); tm.tm_min = Int32(mi); tm.tm_sec = Int32(sec)
        let t = timegm(&tm)
        return Date(timeIntervalSince1970: (Double(t - offset) * 1000 + (frac * 1000).rounded()) / 1000)
    }
}

private struct EncoderImpl: Encoder {
    let box: ValueBox
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        box.ensureObject()
        return KeyedEncodingContainer(KeyedEnc<Key>(box: box, codingPath: codingPath))
    }
    func unkeyedContainer() -> UnkeyedEncodingContainer { box.ensureArray(); return UnkeyedEnc(box: box, codingPath: codingPath) }
    func singleValueContainer() -> SingleValueEncodingContainer { SingleEnc(box: box, codingPath: codingPath) }
}

private func leaf<T: Encodable>(_ v: T) -> JSONValue? {
    switch v {
    case let b as Bool: return .bool(b)
    case let s as String: return .string(s)
    case let d as Double: return d.isFinite ? .double(d) : .null
    case let f as Float: return f.isFinite ? .double(Double(f)) : .null
    case let i as Int: return .int(i)
    case let i as Int8: return .int(Int(i))
    case let i as Int16: return .int(Int(i))
    case let i as Int32: return .int(Int(i))
    case let i as Int64: return .int(Int(i))
    case let u as UInt: return u <= UInt(Int.max) ? .int(Int(u)) : .string(String(u))
    case let u as UInt8: return .int(Int(u))
    case let u as UInt16: return .int(Int(u))
    case let u as UInt32: return .int(Int(u))
    case let u as UInt64: return u <= UInt64(Int.max) ? .int(Int(u)) : .string(String(u))
    default: return nil
    }
}

private struct SingleEnc: SingleValueEncodingContainer {
    let box: ValueBox
    let codingPath: [CodingKey]
    mutating func encodeNil() throws { box.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if let l = leaf(value) { box.value = l } else { try JSONValueEncoder.encodeValue(value, into: box, path: codingPath) }
    }
}

private struct KeyedEnc<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: ValueBox
    let codingPath: [CodingKey]
    mutating func encodeNil(forKey key: Key) throws { box.objectChild(key.stringValue).value = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let child = box.objectChild(key.stringValue)
        if let l = leaf(value) { child.value = l } else { try JSONValueEncoder.encodeValue(value, into: child, path: codingPath + [key]) }
    }
    mutating func nestedContainer<NK: CodingKey>(keyedBy: NK.Type, forKey key: Key) -> KeyedEncodingContainer<NK> {
        let child = box.objectChild(key.stringValue); child.ensureObject()
        return KeyedEncodingContainer(KeyedEnc<NK>(box: child, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let child = box.objectChild(key.stringValue); child.ensureArray()
        return UnkeyedEnc(box: child, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> Encoder { EncoderImpl(box: box.objectChild("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder { EncoderImpl(box: box.objectChild(key.stringValue), codingPath: codingPath + [key]) }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue ?? 0)" }
    var intValue: Int?
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedEnc: UnkeyedEncodingContainer {
    let box: ValueBox
    let codingPath: [CodingKey]
    var count: Int { box.arrayCount }
    mutating func encodeNil() throws { box.appendChild().value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(count)]
        let child = box.appendChild()
        if let l = leaf(value) { child.value = l } else { try JSONValueEncoder.encodeValue(value, into: child, path: path) }
    }
    mutating func nestedContainer<NK: CodingKey>(keyedBy: NK.Type) -> KeyedEncodingContainer<NK> {
        let path = codingPath + [IndexKey(count)]
        let child = box.appendChild(); child.ensureObject()
        return KeyedEncodingContainer(KeyedEnc<NK>(box: child, codingPath: path))
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let path = codingPath + [IndexKey(count)]
        let child = box.appendChild(); child.ensureArray()
        return UnkeyedEnc(box: child, codingPath: path)
    }
    mutating func superEncoder() -> Encoder { EncoderImpl(box: box.appendChild(), codingPath: codingPath) }
}
