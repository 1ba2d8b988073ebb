// A parsed, validated GGUF file: metadata, tensor directory, and access to tensor bytes in the mapping.
import Foundation
import Quote

public final class GGUFFile: @unchecked Sendable {
    public static let maxDims = 4
    static let maxArrayDepth = 8

    public let path: String
    public let version: UInt32
    public let alignment: Int
    /// Metadata in file order.
    public let metadataKeys: [String]
    public let metadata: [String: GGUFValue]
    /// Tensors in file order.
    public let tensors: [GGUFTensorInfo]
    private let tensorIndex: [String: Int]
    /// Byte offset where tensor data begins.
    public let dataOffset: Int
    private let file: MappedFile

    public var fileSize: Int { file.size }

    public convenience init(path: String) throws {
        try self.init(mapped: try MappedFile(path: path))
    }

    public init(mapped file: MappedFile) throws {
        self.file = file
        self.path = file.path
        var c = ByteCursor(file.bytes)
        guard file.size >= 4, try c.read(UInt32.self, "the magic") == 0x4655_4747 else {
            throw GGUFError.notGGUF(path: file.path)
        }
        version = try c.read(UInt32.self, "the version")
        guard version == 2 || version == 3 else {
            // A big-endian file reads as a huge version; say so rather than "version 50331648".
            if version.byteSwapped == 2 || version.byteSwapped == 3 {
                throw GGUFError.invalid("the file is a big-endian GGUF; only little-endian files are supported.")
            }
            throw GGUFError.unsupportedVersion(version)
        }
        let nTensors = try c.read(UInt64.self, "the tensor count")
        let nKV = try c.read(UInt64.self, "the metadata count")
        // Each metadata entry takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor at least 8+4+8+4+8.
        guard nKV <= UInt64(c.remaining / 13) else {
            throw GGUFError.invalid("the file claims \(nKV) metadata entries, more than its \(formatBytes(file.size)) can hold.")
        }
        guard nTensors <= UInt64(c.remaining / 32) else {
            throw GGUFError.invalid("the file claims \(nTensors) tensors, more than its \(formatBytes(file.size)) can hold.")
        }
        var keys: [String] = []
        var meta: [String: GGUFValue] = [:]
        for i in 0..<Int(nKV) {
            let key = try c.readString("metadata key #\(i)")
            let shown = quoted(key)   // for messages: the key is file text of any length and content
            guard meta[key] == nil else { throw GGUFError.invalid("metadata key \(shown) appears twice.") }
            let raw = try c.read(UInt32.self, "the type of metadata key \(shown)")
            guard let type = GGUFValueType(rawValue: raw) else {
                throw GGUFError.invalid("metadata key \(shown) has unknown value type \(raw).")
            }
            meta[key] = try Self.readValue(&c, type: type, key: shown, depth: 0)
            keys.append(key)
        }
        metadataKeys = keys
        metadata = meta

        var align = 32
        if let a = meta["general.alignment"] {
            guard let v = a.intValue, v > 0, v <= 1 << 20, v & (v - 1) == 0 else {
                throw GGUFError.invalid("general.alignment must be a power of two, found \(quoted("\(a)")).")
            }
            align = v
        }
        alignment = align

        struct Raw { let name: String; let shown: String; let type: GGMLType; let dims: [Int]; let offset: UInt64 }
        var raws: [Raw] = []
        raws.reserveCapacity(Int(nTensors))
        var index: [String: Int] = [:]
        for i in 0..<Int(nTensors) {
            let name = try c.readString("the name of tensor #\(i)")
            let shown = quoted(name)
            guard index[name] == nil else { throw GGUFError.invalid("tensor \(shown) appears twice in the file.") }
            let nd = try c.read(UInt32.self, "the dimension count of tensor \(shown)")
            guard nd >= 1, nd <= UInt32(Self.maxDims) else {
                throw GGUFError.invalid("tensor \(shown) has \(nd) dimensions; between 1 and \(Self.maxDims) are allowed.")
            }
            var dims: [Int] = []
            var elements = 1
            for _ in 0..<Int(nd) {
                let d = try c.read(UInt64.self, "a dimension of tensor \(shown)")
                guard d <= UInt64(Int32.max) else {
                    throw GGUFError.invalid("tensor \(shown) has a dimension of \(d), which is not plausible.")
                }
                let (p, o) = elements.multipliedReportingOverflow(by: Int(d))
                guard !o, p <= Int(Int64.max / 8) else { throw GGUFError.invalid("tensor \(shown) has more elements than can be addressed.") }
                elements = p
                dims.append(Int(d))
            }
            let type = GGMLType(id: try c.read(UInt32.self, "the type of tensor \(shown)"))
            let off = try c.read(UInt64.self, "the data offset of tensor \(shown)")
            index[name] = i
            raws.append(Raw(name: name, shown: shown, type: type, dims: dims, offset: off))
        }
        tensorIndex = index

        let pad = (c.offset + align - 1) / align * align
        dataOffset = pad
        guard nTensors == 0 || pad <= file.size else {
            throw GGUFError.truncated(what: "the tensor data section", offset: pad, fileSize: file.size)
        }
        var infos: [GGUFTensorInfo] = []
        infos.reserveCapacity(raws.count)
        for r in raws {
            guard !r.type.isInternal else {
                throw GGUFError.invalid("tensor \(r.shown) has type id \(r.type.id), which is not a ggml type (glmchat uses it only in memory).")
            }
            guard r.type.isKnown else {
                throw GGUFError.invalid("tensor \(r.shown) has type \(r.type.name), which glmchat does not know.")
            }
            guard r.dims[0] % r.type.blockSize == 0 else {
                throw GGUFError.invalid("tensor \(r.shown) has rows of \(r.dims[0]) elements, not a multiple of the \(r.type.name) block size \(r.type.blockSize).")
            }
            let count = r.dims.reduce(1, *)
            guard let bytes = r.type.byteCount(elements: count) else {
                throw GGUFError.invalid("tensor \(r.shown) is too large to address.")
            }
            guard r.offset % UInt64(align) == 0 else {
                throw GGUFError.invalid("tensor \(r.shown) starts at data offset \(r.offset), which is not aligned to \(align) bytes.")
            }
            guard r.offset <= UInt64(Int.max - pad) else {
                throw GGUFError.tensorOutOfBounds(name: r.shown, end: Int.max, fileSize: file.size)
            }
            let start = pad + Int(r.offset)
            let (end, o) = start.addingReportingOverflow(bytes)
            guard !o, end <= file.size else {
                throw GGUFError.tensorOutOfBounds(name: r.shown, end: o ? Int.max : end, fileSize: file.size)
            }
            infos.append(GGUFTensorInfo(name: r.name, type: r.type, dims: r.dims, fileOffset: start, byteCount: bytes))
        }
        tensors = infos
    }

