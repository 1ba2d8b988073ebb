// JSONValue → Decodable, with errors that name the path ("messages[3].role: expected a string, found a number").
import Chat
import Foundation

/// The mirror of `JSONValueEncoder`: ISO 8601 strings (or Unix seconds) as dates, strings of digits for
/// integers too large for JSONValue.
enum JSONValueDecoder {
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try DecoderImpl(value: value, codingPath: []).decodeAny(type)
    }

    /// "messages[3].role: expected a string, found a number" for any error this decoder throws.
    static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ p: [CodingKey]) -> String {
            var s = ""
            for k in p {
                if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
            }
            return s.isEmpty ? "the top level" : s
        }
        switch e {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let k, let c): return "\(path(c.codingPath + [k])): the field is missing"
        @unknown default: return "\(e)"
        }
    }
}

private func kind(_ v: JSONValue) -> String {
    switch v {
    case .null: return "null"; case .bool: return "a boolean"; case .int, .double: return "a number"
    case .string: return "a string"; case .array: return "an array"; case .object: return "an object"
    case .literal(let t): return t.hasPrefix("\"") ? "a string" : "a number"
    }
}

private struct PathKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ s: String) { stringValue = s }
    init(index: Int) { stringValue = "\(index)"; intValue = index }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.init(index: intValue) }
}

private struct DecoderImpl: Decoder {
    let value: JSONValue
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func mismatch<T>(_ t: T.Type, _ expected: String) -> DecodingError {
        .typeMismatch(t, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(kind(value))"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let kv) = value else { throw mismatch([String: Any].self, "an object") }
        var dict: [String: JSONValue] = [:]
        for (k, v) in kv where dict[k] == nil { dict[k] = v }   // first occurrence wins, as in the parser's subscript
        return KeyedDecodingContainer(KeyedDec<Key>(dict: dict, keys: kv.map(\.0), codingPath: codingPath))
    }
    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let a) = value else { throw mismatch([Any].self, "an array") }
        return UnkeyedDec(items: a, codingPath: codingPath)
    }
    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleDec(d: self) }

    func decodeAny<T: Decodable>(_ t: T.Type) throws -> T {
        if t == Date.self {
            let date: Date
            switch value {
            case .string(let s):
                guard let d = ISODate.parse(s) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\"\(s)\" is not an ISO 8601 date"))
                }
                date = d
            case .int, .double: date = Date(timeIntervalSince1970: value.doubleValue ?? 0)
            default: throw mismatch(t, "a date")
            }
            if let d = date as? T { return d }
        }
        if t == JSONValue.self, let v = value as? T { return v }
        if let v = try leafValue(t) { return v }
        return try T(from: self)
    }

    /// Scalars decoded directly (nil when T is not a scalar type).
    func leafValue<T>(_ t: T.Type) throws -> T? {
        func int<I: FixedWidthInteger>(_ i: I.Type) throws -> I {
            switch value {
            case .int(let n): if let r = I(exactly: n) { return r }
            case .double(let d): if let r = I(exactly: d) { return r }
            case .string(let s):
                // Written by JSONValueEncoder for values beyond Int.max.
                guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw mismatch(t, "an integer") }
                if let r = I(s) { return r }
            case .literal(let text): if let r = I(text) { return r }   // an integer beyond Int, as written
            default: throw mismatch(t, "an integer")
            }
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(value.serialized()) does not fit in \(I.self)"))
        }
        switch t {
        case is Bool.Type: guard case .bool(let b) = value else { throw mismatch(t, "a boolean") }; return b as? T
        case is String.Type:
            guard let s = value.stringValue else { throw mismatch(t, "a string") }
            return s as? T
        case is Double.Type: guard let d = value.doubleValue else { throw mismatch(t, "a number") }; return d as? T
        case is Float.Type: guard let d = value.doubleValue else { throw mismatch(t, "a number") }; return Float(d) as? T
        case is Int.Type: return try int(Int.self) as? T
        case is Int8.Type: return try int(Int8.self) as? T
        case is Int16.Type: return try int(Int16.self) as? T
        case is Int32.Type: return try int(Int32.self) as? T
        case is Int64.Type: return try int(Int64.self) as? T
        case is UInt.Type: return try int(UInt.self) as? T
        case is UInt8.Type: return try int(UInt8.self) as? T
        case is UInt16.Type: return try int(UInt16.self) as? T
        case is UInt32.Type: return try int(UInt32.self) as? T
        case is UInt64.Type: return try int(UInt64.self) as? T
        default: return nil
        }
    }
}

private struct SingleDec: SingleValueDecodingContainer {
    let d: DecoderImpl
    var codingPath: [CodingKey] { d.codingPath }
    func decodeNil() -> Bool { d.value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try d.decodeAny(type) }
}

private struct KeyedDec<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let dict: [String: JSONValue]
    let keys: [String]
    let codingPath: [CodingKey]
    var allKeys: [Key] { keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { dict[key.stringValue] != nil }
    func child(_ key: Key) throws -> DecoderImpl {
        guard let v = dict[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "the field is missing"))
        }
        return DecoderImpl(value: v, codingPath: codingPath + [key])
    }
    func decodeNil(forKey key: Key) throws -> Bool { (dict[key.stringValue] ?? .null) == .null }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeAny(type) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = dict[key.stringValue], v != .null else { return nil }
        return try DecoderImpl(value: v, codingPath: codingPath + [key]).decodeAny(type)
    }
    func nestedContainer<NK: CodingKey>(keyedBy type: NK.Type, forKey key: Key) throws -> KeyedDecodingContainer<NK> {
        try child(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> Decoder { DecoderImpl(value: dict["super"] ?? .null, codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> Decoder { try child(key) }
}

private struct UnkeyedDec: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }
    mutating func next() throws -> DecoderImpl {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the array ends early"))
        }
        defer { currentIndex += 1 }
        return DecoderImpl(value: items[currentIndex], codingPath: codingPath + [PathKey(index: currentIndex)])
    }
    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1; return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeAny(type) }
    mutating func nestedContainer<NK: CodingKey>(keyedBy type: NK.Type) throws -> KeyedDecodingContainer<NK> { try next().container(keyedBy: type) }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> Decoder { try next() }
}
