// Metadata values of a GGUF file: scalars, strings and (nested) typed arrays.

/// The value type ids stored in GGUF metadata.
public enum GGUFValueType: UInt32, Sendable {
    case uint8 = 0, int8, uint16, int16, uint32, int32, float32, bool, string, array, uint64, int64, float64

    /// Bytes of one element on disk, or nil for variable-size types (string, array).
    var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }
    /// The smallest number of bytes one element can take (a string is at least its 8-byte length).
    var minSize: Int { fixedSize ?? (self == .string ? 8 : 12) }
}

/// A metadata value. Arrays keep their element type so large vocabularies stay compact.
public enum GGUFValue: Sendable, Equatable {
    case uint(UInt64, GGUFValueType)
    case int(Int64, GGUFValueType)
    case float(Double, GGUFValueType)
    case bool(Bool)
    case string(String)
    case array(GGUFArray)

    public var typeName: String {
        switch self {
        case .uint(_, let t), .int(_, let t), .float(_, let t): return "\(t)"
        case .bool: return "bool"
        case .string: return "string"
        case .array(let a): return "array of \(a.elementTypeName)"
        }
    }
    /// Integer value of any integer or bool type, if it fits in Int.
    public var intValue: Int? {
        switch self {
        case .uint(let v, _): return v <= UInt64(Int.max) ? Int(v) : nil
        case .int(let v, _): return Int(exactly: v)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
    /// Numeric value of any number type.
    public var doubleValue: Double? {
        switch self {
        case .uint(let v, _): return Double(v)
        case .int(let v, _): return Double(v)
        case .float(let v, _): return v
        default: return nil
        }
    }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: GGUFArray? { if case .array(let a) = self { return a }; return nil }
}

/// A typed array from GGUF metadata.
public enum GGUFArray: Sendable, Equatable {
    /// Fixed-size elements (every integer and float type, and bool) as their little-endian bytes from the file:
    /// an array costs its size on disk, not a value per element.
    case numbers([UInt8], GGUFValueType)
    case strings([String])
    case arrays([GGUFArray])

    public var count: Int {
        switch self {
        case .numbers(let b, let t): return b.count / (t.fixedSize ?? 1)
        case .strings(let a): return a.count
        case .arrays(let a): return a.count
        }
    }
    public var elementTypeName: String {
        switch self {
        case .numbers(_, let t): return "\(t)"
        case .strings: return "string"
        case .arrays: return "array"
        }
    }
    public var strings: [String]? { if case .strings(let s) = self { return s }; return nil }
    /// Integer elements as Int (bools as 0/1), nil for other element types or values that do not fit.
    public var ints: [Int]? {
        guard case .numbers(let b, let t) = self else { return nil }
        switch t {
        case .uint8, .bool: return b.map { Int($0) }
        case .int8: return b.map { Int(Int8(bitPattern: $0)) }
        case .uint16: return Self.load(b, UInt16.self).map { Int($0) }
        case .int16: return Self.load(b, Int16.self).map { Int($0) }
        case .uint32: return Self.load(b, UInt32.self).map { Int($0) }
        case .int32: return Self.load(b, Int32.self).map { Int($0) }
        case .int64: return Self.load(b, Int64.self).map { Int($0) }
        case .uint64:
            let a = Self.load(b, UInt64.self)
            return a.allSatisfy { $0 <= UInt64(Int.max) } ? a.map { Int($0) } : nil
        case .float32, .float64, .string, .array: return nil
        }
    }
    /// Number elements as Float (integers converted), nil for other element types.
    public var floats: [Float]? {
        guard case .numbers(let b, let t) = self else { return nil }
        switch t {
        case .float32: return Self.load(b, UInt32.self).map { Float(bitPattern: $0) }
        case .float64: return Self.load(b, UInt64.self).map { Float(Double(bitPattern: $0)) }
        case .bool, .string, .array: return nil
        default: return ints?.map { Float($0) }
        }
    }

    /// Every element as a value of its own (for showing a few, or comparing in tests; not for large arrays).
    public var elements: [GGUFValue] {
        switch self {
        case .strings(let a): return a.map { .string($0) }
        case .arrays(let a): return a.map { .array($0) }
        case .numbers(let b, let t):
            switch t {
            case .float32, .float64:
                let d = t == .float32 ? Self.load(b, UInt32.self).map { Double(Float(bitPattern: $0)) } : Self.load(b, UInt64.self).map { Double(bitPattern: $0) }
                return d.map { .float($0, t) }
            case .bool: return b.map { .bool($0 != 0) }
            case .uint64: return Self.load(b, UInt64.self).map { .uint($0, t) }
            case .uint8, .uint16, .uint32: return (ints ?? []).map { .uint(UInt64($0), t) }
            default: return (ints ?? []).map { .int(Int64($0), t) }
            }
        }
    }

    /// The little-endian integers in `b`.
    static func load<T: FixedWidthInteger>(_ b: [UInt8], _: T.Type) -> [T] {
        b.withUnsafeBytes { p in
            (0..<b.count / MemoryLayout<T>.size).map { T(littleEndian: p.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        }
    }
}