    private static func readValue(_ c: inout ByteCursor, type: GGUFValueType, key: String, depth: Int) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint(UInt64(try c.read(UInt8.self, key)), type)
        case .uint16: return .uint(UInt64(try c.read(UInt16.self, key)), type)
        case .uint32: return .uint(UInt64(try c.read(UInt32.self, key)), type)
        case .uint64: return .uint(try c.read(UInt64.self, key), type)
        case .int8: return .int(Int64(try c.read(Int8.self, key)), type)
        case .int16: return .int(Int64(try c.read(Int16.self, key)), type)
        case .int32: return .int(Int64(try c.read(Int32.self, key)), type)
        case .int64: return .int(try c.read(Int64.self, key), type)
        case .float32: return .float(Double(try c.readFloat(key)), type)
        case .float64: return .float(try c.readDouble(key), type)
        case .bool:
            let b = try c.read(UInt8.self, key)
            guard b <= 1 else { throw GGUFError.invalid("metadata key \(key) holds the bool value \(b); only 0 and 1 are valid.") }
            return .bool(b == 1)
        case .string: return .string(try c.readString("the value of \(key)"))
        case .array: return .array(try readArray(&c, key: key, depth: depth))
        }
    }

    private static func readArray(_ c: inout ByteCursor, key: String, depth: Int) throws -> GGUFArray {
        guard depth < maxArrayDepth else { throw GGUFError.invalid("metadata key \(key) nests arrays more than \(maxArrayDepth) deep.") }
        let raw = try c.read(UInt32.self, "the element type of \(key)")
        guard let et = GGUFValueType(rawValue: raw) else {
            throw GGUFError.invalid("metadata key \(key) is an array of unknown value type \(raw).")
        }
        let count64 = try c.read(UInt64.self, "the length of \(key)")
        guard count64 <= UInt64(c.remaining / et.minSize) else {
            throw GGUFError.truncated(what: "the \(count64)-element array \(key)", offset: c.offset, fileSize: c.bytes.count)
        }
        let n = Int(count64)
        switch et {
        case .uint8, .int8, .uint16, .int16, .uint32, .int32, .int64, .uint64, .float32, .float64, .bool:
            let size = n * et.minSize
            try c.need(size, "the \(n)-element array \(key)")
            let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: c.bytes[c.offset..<c.offset + size]))
            if et == .bool, let bad = bytes.first(where: { $0 > 1 }) {
                throw GGUFError.invalid("metadata key \(key) holds the bool value \(bad); only 0 and 1 are valid.")
            }
            c.skip(size)
            return .numbers(bytes, et)
        case .string:
            var a = [String](); a.reserveCapacity(n)
            for i in 0..<n { a.append(try c.readString("element \(i) of \(key)")) }
            return .strings(a)
        case .array:
            var a = [GGUFArray](); a.reserveCapacity(n)
            for _ in 0..<n { a.append(try readArray(&c, key: key, depth: depth + 1)) }
            return .arrays(a)
        }
    }

    // MARK: lookup

    public func tensor(named name: String) -> GGUFTensorInfo? { tensorIndex[name].map { tensors[$0] } }

    /// The bytes of a tensor inside the mapping; valid while this GGUFFile is alive.
    public func data(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[tensor.fileOffset..<tensor.fileOffset + tensor.byteCount])
    }

    /// The bytes before the tensor data (header, metadata, tensor directory); valid while this GGUFFile is alive.
    public var headerBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[0..<min(dataOffset, file.bytes.count)])
    }

    /// See MappedFile.preferHugePages.
    @discardableResult
    public func preferHugePages() -> Bool { file.preferHugePages() }

    /// Drops this process's mapping of a tensor's whole pages once it is copied elsewhere (the file stays cached);
    /// `data(of:)` still reads the file's bytes.
    public func release(_ tensor: GGUFTensorInfo) { file.release(offset: tensor.fileOffset, count: tensor.byteCount) }

    public func string(_ key: String) -> String? { metadata[key]?.stringValue }
    public func int(_ key: String) -> Int? { metadata[key]?.intValue }
    public func double(_ key: String) -> Double? { metadata[key]?.doubleValue }
    public func bool(_ key: String) -> Bool? { metadata[key]?.boolValue }
    public func array(_ key: String) -> GGUFArray? { metadata[key]?.arrayValue }

    /// The `general.architecture` string ("deepseek2", "llama" …).
    public var architecture: String? { string("general.architecture") }
}
