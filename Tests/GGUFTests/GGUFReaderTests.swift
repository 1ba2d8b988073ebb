// GGUF reader: valid files parse to what was written; hostile ones end in a typed error, never a crash.
import Foundation
import XCTest
@testable import GGUF

final class GGUFReaderTests: XCTestCase {
    func parse(_ bytes: [UInt8]) throws -> GGUFFile { try GGUFFile(mapped: MappedFile(copying: bytes, name: "test.gguf")) }

    func testSampleParses() throws {
        var g = GGUFBuilder.sample()
        let f = try parse(g.build())
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f.architecture, "llama")
        XCTAssertEqual(f.string("general.name"), "tiny ✓ 模型")
        XCTAssertEqual(f.int("llama.block_count"), 2)
        XCTAssertEqual(f.double("llama.rope.freq_base"), 10000)
        XCTAssertEqual(f.bool("tokenizer.ggml.add_bos_token"), true)
        XCTAssertEqual(f.array("tokenizer.ggml.tokens")?.strings, ["a", "b", "<|user|>"])
        XCTAssertEqual(f.array("tokenizer.ggml.token_type")?.ints, [1, 1, 3])
        XCTAssertEqual(f.array("test.nested"), .arrays([.numbers([1, 2], .uint8), .numbers([3], .uint8)]))
        XCTAssertEqual(f.metadataKeys.first, "general.architecture")
        XCTAssertEqual(f.tensors.map(\.name), ["token_embd.weight", "blk.0.attn_norm.weight", "blk.0.ffn_up.weight"])
        let emb = try XCTUnwrap(f.tensor(named: "token_embd.weight"))
        XCTAssertEqual(emb.type, .q8_0)
        XCTAssertEqual(emb.dims, [64, 3])
        XCTAssertEqual(emb.byteCount, 3 * 2 * 34)
        XCTAssertEqual(emb.rowBytes, 68)
        XCTAssertEqual(f.data(of: emb).first, UInt8("token_embd.weight".count))
        XCTAssertEqual(f.tensor(named: "blk.0.ffn_up.weight")?.byteCount, 2 * 144)
        XCTAssertEqual(f.dataOffset % 32, 0)
    }

    func testTypeTableMatchesGGML() {
        // Block layouts from ggml-common.h: sizes asserted there by static_assert.
        XCTAssertEqual(GGMLType.q4_K.typeSize, 2 + 2 + 12 + 128)
        XCTAssertEqual(GGMLType.q5_K.typeSize, 2 + 2 + 12 + 32 + 128)
        XCTAssertEqual(GGMLType.q6_K.typeSize, 128 + 64 + 16 + 2)
        XCTAssertEqual(GGMLType.q3_K.typeSize, 32 + 64 + 12 + 2)
        XCTAssertEqual(GGMLType.q2_K.typeSize, 16 + 64 + 2 + 2)
        XCTAssertEqual(GGMLType.q8_K.typeSize, 4 + 256 + 32)
        XCTAssertEqual(GGMLType.iq4_xs.typeSize, 2 + 2 + 4 + 128)
        XCTAssertEqual(GGMLType.q5_0.typeSize, 2 + 4 + 16)
        XCTAssertEqual(GGMLType.mxfp4.typeSize, 1 + 16)
        XCTAssertEqual(GGMLType(id: 33).name, "Q4_0_8_8 (removed from ggml)")
        XCTAssertFalse(GGMLType(id: 33).isKnown)
        XCTAssertEqual(GGMLType(id: 200).name, "unknown type 200")
        XCTAssertEqual(GGMLType.named("q4_k"), .q4_K)
        XCTAssertNil(GGMLType.q4_K.byteCount(elements: 100))
    }

    /// Every prefix of a valid file shorter than its header fails with a typed error.
    func testTruncationAtEveryByte() throws {
        var g = GGUFBuilder.sample()
        let full = g.build()
        let headerEnd = g.boundaries.last!
        for n in 0..<full.count where n < headerEnd || n % 7 == 0 {
            if n == full.count { continue }
            do {
                _ = try parse(Array(full[0..<n]))
                // Cutting inside the tensor data must be caught as a tensor out of bounds.
                XCTFail("prefix of \(n) bytes parsed")
            } catch let e as GGUFError {
                XCTAssertFalse(e.description.isEmpty)
            }
        }
        XCTAssertNoThrow(try parse(full))
    }

    func testTruncationInDataNamesTheTensor() throws {
        var g = GGUFBuilder.sample()
        let full = g.build()
        XCTAssertThrowsError(try parse(Array(full.dropLast(40)))) { e in
            guard case GGUFError.tensorOutOfBounds(let name, _, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(name, "blk.0.ffn_up.weight")
            XCTAssertTrue("\(e)".hasPrefix("tensor blk.0.ffn_up.weight ends at byte"))
        }
    }

    /// Random byte flips and random field overwrites: parse or a typed error, never a crash.
    func testRandomCorruptionNeverCrashes() throws {
        var g = GGUFBuilder.sample()
        let full = g.build()
        var rng = SplitMix(seed: 42)
        var errors = 0
        for i in 0..<4000 {
            var b = full
            let flips = 1 + Int(rng.next() % 4)
            for _ in 0..<flips {
                let pos = Int(rng.next() % UInt64(g.boundaries.last! + 8))
                if i % 3 == 0, let at = g.boundaries.randomElement(using: &rng), at + 8 <= b.count {
                    for k in 0..<8 { b[at + k] = UInt8(truncatingIfNeeded: rng.next()) }   // a whole field
                } else {
                    b[pos] ^= UInt8(1 << (rng.next() % 8))
                }
            }
            do { _ = try parse(b) } catch is GGUFError { errors += 1 }
        }
        XCTAssertGreaterThan(errors, 1000)
    }

    func overwrite(_ b: inout [UInt8], at: Int, u64 v: UInt64) { withUnsafeBytes(of: v.littleEndian) { for k in 0..<8 { b[at + k] = $0[k] } } }
    func overwrite(_ b: inout [UInt8], at: Int, u32 v: UInt32) { withUnsafeBytes(of: v.littleEndian) { for k in 0..<4 { b[at + k] = $0[k] } } }

    func testHugeCountsAreRejectedWithoutAllocating() throws {
        var g = GGUFBuilder.sample()
        let full = g.build()
        let bd = g.boundaries
        func expectError(_ b: [UInt8], _ contains: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try parse(b), file: file, line: line) { e in
                XCTAssertTrue("\(e)".contains(contains), "\(e)", file: file, line: line)
            }
        }
        var b = full; overwrite(&b, at: bd[2], u64: UInt64.max); expectError(b, "tensors")
        b = full; overwrite(&b, at: bd[3], u64: 1 << 62); expectError(b, "metadata entries")
        b = full; overwrite(&b, at: bd[4], u64: UInt64.max - 3); expectError(b, "truncated")        // key length
        // The token array's count: field after the key, type tag, element type tag.
        let tokensValue = bd[4 + 2 * 5 + 1]
        b = full; overwrite(&b, at: tokensValue + 8, u64: 1 << 61); expectError(b, "array")
    }

    func testTensorFieldAttacks() throws {
        var g = GGUFBuilder.sample()
        let full = g.build()
        let bd = g.boundaries
        // Tensor directory fields for token_embd.weight: name, n_dims, dim0, dim1, type, offset.
        let kvFields = 4 + 2 * 8
        let name = bd[kvFields], nd = bd[kvFields + 1], d0 = bd[kvFields + 2], d1 = bd[kvFields + 3], ty = bd[kvFields + 4], off = bd[kvFields + 5]
        XCTAssertEqual(nd - name, 8 + "token_embd.weight".utf8.count)
        func expect(_ mutate: (inout [UInt8]) -> Void, _ text: String, line: UInt = #line) {
            var b = full; mutate(&b)
            XCTAssertThrowsError(try parse(b), line: line) { XCTAssertTrue("\($0)".contains(text), "\($0)", line: line) }
        }
        expect({ self.overwrite(&$0, at: nd, u32: 9) }, "dimensions")
        expect({ self.overwrite(&$0, at: nd, u32: 0) }, "dimensions")
        expect({ self.overwrite(&$0, at: d1, u64: 1 << 40) }, "dimension")
        expect({ self.overwrite(&$0, at: d0, u64: 1 << 30); self.overwrite(&$0, at: d1, u64: 1 << 30) }, "token_embd.weight")
        expect({ self.overwrite(&$0, at: d0, u64: 63) }, "block size")
        expect({ self.overwrite(&$0, at: ty, u32: 33) }, "Q4_0_8_8")
        expect({ self.overwrite(&$0, at: ty, u32: 1000) }, "unknown type 1000")
        expect({ self.overwrite(&$0, at: ty, u32: GGMLType.q4_K_r.id) }, "not a ggml type")
        expect({ self.overwrite(&$0, at: off, u64: 1 << 40) }, "past the end of the file")
        expect({ self.overwrite(&$0, at: off, u64: UInt64.max - 31) }, "past the end of the file")
        expect({ self.overwrite(&$0, at: off, u64: 3) }, "not aligned")
    }

    func testHeaderErrors() throws {
        var g = GGUFBuilder.sample()
        let full = g.build()
        XCTAssertThrowsError(try parse(Array("GGML".utf8) + full.dropFirst(4))) { XCTAssertTrue("\($0)".contains("not a GGUF file")) }
        var b = full; overwrite(&b, at: 4, u32: 1)
        XCTAssertThrowsError(try parse(b)) { XCTAssertEqual("\($0)", "GGUF version 1 is not supported (only versions 2 and 3 are).") }
        b = full; overwrite(&b, at: 4, u32: UInt32(3).byteSwapped)
        XCTAssertThrowsError(try parse(b)) { XCTAssertTrue("\($0)".contains("big-endian")) }
        XCTAssertThrowsError(try parse([])) { XCTAssertTrue("\($0)".contains("not a GGUF file")) }
        var dup = GGUFBuilder.sample(); dup.add("general.name", string: "again")
        XCTAssertThrowsError(try parse(dup.build())) { XCTAssertEqual("\($0)", "metadata key general.name appears twice.") }
        var align = GGUFBuilder.sample(); align.add("general.alignment", u32: 24)
        XCTAssertThrowsError(try parse(align.build())) { XCTAssertTrue("\($0)".contains("power of two")) }
    }

    func testAlignmentKeyIsHonoured() throws {
        var g = GGUFBuilder.sample()
        g.alignment = 64
        g.add("general.alignment", u32: 64)
        let f = try parse(g.build())
        XCTAssertEqual(f.alignment, 64)
        XCTAssertEqual(f.dataOffset % 64, 0)
        XCTAssertEqual(f.data(of: f.tensors[2]).first, UInt8("blk.0.ffn_up.weight".count))
    }

    func testOpenErrors() {
        XCTAssertThrowsError(try GGUFFile(path: "/nonexistent/x.gguf")) { XCTAssertEqual("\($0)", "cannot open /nonexistent/x.gguf: No such file or directory.") }
        XCTAssertThrowsError(try GGUFFile(path: "/tmp")) { XCTAssertTrue("\($0)".contains("not a regular file")) }
    }
}

/// A tiny seeded generator so corruption tests are repeatable.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
