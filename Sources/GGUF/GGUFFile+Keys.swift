// Typed reads of metadata keys for Engine and Tokenizer: nil when absent, a GGUFError when present as another type.
extension GGUFFile {
    /// `key` read by `read` (nil when absent); GGUFError.wrongKeyType naming `expected` (e.g. "an integer") when the
    /// value is of another type.
    public func value<T>(_ key: String, expected: String, _ read: (GGUFValue) -> T?) throws -> T? {
        guard let v = metadata[key] else { return nil }
        guard let t = read(v) else { throw GGUFError.wrongKeyType(key: key, expected: expected, found: v.typeName) }
        return t
    }

    public func optionalInt(_ key: String) throws -> Int? { try value(key, expected: "an integer") { $0.intValue } }
    public func optionalDouble(_ key: String) throws -> Double? { try value(key, expected: "a number") { $0.doubleValue } }
    public func optionalString(_ key: String) throws -> String? { try value(key, expected: "a string") { $0.stringValue } }
    public func optionalStrings(_ key: String) throws -> [String]? { try value(key, expected: "an array of strings") { $0.arrayValue?.strings } }
    public func optionalInts(_ key: String) throws -> [Int]? { try value(key, expected: "an array of integers") { $0.arrayValue?.ints } }
    /// A bool, or an integer (0 false, else true) as some converters write them.
    public func optionalBool(_ key: String) throws -> Bool? { try value(key, expected: "a bool") { $0.boolValue ?? $0.intValue.map { $0 != 0 } } }

    /// `read(key)`, or GGUFError.missingKey when the key is absent.
    public func required<T>(_ key: String, _ read: (String) throws -> T?) throws -> T {
        guard let v = try read(key) else { throw GGUFError.missingKey(key) }
        return v
    }
}
