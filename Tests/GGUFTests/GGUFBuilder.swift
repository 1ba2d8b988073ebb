// Builds GGUF bytes in tests (valid ones, then mutilated), so hostile inputs can be made precisely.
import Foundation
@testable import GGUF

struct GGUFBuilder {
    var version: UInt32 = 3
    var kv: [(String, (inout [UInt8]) -> Void)] = []
    var tensors: [(name: String, dims: [UInt64], type: UInt32, bytes: Int)] = []
    var alignment = 32
    /// Byte offsets where each header field starts (for truncation tests).
    private(set) var boundaries: [Int] = []

    static func u32(_ v: UInt32, _ b: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
    static func u64(_ v: UInt64, _ b: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
    static func str(_ s: String, _ b: inout [UInt8]) { u64(UInt64(s.utf8.count), &b); b += Array(s.utf8) }

    mutating func add(_ key: String, u32 v: UInt32) { kv.append((key, { Self.u32(4, &$0); Self.u32(v, &$0) })) }
    mutating func add(_ key: String, string v: String) { kv.append((key, { Self.u32(8, &$0); Self.str(v, &$0) })) }
    mutating func add(_ key: String, f32 v: Float) { kv.append((key, { Self.u32(6, &$0); Self.u32(v.bitPattern, &$0) })) }
    mutating func add(_ key: String, bool v: Bool) { kv.append((key, { Self.u32(7, &$0); $0.append(v ? 1 : 0) })) }
    mutating func add(_ key: String, strings v: [String]) {
        kv.append((key, { Self.u32(9, &$0); Self.u32(8, &$0); Self.u64(UInt64(v.count), &$0); for s in v { Self.str(s, &$0) } }))
    }
    mutating func add(_ key: String, i32s v: [Int32]) {
        kv.append((key, { Self.u32(9, &$0); Self.u32(5, &$0); Self.u64(UInt64(v.count), &$0); for x in v { Self.u32(UInt32(bitPattern: x), &$0) } }))
    }
    /// An array of arrays of u8: [[1,2],[3]].
    mutating func add(_ key: String, nested v: [[UInt8]]) {
        kv.append((key, { b in
            Self.u32(9, &b); Self.u32(9, &b); Self.u64(UInt64(v.count), &b)
            for inner in v { Self.u32(0, &b); Self.u64(UInt64(inner.count), &b); b += inner }
        }))
    }
    mutating func tensor(_ name: String, _ dims: [UInt64], type: GGMLType) {
        let n = dims.reduce(1, *)
        tensors.append((name, dims, type.id, type.byteCount(elements: Int(n))!))
    }

    mutating func build() -> [UInt8] {
        var b: [UInt8] = []
        boundaries = []
        func mark() { boundaries.append(b.count) }
        mark(); b += Array("GGUF".utf8)
        mark(); Self.u32(version, &b)
        mark(); Self.u64(UInt64(tensors.count), &b)
        mark(); Self.u64(UInt64(kv.count), &b)
        for (k, write) in kv { mark(); Self.str(k, &b); mark(); write(&b) }
        var offsets: [UInt64] = []
        var off = 0
        for t in tensors {
            offsets.append(UInt64(off))
            off += (t.bytes + alignment - 1) / alignment * alignment
        }
        for (i, t) in tensors.enumerated() {
            mark(); Self.str(t.name, &b)
            mark(); Self.u32(UInt32(t.dims.count), &b)
            for d in t.dims { mark(); Self.u64(d, &b) }
            mark(); Self.u32(t.type, &b)
            mark(); Self.u64(offsets[i], &b)
        }
        mark()
        while b.count % alignment != 0 { b.append(0) }
        mark()
        for t in tensors {
            var x = UInt8(truncatingIfNeeded: t.name.count)
            for _ in 0..<t.bytes { b.append(x); x &+= 1 }
            while b.count % alignment != 0 { b.append(0) }
        }
        return b
    }

    /// A small file with every value type and tensors of several types.
    static func sample() -> GGUFBuilder {
        var g = GGUFBuilder()
        g.add("general.architecture", string: "llama")
        g.add("general.name", string: "tiny ✓ 模型")
        g.add("llama.block_count", u32: 2)
        g.add("llama.rope.freq_base", f32: 10000)
        g.add("tokenizer.ggml.add_bos_token", bool: true)
        g.add("tokenizer.ggml.tokens", strings: ["a", "b", "<|user|>"])
        g.add("tokenizer.ggml.token_type", i32s: [1, 1, 3])
        g.add("test.nested", nested: [[1, 2], [3]])
        g.tensor("token_embd.weight", [64, 3], type: .q8_0)
        g.tensor("blk.0.attn_norm.weight", [64], type: .f32)
        g.tensor("blk.0.ffn_up.weight", [256, 2], type: .q4_K)
        return g
    }
}

/// Writes bytes to a fresh temp file and returns its path.
func writeTemp(_ bytes: [UInt8], name: String = "t.gguf") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glmchat-gguf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}
