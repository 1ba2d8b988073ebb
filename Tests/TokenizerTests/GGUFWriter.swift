// A minimal GGUF v3 writer (metadata only) for synthetic vocabularies in tests.
import Foundation

struct GGUFWriter {
    enum Value { case string(String), u32(UInt32), bool(Bool), strings([String]), i32s([Int32]) }
    var entries: [(String, Value)] = []

    mutating func add(_ key: String, _ v: Value) { entries.append((key, v)) }

    func data() -> Data {
        var d = Data()
        func u32(_ x: UInt32) { withUnsafeBytes(of: x.littleEndian) { d.append(contentsOf: $0) } }
        func u64(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { d.append(contentsOf: $0) } }
        func str(_ s: String) { u64(UInt64(s.utf8.count)); d.append(contentsOf: Array(s.utf8)) }
        u32(0x4655_4747); u32(3); u64(0); u64(UInt64(entries.count))
        for (k, v) in entries {
            str(k)
            switch v {
            case .string(let s): u32(8); str(s)
            case .u32(let x): u32(4); u32(x)
            case .bool(let b): u32(7); d.append(b ? 1 : 0)
            case .strings(let a): u32(9); u32(8); u64(UInt64(a.count)); a.forEach(str)
            case .i32s(let a): u32(9); u32(5); u64(UInt64(a.count)); a.forEach { u32(UInt32(bitPattern: $0)) }
            }
        }
        return d
    }

    func write(to url: URL) throws { try data().write(to: url) }
}
