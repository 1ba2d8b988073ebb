// File text in error messages is short and inert (a corrupt length must not dump megabytes of key bytes, nor
// ESC sequences, onto stderr), and a large metadata array costs about its size on disk.
import Foundation
import XCTest
import Quote
@testable import GGUF

final class GGUFHostileTextTests: XCTestCase {
    func parse(_ bytes: [UInt8]) throws -> GGUFFile { try GGUFFile(mapped: MappedFile(copying: bytes, name: "test.gguf")) }

    /// A file whose metadata holds a lot of text full of ESC sequences (like a vocabulary with odd tokens).
    func hostile() -> [UInt8] {
        var g = GGUFBuilder()
        g.add("general.architecture", string: "llama")
        g.add("tokenizer.ggml.tokens", strings: Array(repeating: "\u{1B}[31mred\u{1B}]0;title\u{07}\u{202E}", count: 20_000))
        g.add("z.last", u32: 1)
        return g.build()
    }

    func checkMessage(_ bytes: [UInt8], _ what: String) {
        do { _ = try parse(bytes) } catch {
            let m = "\(error)"
            XCTAssertLessThan(m.utf8.count, 300, "\(what): a \(m.utf8.count)-byte message")
            XCTAssertFalse(m.unicodeScalars.contains { isUnsafeForTerminal($0) }, "\(what): a control character in the message")
        }
    }

    func testAKeyLengthOffByTwoGivesAShortMessage() throws {
        let good = hostile()
        XCTAssertNoThrow(try parse(good))
        // The second key's length field is at 24 + 8 + "general.architecture" + 4 + 8 + "llama".
        let at = 24 + 8 + 20 + 4 + 8 + 5
        XCTAssertEqual(good[at], UInt8("tokenizer.ggml.tokens".utf8.count))
        for delta in [2, -2, 200, 70_000] {
            var b = good
            var len = UInt64(21 + delta)
            withUnsafeBytes(of: &len) { for i in 0..<8 { b[at + i] = $0[i] } }
            checkMessage(b, "key length off by \(delta)")
        }
    }

    func testADuplicatedHugeKeyIsQuotedShortAndEscaped() throws {
        var g = GGUFBuilder()
        let key = String(repeating: "\u{1B}[2J\u{9B}1m", count: 100_000)
        g.add(key, u32: 1)
        g.add(key, u32: 2)
        let b = g.build()
        XCTAssertThrowsError(try parse(b)) { e in
            XCTAssertTrue("\(e)".contains("appears twice"))
        }
        checkMessage(b, "duplicated key")
    }

    func testEveryFlippedBitOfTheHeaderGivesAShortMessage() throws {
        let good = hostile()
        for byte in 0..<160 {
            for bit in 0..<8 {
                var b = good
                b[byte] ^= 1 << bit
                checkMessage(b, "bit \(bit) of byte \(byte)")
            }
        }
    }

    func testQuotedEscapesControlsAndCapsLength() {
        XCTAssertEqual(quoted("a\u{1B}[31mb\u{7F}\u{9B}\u{202E}c\n"), "a\\u{1B}[31mb\\u{7F}\\u{9B}\\u{202E}c\\u{A}")
        let long = quoted(String(repeating: "\u{1B}", count: 10_000))
        XCTAssertLessThanOrEqual(long.utf8.count, 160 + 3)
        XCTAssertTrue(long.hasSuffix("…"))
        XCTAssertEqual(quoted("ok"), "ok")
        XCTAssertEqual(quoted(bytes: [0x41, 0x1B, 0x42]), "A\\u{1B}B")
        XCTAssertLessThanOrEqual(quoted(bytes: [UInt8](repeating: 0xFF, count: 1 << 20)).utf8.count, 163)
    }

    /// Resident pages of this process, in bytes.
    func residentBytes() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = s.split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testA64MiBUInt8ArrayLoadsInAboutItsSize() throws {
        #if !os(Linux)
        throw XCTSkip("reads /proc/self/statm")
        #else
        let n = 64 << 20
        let path = NSTemporaryDirectory() + "glmchat-array-\(UUID().uuidString).gguf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            var head: [UInt8] = Array("GGUF".utf8)
            GGUFBuilder.u32(3, &head); GGUFBuilder.u64(0, &head); GGUFBuilder.u64(1, &head)
            GGUFBuilder.str("big.array", &head); GGUFBuilder.u32(9, &head); GGUFBuilder.u32(0, &head); GGUFBuilder.u64(UInt64(n), &head)
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try h.write(contentsOf: head)
            let chunk = Data(repeating: 7, count: 1 << 20)
            for _ in 0..<64 { try h.write(contentsOf: chunk) }
            try h.close()
        }
        let before = residentBytes()
        let f = try GGUFFile(path: path)
        let grew = residentBytes() - before
        XCTAssertEqual(f.array("big.array")?.count, n)
        XCTAssertLessThan(Double(grew), 2.5 * Double(n), "loading a \(n)-byte array grew the resident set by \(grew) bytes")
        #endif
    }
}
