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
    case ints([Int64], GGUFValueType)   // every signed and unsigned integer type up to 32 bits, and int64
    case uint64s([UInt64])
    case floats([Double], GGUFValueType)
    case bools([Bool])
    case strings([String])
    case arrays([GGUFArray])

    public var count: Int {
        switch self {
        case .ints(let a, _): return a.count
        case .uint64s(let a): return a.count
        case .floats(let a, _): return a.count
        case .bools(let a): return a.count
        case .strings(let a): return a.count
        case .arrays(let a): return a.count
        }
    }
    public var elementTypeName: String {
        switch self {
        case .ints(_, let t), .floats(_, let t): return "\(t)"
        case .uint64s: return "uint64"
        case .bools: return "bool"
        case .strings: return "string"
        case .arrays: return "array"
        }
    }
    public var strings: [String]? { if case .strings(let s) = self { return s }; return nil }
    /// Integer elements as Int (bools as 0/1), nil for other element types or values that do not fit.
    public var ints: [Int]? {
        switch self {
        case .ints(let a, _): return a.compactMap { Int(exactly: $0) }.count == a.count ? a.map { Int($0) } : nil
        case .uint64s(let a): return a.allSatisfy { $0 <= UInt64(Int.max) } ? a.map { Int($0) } : nil
        case .bools(let a): return a.map { $0 ? 1 : 0 }
        default: return nil
        }
    }
    public var floats: [Float]? {
        switch self {
        case .floats(let a, _): return a.map { Float($0) }
        case .ints(let a, _): return a.map { Float($0) }
        default: return nil
        }
    }
}
